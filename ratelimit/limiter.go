// Package ratelimit keeps crawl polite per host: a token bucket and a cap on
// concurrent requests for every host, optionally shared with other
// processes.
//
// A [Limiter] holds one entry per host, created on first use: a
// [rate.Limiter] that spaces requests out in time and a semaphore that bounds
// how many requests to the host are in flight at once. [Limiter.Acquire] is
// the primitive; [Limiter.Transport] applies it to every round trip of an
// [http.Client], so retries and redirect hops are limited too.
//
// With [Options.Adaptive], a host that answers 429 or 503 is slowed down,
// and paused for its Retry-After when the overload is host-wide, and a
// host that keeps failing to connect is given up; see [Limiter.Observe].
// The throttle answers a host's overload, not a few URLs that always fail:
// the retries of a URL count once, the rate is cut at most once per
// window and comes back geometrically, and one URL's Retry-After does not
// hold the rest of the host back. [Limiter.SetMaxRate] caps a host at its
// robots.txt Crawl-delay.
//
// When several crawl processes share one crawl, each limits a host on its
// own, so the host would get the sum of their rates. [Options.Shared] adds a
// limit that they draw from together (the redisrate package keeps it in
// Redis): after the local limits, Acquire also waits for the host's turn in
// the shared one, at the host's current local rate.
//
// Entries that have been idle for [Options.IdleTimeout] are forgotten, so a
// crawl that touches a million hosts does not keep a million limiters alive.
// Eviction is lazy: it runs inside Acquire at most once per IdleTimeout, and no
// background goroutine is started, so a Limiter needs no Close.
//
// Files: limiter.go (the registry, Acquire, SetRate, eviction), adaptive.go
// (Observe, SetMaxRate, pauses and the circuit breaker), overload.go (what
// the throttle remembers of a host's answers), shared.go (the Shared
// interface and its wait), jitter.go (Options.RandomWait) and
// transport.go (the http.RoundTripper and WithStartContext).
package ratelimit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crawl-go/crawl/internal/sleep"
	"golang.org/x/time/rate"
)

// DefaultIdleTimeout is how long a host entry may go unused before it is
// evicted when Options.IdleTimeout is zero.
const DefaultIdleTimeout = time.Minute

// Options configures a Limiter. The zero value limits nothing.
type Options struct {
	// Rate is the number of requests per second allowed to each host.
	// Zero or negative means unlimited.
	Rate float64
	// Burst is the size of each host's token bucket: how many requests may
	// start back to back after the host has been quiet. Values below 1 mean 1.
	// With Shared, the shared limit's own burst applies too, and the smaller
	// of the two wins.
	Burst int
	// PerHost is the maximum number of concurrent requests to one host.
	// Zero or negative means unlimited.
	PerHost int
	// IdleTimeout is how long a host's entry may go without a request before
	// it is evicted; zero means DefaultIdleTimeout. An entry is never evicted
	// while a request holds or waits for it, nor before its token bucket has
	// refilled, so eviction never lets a host be hit harder than Rate allows.
	IdleTimeout time.Duration

	// Adaptive slows a host down when it answers 429 or 503 and speeds it
	// back up when it answers again, and gives up a host that keeps
	// failing to connect. A URL's first 429 or 503 halves the host's rate
	// (to half its measured rate, at least InitialCut, if it had none), at
	// most once per window of a second or one request interval; the
	// retries of a URL do not count again. When several URLs and at least
	// half of the host's latest answers are 429 or 503, the overload is
	// host-wide: the rate drops to InitialCut at most and the host is
	// paused for its Retry-After, at most MaxPause. RecoverAfter successes
	// double a cut rate, up to Rate. See Observe for the exact rules.
	Adaptive bool
	// MaxPause caps a pause asked for with Retry-After; default 30s. The
	// limiter also remembers a URL that answered 429 or 503 for four times
	// MaxPause, if that is longer than 2 minutes, so that retries spaced
	// by at most MaxPause count once.
	MaxPause time.Duration
	// BreakerThreshold is how many connection failures or timeouts in a
	// row open a host's circuit breaker; 0 means 5.
	BreakerThreshold int
	// BreakerCooldown is how long an open breaker pauses the host the
	// first time; it doubles each time it opens again without a success
	// in between; 0 means 10s.
	BreakerCooldown time.Duration
	// BreakerTrips is how many times the breaker may open in a row before
	// the host is given up: Acquire then fails at once with
	// ErrHostUnreachable; 0 means 3.
	BreakerTrips int

	// RandomWait scales each wait for a host's token by a random factor
	// between 0.5 and 1.5, as wget's --random-wait does to its --wait:
	// the requests to a host come at irregular intervals that average
	// the host's rate (a wait cut short leaves the bucket that much
	// emptier, so the next wait is longer). Waits for a concurrency
	// slot, a pause or Shared are not scaled.
	RandomWait bool
	// Rand returns the random numbers of RandomWait, uniform in [0, 1);
	// nil means math/rand/v2's Float64. A test passes a seeded source.
	// It must be safe for concurrent use.
	Rand func() float64

	// Shared, when not nil, is a rate limit shared with other processes
	// crawling the same hosts. Acquire calls its Wait after every local
	// wait, with the host's current rate (Rate, as cut by Adaptive or
	// capped by SetMaxRate), unless that rate is unlimited. The local
	// limits stay in force: they bound what this process asks of Shared.
	Shared Shared
}

