// Package sleep waits for a duration or the end of a context, whichever
// comes first: the one wait that the fetcher's retries, the rate
// limiter's pauses and the robots.txt retries share.
package sleep

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx is done; it then returns ctx.Err(). A d of
// zero or less returns at once, with ctx's error if it is done.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
