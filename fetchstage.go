package crawl

import (
	"context"
	"errors"
	"fmt"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
)

// fetchLoop is one fetch worker: it leases URLs from the frontier until the
// crawl is over or intake ends, fetches each with the fetching context, and
// hands every outcome, failures included, to the parse stage.
func (c *Crawler) fetchLoop(intake, fetching context.Context, parsed chan<- *job) {
	for {
		it, err := c.frontier.Next(intake)
		if err != nil {
			if !errors.Is(err, frontier.ErrDone) && intake.Err() == nil {
				c.fail(fmt.Errorf("taking the next URL: %w", err))
			}
			return
		}
		c.stats.inFlight.Add(1)
		if c.robots != nil {
			if err := c.checkRobots(fetching, &it); err != nil {
				parsed <- &job{item: it, err: err}
				continue
			}
		}
		// A re-crawl asks for a body only if it changed since the
		// file it has.
		var v fetch.Validators
		prev := c.saved[it.URL]
		if prev != nil && c.store.Has(prev.Path) {
			v = fetch.Validators{ETag: prev.ETag, LastModified: prev.LastModified}
		}
		resp, err := c.fetcher.GetIf(context.WithValue(fetching, itemKey{}, &it), it.URL, v)
		// The parse stage drains this channel until it is closed, so
		// the send always completes.
		parsed <- &job{item: it, resp: resp, err: err, prev: prev}
	}
}