// Limiter limits requests per host. It is safe for concurrent use by multiple
// goroutines. The zero value is not usable; create one with New.
type Limiter struct {
	limit   rate.Limit // default rate for new entries
	burst   int
	perHost int
	idle    time.Duration
	adapt   adaptOptions
	shared  Shared // nil when the limit is local only
	// random scales waits (Options.RandomWait); nil when they are not.
	random func() float64

	// now is the limiter's clock. It is time.Now outside tests.
	now func() time.Time
	// onWait, when set by a test, is called just before Acquire blocks.
	onWait func()

	mu        sync.Mutex
	hosts     map[string]*hostEntry
	lastSweep time.Time
}

// hostEntry is the state kept for one host. Its fields other than tokens and
// slots are guarded by Limiter.mu; tokens is safe for concurrent use on its
// own and slots is a channel.
type hostEntry struct {
	tokens *rate.Limiter
	// slots holds one value per request in flight; nil means no cap.
	slots chan struct{}
	// users counts Acquire calls that are waiting or holding; the entry is
	// not evicted while it is above zero.
	users    int
	lastUsed time.Time
	adapt    adaptState // guarded by Limiter.mu
}

// New returns a Limiter configured by opts.
func New(opts Options) *Limiter {
	l := &Limiter{
		limit:   toLimit(opts.Rate),
		burst:   max(opts.Burst, 1),
		perHost: max(opts.PerHost, 0),
		idle:    opts.IdleTimeout,
		shared:  opts.Shared,
		now:     time.Now,
		hosts:   make(map[string]*hostEntry),
	}
	if l.idle <= 0 {
		l.idle = DefaultIdleTimeout
	}
	l.adapt = newAdaptOptions(opts)
	if opts.RandomWait {
		l.random = opts.Rand
		if l.random == nil {
			l.random = rand.Float64
		}
	}
	return l
}

// toLimit maps the "zero means unlimited" convention of Options.Rate onto
// rate.Limit, where zero means "nothing allowed".
func toLimit(r float64) rate.Limit {
	if r <= 0 {
		return rate.Inf
	}
	return rate.Limit(r)
}

// Acquire waits for a free concurrency slot for host, then for the end of
// host's pause (with Options.Adaptive), then for a token from host's bucket,
// then for host's turn in Options.Shared, and returns a release function
// that frees the slot. The caller must call release once the request is
// over, whatever its outcome; calling it more than once is harmless.
//
// Every wait ends early when ctx is done: Acquire then returns ctx.Err() and
// holds nothing. If ctx has a deadline that the token wait would overrun,
// Acquire fails at once with an error wrapping context.DeadlineExceeded
// rather than sleeping until the deadline; a Shared may do the same (the
// redisrate package does). When the shared wait fails, for that or another
// reason (its store is unreachable, say), Acquire returns the error wrapped,
// and holds nothing; the local token is spent all the same, which errs on
// the polite side.
//
// The slot is held during the shared wait, so Options.PerHost also bounds
// how many of this process's requests to host wait on the shared store at
// once. The shared wait comes last so that a grant from it, which counts
// against every process, is used at once rather than after a local wait.
//
// The host is used as given; callers that want "example.com" and
// "example.com:443" to share a limit must normalise it first.
func (l *Limiter) Acquire(ctx context.Context, host string) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e := l.enter(host)
	if err := l.waitSlot(ctx, e); err != nil {
		l.leave(e, false)
		return nil, err
	}
	if err := l.waitPause(ctx, host, e); err != nil {
		l.leave(e, true)
		return nil, err
	}
	if err := l.waitToken(ctx, host, e); err != nil {
		l.leave(e, true)
		return nil, err
	}
	if err := l.waitShared(ctx, host, e); err != nil {
		l.leave(e, true)
		return nil, err
	}
	var done atomic.Bool
	return func() {
		if done.CompareAndSwap(false, true) {
			l.leave(e, true)
		}
	}, nil
}

