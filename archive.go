package crawl

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/store"
	"github.com/crawl-go/crawl/store/warc"
)

// openWARC creates the WARC writer of Config.WARC. If files of that name
// exist already (a resumed crawl), the new ones get a timestamp in their
// name, so that no file is overwritten.
func openWARC(cfg Config, start time.Time) (*warc.Writer, error) {
	dir, prefix := filepath.Split(strings.TrimSuffix(cfg.WARC, ".warc.gz"))
	opts := warc.Options{Dir: dir, Prefix: prefix, MaxSize: cfg.WARCMaxSize, Software: "crawl/" + Version,
		Info: warcinfo(cfg, start)}
	w, err := warc.Create(opts)
	if errors.Is(err, fs.ErrExist) {
		opts.Prefix += "-" + time.Now().UTC().Format("20060102T150405")
		w, err = warc.Create(opts)
	}
	if err != nil {
		return nil, fmt.Errorf("creating the WARC file: %w", err)
	}
	return w, nil
}

// warcinfo returns the fields of the warcinfo records that describe the
// crawl, after the software and format the writer names: the User-Agent,
// the robots policy, when the crawl started and how it was started.
func warcinfo(cfg Config, start time.Time) warc.Header {
	robots := "ignore"
	if cfg.Robots {
		robots = "obey"
	}
	h := warc.Header{
		{Name: "http-header-user-agent", Value: cfg.Fetch.UserAgent},
		{Name: "robots", Value: robots},
		{Name: "crawl-start", Value: start.UTC().Format(time.RFC3339)},
	}
	if len(cfg.CommandLine) > 0 {
		h = append(h, warc.Field{Name: "command-line", Value: oneLine(strings.Join(cfg.CommandLine, " "))})
	}
	return h
}

// oneLine replaces the control characters of s, which a WARC field value
// cannot hold.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// archive writes every exchange of j's fetch to the WARC file (each
// redirect hop, the final response whatever its status) and releases
// them. Without a WARC file it only releases them.
func (c *Crawler) archive(j *job) {
	if j.resp == nil {
		return
	}
	c.archiveResponse(j.resp, j.prev)
}

// archiveResponse writes the exchanges of resp, the fetch of a URL whose
// earlier capture is prev (nil if none), and releases them. A failure to
// write stops the crawl: the archive would be missing records. An
// exchange the writer cannot make records of (a malformed response) is
// reported and skipped.
func (c *Crawler) archiveResponse(resp *fetch.Response, prev *store.Record) {
	defer resp.ReleaseExchanges()
	if c.warc == nil {
		return
	}
	for _, ex := range resp.Exchanges {
		wex := &warc.Exchange{
			URL: ex.URL, IP: ex.RemoteIP, Date: ex.Date,
			Request: ex.Request, Response: ex.Response, ResponseLen: ex.Response.Len(),
			Truncated: ex.Truncated,
		}
		if ex.Status == 304 && prev != nil {
			// The capture still current is the earlier run's, whose date
			// the manifest has unless that run also got a 304.
			wex.RefersToURI = ex.URL
			if prev.Update != store.UpdateNotModified {
				wex.RefersToDate = prev.FetchedAt
			}
		}
		_, err := c.warc.WriteExchange(wex)
		switch {
		case errors.Is(err, warc.ErrInvalidExchange):
			fmt.Fprintf(c.cfg.Log, "crawl: not archived: %v\n", err)
		case err != nil:
			c.fail(fmt.Errorf("writing the WARC records of %s: %w", ex.URL, err))
			return
		}
	}
}
