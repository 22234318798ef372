package crawl

import (
	"context"
	"errors"
	"fmt"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/ratelimit"
)

// fetchLoop is one fetch worker: it leases URLs from the frontier until the
// crawl is over or intake ends, fetches each with the fetching context, and
// hands every outcome, failures included, to the parse stage. Once intake
// has ended no new URL is taken and no fetch starts: a URL leased just
// before is handed on as abandoned, and the store stage releases it.
func (c *Crawler) fetchLoop(intake, fetching context.Context, parsed chan<- *job) {
	for {
		it, err := c.frontier.Next(intake)
		if errors.Is(err, frontier.ErrDone) {
			c.finished.Store(true)
			return
		}
		if err != nil {
			if intake.Err() == nil {
				c.fail(fmt.Errorf("taking the next URL: %w", err))
			}
			return
		}
		c.stats.inFlight.Add(1)
		// The parse stage drains this channel until it is closed, so
		// every send completes.
		parsed <- c.fetchOne(intake, fetching, it)
	}
}

// fetchOne fetches one leased URL.
func (c *Crawler) fetchOne(intake, fetching context.Context, it frontier.Item) *job {
	if err := intake.Err(); err != nil {
		return &job{item: it, err: err}
	}
	if l := c.history.line(it.URL); l != nil && l.outcome() {
		// An earlier run (or this one, before an interruption) has its
		// outcome: no request. A saved page's links are read from its
		// file; a URL that failed is not tried again (--update does).
		switch {
		case l.ok && l.path != "" && c.store.Has(l.path):
			return &job{item: it, earlier: l}
		case !l.ok || l.path == "" && l.status >= 300 && l.status < 400:
			return &job{item: it, earlier: l, skip: true}
		}
		// Fetched without a file (--no-mirror): its links are only on
		// the web.
	}
	if c.robots != nil {
		// robots.txt is a new request: it is not started, nor waited
		// for, once intake has ended.
		if err := c.checkRobots(intake, &it); err != nil {
			return &job{item: it, err: err}
		}
	}
	// A re-crawl asks for a body only if it changed since the file it
	// has.
	var v fetch.Validators
	prev := c.saved[it.URL]
	if prev != nil && c.store.Has(prev.Path) {
		v = fetch.Validators{ETag: prev.ETag, LastModified: prev.LastModified}
	}
	fs := &fetchState{item: it}
	// No attempt, retry or redirect hop starts once intake has ended;
	// what is under way goes on, with fetching.
	ctx := ratelimit.WithStartContext(withFetchState(fetching, fs), intake)
	resp, err := c.fetcher.GetIf(ctx, it.URL, v)
	return &job{item: it, resp: resp, err: err, prev: prev, claimed: fs.claimed}
}
