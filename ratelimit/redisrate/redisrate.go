// Package redisrate is a ratelimit.Shared kept in Redis, so that the crawl
// processes sharing one crawl, on one machine or many, also share each
// host's rate limit: a host gets the rate once, not once per process.
//
// It uses github.com/go-redis/redis_rate/v10, which runs the generic cell
// rate algorithm (GCRA) in a Lua script: one atomic round trip per attempt,
// one key per host holding the host's theoretical arrival time (TAT), the
// instant from which the next request is on schedule. Time is the server's
// (TIME), so the machines' clocks do not matter. A grant at rate r moves the
// TAT to 1/r after the later of the old TAT and now; a request is granted
// while the TAT is no more than (burst-1)/r ahead of now, so with the
// default burst of 1 it is granted only once the TAT has passed.
//
// # Waiting
//
// A Wait that is refused sleeps for the RetryAfter the server computed and
// asks again. Waiters are not queued: a turn goes to whichever asks first
// once it is due, not to the one that has waited longest, so under
// contention a waiter may lose several turns in a row. Every attempt costs
// one round trip.
//
// # Different rates for one host
//
// Processes may ask for the same host at different rates: one that was
// answered 429 has cut its rate (ratelimit's Options.Adaptive), one that
// fetched robots.txt later may not have applied the Crawl-delay yet. They
// share the key all the same, and each grant counts at the rate of the
// process that got it: after a grant at rate r, the host is closed to every
// process for 1/r. So a throttled process slows the host down for all, in
// proportion to the share of turns it gets, but does not impose its rate on
// the others, which cut their own rates when the host answers them 429 in
// turn. In the long run the host never gets more than the fastest rate
// asked for. Back to back, a host can get up to about
// 2*burst-1 requests when a slow process follows fast ones, since the
// burst is measured in each caller's own interval; with the default burst
// of 1 it never gets two.
//
// # Keys
//
// The key of a host is "rate:" + prefix + host: redis_rate puts "rate:" in
// front of every key. A prefix holding a hash tag, such as
// "crawl:{NAME}:rate:", keeps a crawl's keys in one slot of a cluster. A key
// expires on its own once its TAT has passed (at most burst/r seconds after
// the last grant, rounded up), so there is nothing to clean up.
package redisrate

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/crawl-go/crawl/internal/redisretry"
	"github.com/crawl-go/crawl/ratelimit"
)

// minRetry is the shortest sleep between two attempts, in case the server
// refuses a request with a RetryAfter rounded down to zero.
const minRetry = time.Millisecond

// The backoff between two attempts that met a transient Redis error
// (WithRetry): from minBackoff, doubled up to maxBackoff.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = time.Second
)

// Limiter is a per-host rate limit shared through Redis by every Limiter
// with the same prefix on the same server. It is safe for concurrent use.
// The zero value is not usable; call New.
type Limiter struct {
	rl     *redis_rate.Limiter
	prefix string
	burst  int
	// retryFor is how long Wait retries a transient Redis error
	// (WithRetry).
	retryFor time.Duration
}

var _ ratelimit.Shared = (*Limiter)(nil)

// New returns a Limiter that keeps its state in client under keys that start
// with "rate:" + prefix, with a burst of 1. The client is not closed by the
// Limiter; it stays the caller's.
func New(client redis.UniversalClient, prefix string) *Limiter {
	return &Limiter{rl: redis_rate.NewLimiter(client), prefix: prefix, burst: 1}
}

// WithBurst returns a copy of l that lets up to n requests to a host start
// back to back after it has been quiet, counting those of every process;
// values below 1 mean 1. The processes of a crawl should use the same burst,
// as they should use the same prefix. The local limiter's own burst
// (ratelimit.Options.Burst) still applies within each process, so the
// smaller of the two wins.
func (l *Limiter) WithBurst(n int) *Limiter {
	c := *l
	c.burst = max(n, 1)
	return &c
}

// WithRetry returns a copy of l whose Wait retries a Redis error that may
// go away on its own (the server unreachable for a moment, restarting,
// loading its data) for up to d, with a backoff, before it returns it;
// zero or less, the default, returns the first error.
func (l *Limiter) WithRetry(d time.Duration) *Limiter {
	c := *l
	c.retryFor = max(d, 0)
	return &c
}

// Wait blocks until host may get one more request at rate r requests per
// second, counting the grants of every Limiter that shares the key, and
// takes that turn. A rate so fast that its interval is under a nanosecond,
// or rate.Inf, is no limit: Wait returns nil without asking the server. A
// zero, negative or NaN rate is an error.
//
// Wait returns ctx.Err() when ctx is done first. If ctx has a deadline
// before the next turn the server announces, it fails at once with an error
// wrapping context.DeadlineExceeded rather than sleeping until the deadline.
// A Redis error is returned wrapped, once WithRetry's time to retry it is
// spent (at once without).
func (l *Limiter) Wait(ctx context.Context, host string, r rate.Limit) error {
	if !(r > 0) {
		return fmt.Errorf("redisrate: invalid rate %v for %s", r, host)
	}
	lim, ok := l.limit(r)
	if !ok {
		return nil
	}
	key := l.prefix + host
	var timer *time.Timer
	var failing time.Time // when the errors being retried started
	backoff := minBackoff
	for {
		res, err := l.rl.Allow(ctx, key, lim)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if failing.IsZero() {
				failing = time.Now()
			}
			if !redisretry.Transient(err) || time.Since(failing)+backoff > l.retryFor {
				return fmt.Errorf("redisrate: rate limit of %s: %w", host, err)
			}
		}
		var d time.Duration
		switch {
		case err != nil:
			d, backoff = backoff, min(2*backoff, maxBackoff)
		case res.Allowed > 0:
			return nil
		default:
			failing, backoff = time.Time{}, minBackoff
			d = max(res.RetryAfter, minRetry)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return fmt.Errorf("redisrate: wait %v for %s would pass the deadline: %w", d, host, context.DeadlineExceeded)
		}
		if timer == nil {
			timer = time.NewTimer(d)
			defer timer.Stop()
		} else {
			timer.Reset(d)
		}
		select {
		case <-timer.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// limit converts r into a redis_rate.Limit with an emission interval of
// 1/r, as exact as a time.Duration allows: redis_rate takes whole numbers of
// requests per period, so the period is the interval and the rate one. It
// reports false when the interval rounds to zero, which the script would
// divide by.
func (l *Limiter) limit(r rate.Limit) (redis_rate.Limit, bool) {
	period := time.Duration(float64(time.Second) / float64(r))
	if period <= 0 {
		return redis_rate.Limit{}, false
	}
	return redis_rate.Limit{Rate: 1, Burst: l.burst, Period: period}, true
}

// key returns the Redis key of host's limit; for tests.
func (l *Limiter) key(host string) string {
	return "rate:" + l.prefix + host
}
