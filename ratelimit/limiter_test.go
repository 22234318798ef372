package ratelimit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// fakeClock is a settable clock for Limiter.now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// newTestLimiter returns a Limiter driven by a fake clock.
func newTestLimiter(opts Options) (*Limiter, *fakeClock) {
	clk := newFakeClock()
	l := New(opts)
	l.now = clk.Now
	return l, clk
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestReserveDelays(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		at   []time.Duration // instants of the requests, from t0
		want []time.Duration // delay of each request after its instant
	}{
		{
			name: "rate 2 burst 1 same instant",
			opts: Options{Rate: 2, Burst: 1},
			at:   make([]time.Duration, 10),
			// The 10th request starts 4.5s after the first.
			want: []time.Duration{0, ms(500), ms(1000), ms(1500), ms(2000), ms(2500), ms(3000), ms(3500), ms(4000), ms(4500)},
		},
		{
			name: "burst below 1 means 1",
			opts: Options{Rate: 2, Burst: 0},
			at:   []time.Duration{0, 0},
			want: []time.Duration{0, ms(500)},
		},
		{
			name: "rate 4 burst 3",
			opts: Options{Rate: 4, Burst: 3},
			at:   make([]time.Duration, 6),
			want: []time.Duration{0, 0, 0, ms(250), ms(500), ms(750)},
		},
		{
			name: "spaced at the rate never waits",
			opts: Options{Rate: 2, Burst: 1},
			at:   []time.Duration{0, ms(500), ms(1000), ms(1500)},
			want: []time.Duration{0, 0, 0, 0},
		},
		{
			name: "partly refilled",
			opts: Options{Rate: 2, Burst: 1},
			at:   []time.Duration{0, ms(250), ms(250)},
			want: []time.Duration{0, ms(250), ms(750)},
		},
		{
			name: "unlimited",
			opts: Options{},
			at:   make([]time.Duration, 5),
			want: make([]time.Duration, 5),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, clk := newTestLimiter(tt.opts)
			t0 := clk.Now()
			for i, at := range tt.at {
				if got := l.reserve("example.com", t0.Add(at)); got != tt.want[i] {
					t.Errorf("request %d at +%v: delay %v, want %v", i, at, got, tt.want[i])
				}
			}
			// Another host has its own bucket.
			if got := l.reserve("other.example", t0); got != 0 {
				t.Errorf("other host: delay %v, want 0", got)
			}
		})
	}
}

