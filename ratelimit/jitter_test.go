package ratelimit

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// seq returns a Rand that gives vs in turn, then repeats the last.
func seq(vs ...float64) func() float64 {
	var mu sync.Mutex
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		v := vs[0]
		if len(vs) > 1 {
			vs = vs[1:]
		}
		return v
	}
}

func TestRandomWaitScalesWaits(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []time.Duration // the waits of 4 requests at one instant
	}{
		{"off", Options{Rate: 1, Rand: seq(0)}, []time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second}},
		{"factors 0.5, 1.5, 1", Options{Rate: 1, RandomWait: true, Rand: seq(0, 0.999999999, 0.5)},
			// The first request finds a token and does not wait; the
			// others' waits of 1, 2 and 3 s are scaled.
			[]time.Duration{0, 500 * time.Millisecond, 2999999998 * time.Nanosecond, 3 * time.Second}},
		{"no rate, nothing to scale", Options{RandomWait: true, Rand: seq(0.9)}, []time.Duration{0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, clk := newTestLimiter(tt.opts)
			for i, want := range tt.want {
				if got := l.reserve("h", clk.Now()); got != want {
					t.Errorf("request %d waits %v; want %v", i+1, got, want)
				}
			}
		})
	}
}

// TestRandomWaitKeepsTheRate runs one worker that starts each request as
// soon as its wait is over: the intervals vary between half and one and a
// half times -w, and average it.
func TestRandomWaitKeepsTheRate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var mu sync.Mutex
	l, clk := newTestLimiter(Options{Rate: 1, RandomWait: true, Rand: func() float64 {
		mu.Lock()
		defer mu.Unlock()
		return r.Float64()
	}})
	const n = 400
	start := clk.Now()
	lo, hi := time.Hour, time.Duration(0)
	for i := range n {
		d := l.reserve("h", clk.Now())
		clk.Advance(d)
		if i > 1 {
			lo, hi = min(lo, d), max(hi, d)
		}
	}
	elapsed := clk.Now().Sub(start)
	// The last request is due at n-1 seconds; jitter moves it by at
	// most half a wait of at most 2 s.
	if want := time.Duration(n-1) * time.Second; elapsed < want-time.Second || elapsed > want+time.Second {
		t.Errorf("%d requests took %v; want about %v", n, elapsed, want)
	}
	if lo >= 700*time.Millisecond || hi <= 1300*time.Millisecond {
		t.Errorf("waits between %v and %v; want them spread between 0.5 s and 1.5 s and more", lo, hi)
	}
}
