package redisfrontier

import (
	"context"
	"time"

	"github.com/crawl-go/crawl/internal/redisretry"
)

// DefaultRetryFor is how long a call whose Redis server is unreachable is
// retried when Options.RetryFor is zero (within half the lease; see
// Options.RetryFor).
const DefaultRetryFor = 30 * time.Second

// The backoff between two attempts of a call that met a transient error:
// from minBackoff, doubled up to maxBackoff.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = time.Second
)

// retry runs op until it succeeds, fails with an error that is not
// Transient, ctx ends, the Frontier is closed, or the time to retry has
// passed: Options.RetryFor from now, and not beyond until when it is not
// zero (the local deadline of the lease that op ends). It waits between
// attempts with an exponential backoff. It returns op's last error.
func (f *Frontier) retry(ctx context.Context, until time.Time, op func(context.Context) error) error {
	stop := time.Now().Add(f.retryFor)
	if !until.IsZero() && until.Before(stop) {
		stop = until
	}
	wait := minBackoff
	for {
		err := op(ctx)
		if err == nil || !redisretry.Transient(err) || ctx.Err() != nil {
			return err
		}
		if time.Until(stop) < wait {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		case <-f.done:
			t.Stop()
			return err
		}
		wait = min(2*wait, maxBackoff)
	}
}