func TestSetRate(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		set      rate.Limit
		wantRate rate.Limit
		want     time.Duration // delay of a second request at the same instant
	}{
		{name: "slow down", opts: Options{Rate: 2}, set: 0.5, wantRate: 0.5, want: 2 * time.Second},
		{name: "speed up", opts: Options{Rate: 2}, set: 4, wantRate: 4, want: ms(250)},
		{name: "from unlimited", opts: Options{}, set: 1, wantRate: 1, want: time.Second},
		{name: "zero removes the limit", opts: Options{Rate: 2}, set: 0, wantRate: rate.Inf, want: 0},
		{name: "inf removes the limit", opts: Options{Rate: 2}, set: rate.Inf, wantRate: rate.Inf, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, clk := newTestLimiter(tt.opts)
			l.SetRate("a.example", tt.set)
			if got := l.Rate("a.example"); got != tt.wantRate {
				t.Errorf("Rate(a) = %v, want %v", got, tt.wantRate)
			}
			if got, want := l.Rate("b.example"), toLimit(tt.opts.Rate); got != want {
				t.Errorf("Rate(b) = %v, want the default %v", got, want)
			}
			now := clk.Now()
			if got := l.reserve("a.example", now); got != 0 {
				t.Errorf("first request: delay %v, want 0", got)
			}
			if got := l.reserve("a.example", now); got != tt.want {
				t.Errorf("second request: delay %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEviction(t *testing.T) {
	ctx := context.Background()
	acquireRelease := func(t *testing.T, l *Limiter, host string) {
		t.Helper()
		release, err := l.Acquire(ctx, host)
		if err != nil {
			t.Fatalf("Acquire(%s): %v", host, err)
		}
		release()
	}

	t.Run("idle entries go", func(t *testing.T) {
		l, clk := newTestLimiter(Options{Rate: 100, PerHost: 2})
		acquireRelease(t, l, "a")
		acquireRelease(t, l, "b")
		clk.Advance(30 * time.Second)
		acquireRelease(t, l, "c")
		if n := l.entries(); n != 3 {
			t.Fatalf("entries = %d, want 3", n)
		}
		clk.Advance(31 * time.Second) // a and b idle 61s, c idle 31s
		acquireRelease(t, l, "d")
		if n := l.entries(); n != 2 {
			t.Fatalf("entries after sweep = %d, want 2 (c and d)", n)
		}
	})

	t.Run("held entries stay", func(t *testing.T) {
		l, clk := newTestLimiter(Options{PerHost: 1})
		release, err := l.Acquire(ctx, "held")
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(5 * time.Minute)
		acquireRelease(t, l, "other")
		if n := l.entries(); n != 2 {
			t.Fatalf("entries = %d, want 2", n)
		}
		if n := l.inFlight("held"); n != 1 {
			t.Fatalf("held slots = %d, want 1", n)
		}
		release()
		clk.Advance(5 * time.Minute)
		acquireRelease(t, l, "other")
		if n := l.entries(); n != 1 {
			t.Fatalf("entries after release = %d, want 1", n)
		}
	})

	t.Run("empty buckets stay", func(t *testing.T) {
		// One request per 2 minutes: after 61s idle the bucket is half
		// full, and forgetting it would allow a request too early.
		l, clk := newTestLimiter(Options{Rate: 1.0 / 120})
		acquireRelease(t, l, "slow")
		clk.Advance(61 * time.Second)
		acquireRelease(t, l, "other")
		if n := l.entries(); n != 2 {
			t.Fatalf("entries = %d, want 2", n)
		}
		if got, want := l.reserve("slow", clk.Now()), 59*time.Second; got != want {
			t.Fatalf("delay after 61s = %v, want %v", got, want)
		}
	})

	t.Run("custom idle timeout", func(t *testing.T) {
		l, clk := newTestLimiter(Options{IdleTimeout: time.Second})
		acquireRelease(t, l, "a")
		clk.Advance(time.Second)
		acquireRelease(t, l, "b")
		if n := l.entries(); n != 1 {
			t.Fatalf("entries = %d, want 1", n)
		}
	})
}

func TestAcquireCancel(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{name: "waiting for a slot", opts: Options{PerHost: 1}},
		{name: "waiting for a token", opts: Options{Rate: 1.0 / 3600, Burst: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(tt.opts)
			waiting := make(chan struct{})
			l.onWait = func() { close(waiting) }

			first, err := l.Acquire(context.Background(), "h")
			if err != nil {
				t.Fatal(err)
			}
			defer first()

			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				release, err := l.Acquire(ctx, "h")
				if release != nil {
					release()
					err = errors.New("second Acquire succeeded")
				}
				errc <- err
			}()
			<-waiting
			cancel()
			if err := <-errc; err != context.Canceled {
				t.Fatalf("Acquire = %v, want ctx.Err() %v", err, context.Canceled)
			}
			first()
			if n := l.inFlight("h"); n != 0 {
				t.Fatalf("slots held after cancel and release = %d, want 0", n)
			}
		})
	}
}

func TestAcquireDeadlineTooSoon(t *testing.T) {
	l := New(Options{Rate: 1.0 / 86400})
	first, err := l.Acquire(context.Background(), "h")
	if err != nil {
		t.Fatal(err)
	}
	defer first()
	// The next token is a day away: Acquire must fail now, not in an hour.
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	release, err := l.Acquire(ctx, "h")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire = %v, want an error wrapping context.DeadlineExceeded", err)
	}
	if release != nil {
		t.Fatal("release is not nil on error")
	}
}

func TestAcquireDone(t *testing.T) {
	l := New(Options{PerHost: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Acquire(ctx, "h"); err != context.Canceled {
		t.Fatalf("Acquire with a cancelled context = %v, want %v", err, context.Canceled)
	}
	if n := l.inFlight("h"); n != 0 {
		t.Fatalf("slots held = %d, want 0", n)
	}
}

func TestReleaseIdempotent(t *testing.T) {
	l := New(Options{PerHost: 1})
	for i := range 3 {
		release, err := l.Acquire(context.Background(), "h")
		if err != nil {
			t.Fatalf("Acquire %d: %v", i, err)
		}
		if n := l.inFlight("h"); n != 1 {
			t.Fatalf("Acquire %d: slots held = %d, want 1", i, n)
		}
		release()
		release() // must not free a slot held by someone else
		if n := l.inFlight("h"); n != 0 {
			t.Fatalf("Acquire %d: slots held after release = %d, want 0", i, n)
		}
	}
}

func TestAcquireConcurrentCap(t *testing.T) {
	const perHost, workers = 3, 16
	l := New(Options{PerHost: perHost})
	var (
		mu        sync.Mutex
		cur, peak int
		wg        sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for range 50 {
				release, err := l.Acquire(context.Background(), "h")
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				cur++
				peak = max(peak, cur)
				mu.Unlock()
				mu.Lock()
				cur--
				mu.Unlock()
				release()
			}
		})
	}
	wg.Wait()
	if peak > perHost {
		t.Fatalf("peak concurrency %d, want at most %d", peak, perHost)
	}
}
