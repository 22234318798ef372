package crawl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/store"
)

// readRecorded returns the URLs that the manifest at path has a line for.
func readRecorded(path string) (map[string]struct{}, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the manifest to resume: %w", err)
	}
	defer f.Close()
	seen := make(map[string]struct{})
	err = store.ReadManifest(bufio.NewReaderSize(f, 1<<20), func(r *store.Record) error {
		seen[r.URL] = struct{}{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the manifest to resume: %w", err)
	}
	return seen, nil
}

// writeRecord writes rec's manifest line, unless this is a resumed crawl
// whose manifest has it already.
func (c *Crawler) writeRecord(rec *store.Record) {
	if c.recorded != nil {
		c.recordedMu.Lock()
		_, had := c.recorded[rec.URL]
		delete(c.recorded, rec.URL) // a URL has at most one line
		c.recordedMu.Unlock()
		if had {
			return
		}
	}
	if err := c.manifest.Write(rec); err != nil {
		c.fail(fmt.Errorf("writing manifest.jsonl: %w", err))
	}
}

// skipURL records a URL that the crawl decided not to fetch, once: the
// URL is claimed in the frontier so that later links to it are ignored.
func (c *Crawler) skipURL(ctx context.Context, it frontier.Item, reason, why string) error {
	c.stats.skip(reason, 1)
	isNew, err := c.frontier.Claim(ctx, it.URL)
	if err != nil || !isNew {
		return err
	}
	rec := store.Record{URL: it.URL, Depth: it.Depth, Parent: it.Parent,
		Error: why, ErrorKind: reason, FetchedAt: time.Now().UTC()}
	c.writeRecord(&rec)
	return nil
}

// recordBadSeed records a seed that is not a valid URL.
func (c *Crawler) recordBadSeed(b badSeed) {
	msg := fmt.Sprintf("%s: %v %q: %v", b.seed.Source, errBadURL, b.seed.URL, b.err)
	fmt.Fprintf(c.cfg.Log, "crawl: %s\n", msg)
	rec := store.Record{
		URL:       b.seed.URL,
		Error:     msg,
		ErrorKind: "bad_url",
		FetchedAt: time.Now().UTC(),
	}
	c.writeRecord(&rec)
	c.stats.done(&rec)
}
