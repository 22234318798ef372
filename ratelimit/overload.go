package ratelimit

import (
	"math/bits"
	"time"

	"golang.org/x/time/rate"
)

// This file holds what the adaptive throttle remembers of a host's recent
// answers, to tell a host-wide overload from a few bad URLs: the log of
// first answers, the URLs that refused recently, and the rate the host
// was answering at.

// answerLog holds the verdicts of a host's latest hostWideAnswers first
// answers: a bit set for a URL's first 429 or 503, clear for a success.
type answerLog struct {
	bits uint16 // the latest in bit 0
	n    int
}

func (g *answerLog) add(overload bool) {
	g.bits <<= 1
	if overload {
		g.bits |= 1
	}
	g.n = min(g.n+1, hostWideAnswers)
}

// hostWide reports whether the log shows host-wide overload: at least
// hostWideURLs overload answers, and at least half of the answers.
func (g *answerLog) hostWide() bool {
	k := bits.OnesCount16(g.bits)
	return k >= hostWideURLs && 2*k >= g.n
}

// offenders remembers when URLs of a host last answered 429 or 503, at
// most offendersPerHost of them; the least recent is forgotten first.
type offenders map[string]time.Time

// seen records that url answered 429 or 503 at now and reports whether it
// had already, less than memory ago. An empty url is never known.
func (o *offenders) seen(url string, now time.Time, memory time.Duration) bool {
	if url == "" {
		return false
	}
	if *o == nil {
		*o = make(offenders)
	}
	last, ok := (*o)[url]
	known := ok && now.Sub(last) < memory
	if !ok && len(*o) >= offendersPerHost {
		oldest := ""
		for u, t := range *o {
			// Ties go to the smaller URL, so the choice does not depend
			// on the map's order.
			if o0 := (*o)[oldest]; oldest == "" || t.Before(o0) || t.Equal(o0) && u < oldest {
				oldest = u
			}
		}
		delete(*o, oldest)
	}
	(*o)[url] = now
	return known
}

// meter estimates how many answers a host gives per second: the count of
// the current second plus the part of the previous second's count that
// still lies within the last second. It errs low at the start, which is
// on the polite side.
type meter struct {
	start     time.Time
	cur, prev int
}

func (m *meter) roll(now time.Time) {
	switch el := now.Sub(m.start); {
	case el < time.Second:
	case el < 2*time.Second:
		m.prev, m.cur, m.start = m.cur, 0, m.start.Add(time.Second)
	default:
		m.prev, m.cur, m.start = 0, 0, now
	}
}

func (m *meter) add(now time.Time) {
	m.roll(now)
	m.cur++
}

func (m *meter) rate(now time.Time) rate.Limit {
	m.roll(now)
	frac := min(max(float64(now.Sub(m.start))/float64(time.Second), 0), 1)
	return rate.Limit(float64(m.prev)*(1-frac) + float64(m.cur))
}

// window is how long after a cut the next may come, and how long a host
// must be quiet for a single success to raise its rate: one request
// interval at rate r, or a second, whichever is longer. Overload answers
// within a window mostly answer requests sent before the cut took effect,
// so they are one event, as losses within one round trip are to TCP.
func window(r rate.Limit) time.Duration {
	if r >= 1 {
		return time.Second
	}
	return time.Duration(float64(time.Second) / float64(r))
}
