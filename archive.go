package crawl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/store/warc"
)

// openWARC creates the WARC writer of Config.WARC. If files of that name
// exist already (a resumed crawl), the new ones get a timestamp in their
// name, so that no file is overwritten.
func openWARC(cfg Config) (*warc.Writer, error) {
	dir, prefix := filepath.Split(strings.TrimSuffix(cfg.WARC, ".warc.gz"))
	opts := warc.Options{Dir: dir, Prefix: prefix, MaxSize: cfg.WARCMaxSize, Software: "crawl/" + Version,
		Info: warc.Header{{Name: "http-header-user-agent", Value: cfg.Fetch.UserAgent}}}
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

// archive writes the job's request and response to the WARC file. A
// failure stops the crawl: the archive would be missing records.
func (c *Crawler) archive(j *job, body *fetch.Body, at time.Time) {
	ex := j.resp.Exchange
	if ex == nil {
		return
	}
	var r io.ReaderAt = bytes.NewReader(body.Bytes())
	if f := body.File(); f != nil {
		r = f
	}
	_, err := c.warc.WriteExchange(&warc.Exchange{
		URL: j.resp.FinalURL, IP: ex.RemoteIP, Date: at,
		Request: ex.RequestHead, ResponseHead: ex.ResponseHead,
		Body: r, BodyLen: body.Len(),
	})
	if err != nil {
		c.fail(fmt.Errorf("writing the WARC record of %s: %w", j.item.URL, err))
	}
}
