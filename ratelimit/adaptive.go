package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/crawl-go/crawl/internal/retryafter"
	"github.com/crawl-go/crawl/internal/sleep"
	"golang.org/x/time/rate"
)

// ErrHostUnreachable is returned by Acquire for a host whose circuit
// breaker opened Options.BreakerTrips times in a row: its requests fail at
// once instead of tying up workers.
var ErrHostUnreachable = errors.New("host unreachable")

// Adaptive throttling constants. Observe describes how they are used.
const (
	// InitialCut is the highest rate a host is left at when its overload
	// is host-wide, and the lowest that the first cut of a host without a
	// rate limit sets.
	InitialCut rate.Limit = 4
	// MinRate is the slowest a host is cut to: one request every 10 s.
	MinRate rate.Limit = 0.1
	// RecoverFactor multiplies a cut host's rate at each recovery step.
	RecoverFactor = 2
	// RecoverAfter is how many successes earn a recovery step; a single
	// success earns one after a quiet window.
	RecoverAfter = 4
	// hostWideAnswers is how many of a host's latest first answers
	// decide whether its overload is host-wide; answerLog holds them in
	// a uint16.
	hostWideAnswers = 16
	// hostWideURLs is how many of those answers, from as many URLs, must
	// be 429 or 503 for the overload to be host-wide; half of the answers
	// must be, too.
	hostWideURLs = 3
	// offendersPerHost bounds how many URLs that answered 429 or 503 are
	// remembered per host, so that their retries do not count again.
	offendersPerHost = 32
	// offenderMemory is how long such a URL is remembered at least (four
	// times Options.MaxPause when that is longer): long enough to cover
	// the fetcher's retries, which each wait at most MaxPause.
	offenderMemory = 2 * time.Minute
	// uncapped is how fast, at least, a host whose configured rate is
	// unlimited must be going again before its limit is lifted.
	uncapped rate.Limit = 16
)

type adaptOptions struct {
	on        bool
	maxPause  time.Duration
	memory    time.Duration // how long an offending URL is remembered
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
	a.memory = max(offenderMemory, 4*a.maxPause)
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
	cutWide     bool       // the latest cut answered host-wide overload
	lastCut     time.Time  // when the rate was last cut
	cutFrom     rate.Limit // the rate before that cut, or as measured
	lastChange  time.Time  // when the rate was last cut or raised
	lastSignal  time.Time  // when the latest sign of overload came
	lastOK      time.Time  // when the latest success came
	okCount     int        // successes since lastChange and lastSignal
	answers     answerLog  // the latest first answers
	offenders   offenders  // URLs that answered 429 or 503 lately
	meter       meter      // answers per second
	failStreak  int        // connection failures in a row
	trips       int        // breaker openings without a success in between
	dead        bool       // given up: ErrHostUnreachable
	pausedUntil time.Time  // no request starts before
	ceiling     rate.Limit // the host's own maximum (Crawl-delay); 0 if none
}

// idle reports whether the state holds nothing worth keeping, so the
// entry may be evicted. The offenders and the answer log may go: a retry
// that then counts again costs at most one cut.
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
	// URL identifies the resource asked for, so that the retries of one
	// URL count as one answer; Transport sets it for 429 and 503 answers.
	// Empty, every 429 or 503 counts as a URL's first.
	URL        string
	Status     int           // HTTP status, 0 when there was no response
	ConnError  bool          // no response: refused, reset, timed out
	RetryAfter time.Duration // the response's Retry-After, 0 if none
}

