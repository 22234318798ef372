package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/crawl-go/crawl/internal/retryafter"
	"golang.org/x/time/rate"
)

// ErrHostUnreachable is returned by Acquire for a host whose circuit
// breaker opened Options.BreakerTrips times in a row: its requests fail at
// once instead of tying up workers.
var ErrHostUnreachable = errors.New("host unreachable")

// Adaptive throttling constants.
const (
	// InitialCut is the rate a host without a rate limit gets at its
	// first 429 or 503.
	InitialCut rate.Limit = 4
	// MinRate is the slowest a host is cut to: one request every 10 s.
	MinRate rate.Limit = 0.1
	// RateStep is added to a cut host's rate after RecoverAfter
	// successes in a row.
	RateStep rate.Limit = 0.5
	// RecoverAfter is how many successes in a row earn a RateStep.
	RecoverAfter = 10
	// uncapped is how fast a host whose configured rate is unlimited must
	// be going again before its limit is lifted.
	uncapped rate.Limit = 16
)

type adaptOptions struct {
	on        bool
	maxPause  time.Duration
	threshold int
	cooldown  time.Duration
	trips     int
}

func newAdaptOptions(o Options) adaptOptions {
	a := adaptOptions{on: o.Adaptive, maxPause: o.MaxPause, threshold: o.BreakerThreshold,
		cooldown: o.BreakerCooldown, trips: o.BreakerTrips}
	if a.maxPause <= 0 {
		a.maxPause = 30 * time.Second
	}
	if a.threshold <= 0 {
		a.threshold = 5
	}
	if a.cooldown <= 0 {
		a.cooldown = 10 * time.Second
	}
	if a.trips <= 0 {
		a.trips = 3
	}
	return a
}

// adaptState is what the adaptive throttle and the breaker remember of a
// host.
type adaptState struct {
	cut         bool       // the rate was lowered below the configured one
	okStreak    int        // successes in a row
	failStreak  int        // connection failures in a row
	trips       int        // breaker openings without a success in between
	dead        bool       // given up: ErrHostUnreachable
	pausedUntil time.Time  // no request starts before
	ceiling     rate.Limit // the host's own maximum (Crawl-delay); 0 if none
}

// idle reports whether the state holds nothing worth keeping, so the
// entry may be evicted.
func (a *adaptState) idle(now time.Time) bool {
	return !a.cut && a.trips == 0 && !a.dead && !a.pausedUntil.After(now) && a.ceiling == 0
}

// SetMaxRate caps host's rate at r requests per second (robots.txt's
// Crawl-delay of d seconds is 1/d): the rate is lowered to r at once if it
// is faster, and adaptive recovery never raises it above r. Calling it
// again with the same r changes nothing, so the crawl can apply a host's
// Crawl-delay at every request. r <= 0 removes the cap.
func (l *Limiter) SetMaxRate(host string, r rate.Limit) {
	e := l.enter(host)
	defer l.leave(e, false)
	l.mu.Lock()
	defer l.mu.Unlock()
	if r <= 0 {
		e.adapt.ceiling = 0
		return
	}
	e.adapt.ceiling = r
	if e.tokens.Limit() > r {
		e.tokens.SetLimitAt(l.now(), r)
	}
}

// target is the rate a host recovers to: the configured rate, or its
// ceiling when lower.
func (l *Limiter) target(a *adaptState) rate.Limit {
	if a.ceiling > 0 && a.ceiling < l.limit {
		return a.ceiling
	}
	return l.limit
}

// Outcome is what became of a request, for Observe.
type Outcome struct {
	Status     int           // HTTP status, 0 when there was no response
	ConnError  bool          // no response: refused, reset, timed out
	RetryAfter time.Duration // the response's Retry-After, 0 if none
}

// Observe tells the limiter how a request to host went; Transport calls
// it for every round trip. With Options.Adaptive:
//
//   - a 429 or 503 halves the host's rate (or sets it to InitialCut if it
//     had none), never below MinRate, and pauses the host for its
//     Retry-After, at most Options.MaxPause;
//   - RecoverAfter other responses in a row raise a cut rate by RateStep,
//     up to Options.Rate (when Rate is unlimited, the limit is lifted once
//     the host is back at 16 requests/s);
//   - Options.BreakerThreshold connection failures in a row open the
//     host's breaker: it is paused for BreakerCooldown, doubled at each
//     opening that follows without a success, and after BreakerTrips
//     openings it is given up (Acquire returns ErrHostUnreachable).
//
// Without Adaptive it does nothing.
func (l *Limiter) Observe(host string, o Outcome) {
	if !l.adapt.on {
		return
	}
	e := l.enter(host)
	defer l.leave(e, false)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	a := &e.adapt
	switch {
	case o.ConnError:
		a.okStreak = 0
		a.failStreak++
		if a.failStreak >= l.adapt.threshold {
			a.failStreak = 0
			a.trips++
			if a.trips > l.adapt.trips {
				a.dead = true
				return
			}
			a.pausedUntil = now.Add(l.adapt.cooldown << (a.trips - 1))
		}
	case o.Status == http.StatusTooManyRequests || o.Status == http.StatusServiceUnavailable:
		a.okStreak, a.failStreak, a.trips = 0, 0, 0
		cur := e.tokens.Limit()
		next := InitialCut
		if cur != rate.Inf {
			next = max(cur/2, MinRate)
		}
		e.tokens.SetLimitAt(now, min(next, cur))
		a.cut = true
		if o.RetryAfter > 0 {
			until := now.Add(min(o.RetryAfter, l.adapt.maxPause))
			if until.After(a.pausedUntil) {
				a.pausedUntil = until
			}
		}
	default:
		a.failStreak, a.trips = 0, 0
		if !a.cut {
			return
		}
		if a.okStreak++; a.okStreak < RecoverAfter {
			return
		}
		a.okStreak = 0
		next, target := e.tokens.Limit()+RateStep, l.target(a)
		if next >= target || (target == rate.Inf && next >= uncapped) {
			next, a.cut = target, false
		}
		e.tokens.SetLimitAt(now, next)
	}
}

// waitPause waits until host's pause (after Retry-After, or while its
// breaker is open) is over, or fails at once when the host was given up.
func (l *Limiter) waitPause(ctx context.Context, host string, e *hostEntry) error {
	d, err := l.pauseLeft(host, e, l.now())
	if err != nil || d <= 0 {
		return err
	}
	if l.onWait != nil {
		l.onWait()
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

// pauseLeft reports how long after now host's pause lasts, or fails when
// the host was given up. It is the clock-injected half of waitPause, which
// the tests' simulations call at fixed instants.
func (l *Limiter) pauseLeft(host string, e *hostEntry, now time.Time) (time.Duration, error) {
	if !l.adapt.on {
		return 0, nil
	}
	l.mu.Lock()
	dead, until := e.adapt.dead, e.adapt.pausedUntil
	l.mu.Unlock()
	if dead {
		return 0, fmt.Errorf("ratelimit: %s: %w after %d breaker openings", host, ErrHostUnreachable, l.adapt.trips)
	}
	return until.Sub(now), nil
}

// outcome builds the Outcome of a round trip.
func outcome(resp *http.Response, err error, now time.Time) Outcome {
	if err != nil {
		// Cancellation by the caller says nothing about the host.
		return Outcome{ConnError: !errors.Is(err, context.Canceled)}
	}
	o := Outcome{Status: resp.StatusCode}
	if d, ok := retryafter.Parse(resp.Header.Get("Retry-After"), now); ok {
		o.RetryAfter = d
	}
	return o
}
