package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// pausedFor reports how long host stays paused after the clock's now.
func pausedFor(l *Limiter, host string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.hosts[host]
	if e == nil {
		return 0
	}
	return max(e.adapt.pausedUntil.Sub(l.now()), 0)
}

func TestAdaptiveRate(t *testing.T) {
	tests := []struct {
		name     string
		rate     float64
		outcomes []Outcome
		want     rate.Limit
		paused   time.Duration
	}{
		{"429 on an unlimited host", 0, []Outcome{{Status: 429}}, InitialCut, 0},
		{"halved at each 503", 0, []Outcome{{Status: 503}, {Status: 503}, {Status: 429}}, InitialCut / 4, 0},
		{"never below the minimum", 0, repeat(Outcome{Status: 429}, 20), MinRate, 0},
		{"a configured rate is halved", 10, []Outcome{{Status: 429}}, 5, 0},
		{"Retry-After pauses the host", 0, []Outcome{{Status: 429, RetryAfter: 2 * time.Second}}, InitialCut, 2 * time.Second},
		{"Retry-After capped", 0, []Outcome{{Status: 503, RetryAfter: time.Hour}}, InitialCut, 30 * time.Second},
		{"additive increase", 10, append([]Outcome{{Status: 429}}, repeat(Outcome{Status: 200}, 2*RecoverAfter)...), 6, 0},
		{"back to the configured rate", 10, append([]Outcome{{Status: 429}}, repeat(Outcome{Status: 200}, 100*RecoverAfter)...), 10, 0},
		{"back to unlimited", 0, append([]Outcome{{Status: 429}}, repeat(Outcome{Status: 200}, 100*RecoverAfter)...), rate.Inf, 0},
		{"other errors are not cuts", 10, []Outcome{{Status: 500}, {Status: 404}}, 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, _ := newTestLimiter(Options{Rate: tt.rate, Adaptive: true})
			for _, o := range tt.outcomes {
				l.Observe("h", o)
			}
			if got := l.Rate("h"); got != tt.want {
				t.Errorf("rate = %v; want %v", got, tt.want)
			}
			if got := pausedFor(l, "h"); got != tt.paused {
				t.Errorf("paused for %v; want %v", got, tt.paused)
			}
		})
	}
}

func repeat(o Outcome, n int) []Outcome {
	out := make([]Outcome, n)
	for i := range out {
		out[i] = o
	}
	return out
}

func TestNotAdaptive(t *testing.T) {
	l, _ := newTestLimiter(Options{Rate: 10})
	l.Observe("h", Outcome{Status: 429, RetryAfter: time.Minute})
	if l.Rate("h") != 10 || pausedFor(l, "h") != 0 {
		t.Errorf("without Adaptive a 429 changed the rate to %v or paused the host", l.Rate("h"))
	}
}

func TestBreaker(t *testing.T) {
	l, clk := newTestLimiter(Options{Adaptive: true, BreakerThreshold: 3, BreakerCooldown: time.Second, BreakerTrips: 2})
	fail := func(n int) {
		for range n {
			l.Observe("h", Outcome{ConnError: true})
		}
	}
	fail(2)
	if pausedFor(l, "h") != 0 {
		t.Fatal("paused before the threshold")
	}
	fail(1)
	if got := pausedFor(l, "h"); got != time.Second {
		t.Fatalf("first opening: paused %v; want 1s", got)
	}
	clk.Advance(time.Second)
	fail(3)
	if got := pausedFor(l, "h"); got != 2*time.Second {
		t.Fatalf("second opening: paused %v; want 2s", got)
	}
	// A success closes the breaker and forgets the openings.
	l.Observe("h", Outcome{Status: 200})
	clk.Advance(2 * time.Second)
	fail(3)
	if got := pausedFor(l, "h"); got != time.Second {
		t.Fatalf("after a success: paused %v; want 1s again", got)
	}
	clk.Advance(time.Second)
	fail(3)
	clk.Advance(2 * time.Second)
	fail(3) // the third opening in a row: given up
	_, err := l.Acquire(context.Background(), "h")
	if !errors.Is(err, ErrHostUnreachable) {
		t.Fatalf("Acquire for a given-up host = %v; want ErrHostUnreachable", err)
	}
	if release, err := l.Acquire(context.Background(), "other"); err != nil {
		t.Fatalf("another host: %v", err)
	} else {
		release()
	}
}

func TestPauseBlocksAcquire(t *testing.T) {
	// A 429 with Retry-After, seen through the Transport, makes the next
	// request to that host wait: Acquire blocks until it is cancelled.
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	l := New(Options{Adaptive: true, MaxPause: time.Minute})
	waited := make(chan struct{}, 1)
	l.onWait = func() { waited <- struct{}{} }
	client := &http.Client{Transport: l.Transport(http.DefaultTransport)}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || l.Rate(srv.Listener.Addr().String()) != InitialCut {
		t.Fatalf("status %d, rate %v", resp.StatusCode, l.Rate(srv.Listener.Addr().String()))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := l.Acquire(ctx, srv.Listener.Addr().String())
		done <- err
	}()
	<-waited // blocked by the pause
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire during a pause = %v; want context.Canceled", err)
	}
	if n.Load() != 1 {
		t.Fatalf("%d requests reached the server during the pause", n.Load())
	}
}

func TestSetMaxRate(t *testing.T) {
	l, _ := newTestLimiter(Options{Adaptive: true})
	l.SetMaxRate("h", 0.5) // Crawl-delay: 2
	if got := l.Rate("h"); got != 0.5 {
		t.Fatalf("rate after SetMaxRate = %v; want 0.5", got)
	}
	l.Observe("h", Outcome{Status: 429})
	if got := l.Rate("h"); got != 0.25 {
		t.Fatalf("rate after a 429 = %v; want 0.25", got)
	}
	for range 100 * RecoverAfter {
		l.Observe("h", Outcome{Status: 200})
	}
	if got := l.Rate("h"); got != 0.5 {
		t.Fatalf("recovered rate = %v; want the Crawl-delay's 0.5", got)
	}
	l.SetMaxRate("h", 0.5) // again: no change
	if got := l.Rate("h"); got != 0.5 {
		t.Fatalf("rate = %v", got)
	}
	// Two seconds apart, measured with the limiter's clock.
	if d := l.reserve("h", time.Unix(100, 0)); d != 0 {
		t.Fatalf("first request waits %v", d)
	}
	if d := l.reserve("h", time.Unix(100, 0)); d != 2*time.Second {
		t.Fatalf("second request waits %v; want 2s", d)
	}
}
