package crawl

import (
	"context"
	"errors"
	"fmt"

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
		resp, err := c.fetcher.Get(context.WithValue(fetching, itemKey{}, &it), it.URL)
		// The parse stage drains this channel until it is closed, so
		// the send always completes.
		parsed <- &job{item: it, resp: resp, err: err}
	}
}
