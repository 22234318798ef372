package ratelimit

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/time/rate"
)

// ErrShared is wrapped by the error of Acquire (and of a request through
// Transport) when the shared limit failed: its store (Redis) could not be
// reached or answered an error. It is the crawl's failure, not the host's:
// the request was not made, the host's circuit breaker does not count it,
// and callers should not retry it as a failure of the host.
var ErrShared = errors.New("shared rate limit unavailable")

// Shared is a per-host rate limit that several processes draw from, so that
// a crawl run by N processes does not hit a host N times as hard. The
// redisrate package implements it on Redis.
//
// Implementations must be safe for concurrent use by multiple goroutines.
type Shared interface {
	// Wait blocks until host may get one more request at rate r requests
	// per second, counting the requests of every process that shares the
	// limit, or until ctx is done; it then returns an error, ctx.Err() or
	// one wrapping it. r is finite and above zero. A nil error is a grant
	// of one request, which the caller is about to make.
	Wait(ctx context.Context, host string, r rate.Limit) error
}

// waitShared waits for host's turn in the shared limit, at the rate of its
// local bucket. That rate already folds in Options.Rate, the cuts of the
// adaptive throttle and the Crawl-delay ceiling of SetMaxRate, and it is
// read after the local token is taken so that a change made meanwhile
// counts. An unlimited host is not limited anywhere, so it costs no round
// trip to the shared store.
func (l *Limiter) waitShared(ctx context.Context, host string, e *hostEntry) error {
	if l.shared == nil {
		return nil
	}
	r := e.tokens.Limit()
	if r == rate.Inf {
		return nil
	}
	if err := l.shared.Wait(ctx, host, r); err != nil {
		// The caller gave up: report it as the other waits do.
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("ratelimit: shared limit for %s: %w: %w", host, ErrShared, err)
	}
	return nil
}