// waitSlot takes one of e's concurrency slots, waiting while all are taken.
func (l *Limiter) waitSlot(ctx context.Context, e *hostEntry) error {
	if e.slots == nil {
		return nil
	}
	select {
	case e.slots <- struct{}{}:
		return nil
	default:
	}
	if l.onWait != nil {
		l.onWait()
	}
	select {
	case e.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitToken takes a token from e's bucket, waiting until it is due. It
// reserves through the same path as reserve, so the clock-driven tests and
// real waits share their arithmetic.
func (l *Limiter) waitToken(ctx context.Context, host string, e *hostEntry) error {
	now := l.now()
	r := e.tokens.ReserveN(now, 1)
	if !r.OK() {
		// Cannot happen: burst is at least 1 and reservations are unbounded.
		return fmt.Errorf("ratelimit: reserve token for %s: burst exceeded", host)
	}
	delay := l.jitter(r.DelayFrom(now))
	if delay <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && now.Add(delay).After(dl) {
		r.CancelAt(now)
		return fmt.Errorf("ratelimit: wait %v for %s would pass the deadline: %w", delay, host, context.DeadlineExceeded)
	}
	if l.onWait != nil {
		l.onWait()
	}
	if err := sleep.Sleep(ctx, delay); err != nil {
		// Give the token back so the next request does not wait for it.
		r.CancelAt(l.now())
		return err
	}
	return nil
}

// reserve takes a token for host at instant t without waiting and returns how
// long after t the request may start. It is the clock-injected twin of
// waitToken, used by tests to check the arithmetic at fixed instants.
func (l *Limiter) reserve(host string, t time.Time) time.Duration {
	e := l.enter(host)
	defer l.leave(e, false)
	return l.jitter(e.tokens.ReserveN(t, 1).DelayFrom(t))
}

// SetRate changes the rate of host's token bucket to r requests per second,
// creating the entry if needed. A zero, negative or infinite r removes the
// rate limit. It is the hook for adaptive throttling (slowing down after 429
// or 503 responses) and for robots.txt Crawl-delay.
//
// The change lasts as long as the entry: once host has been idle long enough
// to be evicted, it starts again from Options.Rate, so callers that derive a
// rate from robots.txt should apply it again when they next fetch the host.
func (l *Limiter) SetRate(host string, r rate.Limit) {
	if r <= 0 {
		r = rate.Inf
	}
	e := l.enter(host)
	e.tokens.SetLimitAt(l.now(), r)
	l.leave(e, false)
}

// Rate reports the current rate of host's token bucket: the value given to
// SetRate, or Options.Rate (rate.Inf when unlimited) for hosts without an
// override or without an entry.
func (l *Limiter) Rate(host string) rate.Limit {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.hosts[host]; ok {
		return e.tokens.Limit()
	}
	return l.limit
}

// enter returns host's entry, creating it if needed, and marks it in use so
// it cannot be evicted until the matching leave. It also runs the lazy sweep
// of idle entries.
func (l *Limiter) enter(host string) *hostEntry {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= l.idle {
		l.sweep(now)
	}
	e, ok := l.hosts[host]
	if !ok {
		e = &hostEntry{tokens: rate.NewLimiter(l.limit, l.burst)}
		if l.perHost > 0 {
			e.slots = make(chan struct{}, l.perHost)
		}
		l.hosts[host] = e
	}
	e.users++
	e.lastUsed = now
	return e
}

// leave undoes enter, first freeing the concurrency slot if held.
func (l *Limiter) leave(e *hostEntry, holdsSlot bool) {
	if holdsSlot && e.slots != nil {
		<-e.slots
	}
	now := l.now()
	l.mu.Lock()
	e.users--
	e.lastUsed = now
	l.mu.Unlock()
}

// sweep deletes the entries that nobody uses, that have been idle for at
// least l.idle and whose bucket is full again, so that a new entry for the
// same host would behave exactly like the old one. It costs one pass over
// the map per idle period. l.mu must be held.
func (l *Limiter) sweep(now time.Time) {
	l.lastSweep = now
	for host, e := range l.hosts {
		if e.users > 0 || now.Sub(e.lastUsed) < l.idle || !e.adapt.idle(now) {
			continue
		}
		if e.tokens.Limit() != rate.Inf && e.tokens.TokensAt(now) < float64(e.tokens.Burst()) {
			continue
		}
		delete(l.hosts, host)
	}
}

// entries reports the number of host entries; for tests.
func (l *Limiter) entries() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.hosts)
}

// inFlight reports how many slots of host are held; for tests.
func (l *Limiter) inFlight(host string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.hosts[host]; ok {
		return len(e.slots)
	}
	return 0
}
