package crawl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/mirror"
	"github.com/crawl-go/crawl/store"
)

// earlier is what the manifest of an earlier crawl into the output
// directory says, as far as this run needs it.
type earlier struct {
	// lastRun is the highest run number of its lines, 0 without any.
	lastRun int
	// recorded holds, with resume, the URLs that have a line of the last
	// run.
	recorded map[string]struct{}
	// saved holds, for each URL, its line that names its file (nil unless
	// asked for): the file a re-crawl keeps or replaces.
	saved store.Saved
}

// readEarlier reads the manifest at path, if there is one. With resume,
// it collects the URLs recorded in the last run, which a resumed crawl
// continues; with saved, the latest saved file of each URL.
func readEarlier(path string, resume, saved bool) (earlier, error) {
	var e earlier
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return e, nil
	}
	if err != nil {
		return e, fmt.Errorf("reading the manifest of the earlier crawl: %w", err)
	}
	defer f.Close()
	byRun := make(map[string]int) // URL to the run of its last line, with resume
	if saved {
		e.saved = make(store.Saved)
	}
	err = store.ReadManifest(bufio.NewReaderSize(f, 1<<20), func(r *store.Record) error {
		run := r.RunNumber()
		e.lastRun = max(e.lastRun, run)
		if resume {
			byRun[r.URL] = max(byRun[r.URL], run)
		}
		if saved {
			e.saved.Add(r)
		}
		return nil
	})
	if err != nil {
		return e, fmt.Errorf("reading the manifest of the earlier crawl: %w", err)
	}
	if resume {
		e.recorded = make(map[string]struct{})
		for u, run := range byRun {
			if run == e.lastRun {
				e.recorded[u] = struct{}{}
			}
		}
	}
	return e, nil
}

// writeRecord writes rec's manifest line, unless this is a resumed crawl
// whose manifest has it already.
func (c *Crawler) writeRecord(rec *store.Record) {
	rec.Run = c.runNo
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

// convertLinks makes the mirror browse offline, from what the manifest
// says was saved, in this run and earlier ones.
func (c *Crawler) convertLinks(ctx context.Context) error {
	f, err := os.Open(filepath.Join(c.cfg.OutDir, store.ManifestName))
	if err != nil {
		return fmt.Errorf("converting links: %w", err)
	}
	defer f.Close()
	c.converted, err = mirror.Convert(ctx, c.store, bufio.NewReaderSize(f, 1<<20), mirror.Options{
		Workers: c.cfg.Parsers, Log: c.cfg.Log,
	})
	if err != nil {
		return fmt.Errorf("converting links: %w", err)
	}
	return nil
}