// Observe tells the limiter how a request to host went; Transport calls
// it for every round trip. Without Options.Adaptive it does nothing. With
// it, the limiter answers a host's overload, not a few bad URLs; a 429 or
// 503 is an overload answer, any other response a success:
//
//   - A URL's first overload answer is a sign of overload. The host
//     remembers the URLs that gave one, at most 32 of them (the least
//     recent is forgotten first), for 2 minutes or four times MaxPause,
//     whichever is longer, after their latest such answer. Their further
//     overload answers (the fetcher's retries) are no sign, neither cut
//     the rate nor hold back its recovery, unless the overload is
//     host-wide and the host has given no success since the last cut.
//   - The overload is host-wide when at least 3 of the host's latest 16
//     first answers (a URL's first overload answer, or a success) are
//     overload answers, and at least half of them are.
//   - A sign of overload halves the host's rate, at most once per window:
//     one request interval at the current rate, or a second, whichever is
//     longer; the answers within it mostly answer requests sent before the
//     cut, as the losses within one round trip do for TCP. A host without
//     a rate limit is cut to half the rate of answers it gave over the
//     last second, but not below InitialCut. When the overload is
//     host-wide, the rate is cut to InitialCut at most, even within the
//     window of a cut that was not. The rate never falls below MinRate.
//   - Retry-After pauses the whole host, for at most Options.MaxPause,
//     only when it comes with a sign of overload that is host-wide. A URL
//     that fails alone is left to its own retries (the fetcher honours
//     Retry-After for them) while the rest of the host goes on.
//   - RecoverAfter successes, or a single success after a window without
//     a sign of overload (and without a change of rate), multiply a cut
//     rate by RecoverFactor, up to Options.Rate or the host's SetMaxRate
//     ceiling. When Rate is unlimited, the limit is lifted once the rate
//     is back to twice the one it was last cut from and at least 16
//     requests/s.
//   - Options.BreakerThreshold connection failures in a row open the
//     host's breaker: it is paused for BreakerCooldown, doubled at each
//     opening that follows without a response in between, and after
//     BreakerTrips openings it is given up (Acquire returns
//     ErrHostUnreachable). Connection failures neither cut the rate nor
//     count as successes.
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
	a.meter.add(now)
	switch {
	case o.ConnError:
		a.okCount = 0
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
		a.failStreak, a.trips = 0, 0
		first := !a.offenders.seen(o.URL, now, l.adapt.memory)
		if first {
			a.answers.add(true)
		}
		// A retry says nothing new about its URL; it counts only when
		// the host is overloaded as a whole and has answered nothing
		// else since the last cut, and then only down to InitialCut:
		// when a crawl's last URLs are a few broken ones, their retries
		// are all that is left, and they must not slow the crawl's end
		// to MinRate. URLs answering for the first time cut further.
		if !first && (!a.answers.hostWide() || a.lastOK.After(a.lastCut)) {
			return
		}
		floor := MinRate
		if !first {
			floor = InitialCut
		}
		a.okCount, a.lastSignal = 0, now
		l.cut(e, now, floor)
		if o.RetryAfter > 0 && a.answers.hostWide() {
			until := now.Add(min(o.RetryAfter, l.adapt.maxPause))
			if until.After(a.pausedUntil) {
				a.pausedUntil = until
			}
		}
	default:
		a.failStreak, a.trips, a.lastOK = 0, 0, now
		a.answers.add(false)
		l.raise(e, now)
	}
}

// cut lowers the host's rate after a sign of overload, if the window
// allows, to no less than floor (nor MinRate). l.mu must be held.
func (l *Limiter) cut(e *hostEntry, now time.Time, floor rate.Limit) {
	a := &e.adapt
	wide := a.answers.hostWide()
	cur := e.tokens.Limit()
	from := cur
	if cur == rate.Inf {
		from = a.meter.rate(now)
	}
	var next rate.Limit
	switch {
	case cur <= floor:
		return
	case now.Sub(a.lastCut) >= window(cur):
		next = max(from/2, floor, MinRate)
		if cur == rate.Inf {
			next = max(next, InitialCut)
		}
		if wide {
			next = min(next, InitialCut)
		}
	case wide && !a.cutWide:
		next = min(cur, InitialCut)
	default:
		return
	}
	e.tokens.SetLimitAt(now, min(max(next, MinRate), cur))
	a.cut, a.cutWide, a.cutFrom, a.lastCut, a.lastChange = true, wide, from, now, now
}

// raise counts a success towards raising a cut host's rate. l.mu must
// be held.
func (l *Limiter) raise(e *hostEntry, now time.Time) {
	a := &e.adapt
	if !a.cut {
		return
	}
	a.okCount++
	cur := e.tokens.Limit()
	quiet := now.Sub(a.lastChange) >= window(cur) && now.Sub(a.lastSignal) >= window(cur)
	if a.okCount < RecoverAfter && !quiet {
		return
	}
	a.okCount, a.lastChange = 0, now
	next, target := cur*RecoverFactor, l.target(a)
	if next >= target || (target == rate.Inf && next >= max(uncapped, 2*a.cutFrom)) {
		next, a.cut, a.cutWide = target, false, false
	}
	e.tokens.SetLimitAt(now, next)
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
	return sleep.Sleep(ctx, d)
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

// outcome builds the Outcome of a round trip for req.
func outcome(req *http.Request, resp *http.Response, err error, now time.Time) Outcome {
	if err != nil {
		// Cancellation by the caller says nothing about the host.
		return Outcome{ConnError: !errors.Is(err, context.Canceled)}
	}
	o := Outcome{Status: resp.StatusCode}
	if o.Status == http.StatusTooManyRequests || o.Status == http.StatusServiceUnavailable {
		o.URL = req.URL.String()
	}
	if d, ok := retryafter.Parse(resp.Header.Get("Retry-After"), now); ok {
		o.RetryAfter = d
	}
	return o
}
