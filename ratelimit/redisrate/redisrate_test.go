package redisrate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crawl-go/crawl/internal/testredis"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// newClient returns a client of the test server, closed at the end of the
// test. Each client stands for one crawl process.
func newClient(t testing.TB) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(testredis.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// testPrefix returns a key prefix no other test uses, and deletes the keys
// under it at the end of the test.
func testPrefix(t testing.TB) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	prefix := "test:" + strings.ReplaceAll(t.Name(), "/", ".") + "-" + hex.EncodeToString(b[:]) + ":"
	c := newClient(t)
	t.Cleanup(func() {
		// Registered after the client's Close, so it runs before it.
		ctx := context.Background()
		keys, err := c.Keys(ctx, "rate:"+prefix+"*").Result()
		if err != nil {
			t.Error(err)
			return
		}
		if len(keys) > 0 {
			if err := c.Del(ctx, keys...).Err(); err != nil {
				t.Error(err)
			}
		}
	})
	return prefix
}

func TestLimit(t *testing.T) {
	tests := []struct {
		r      rate.Limit
		period time.Duration
		ok     bool
	}{
		{r: 20, period: 50 * time.Millisecond, ok: true},
		{r: 2, period: 500 * time.Millisecond, ok: true},
		{r: 3, period: 333333333, ok: true},
		{r: 0.1, period: 10 * time.Second, ok: true},
		{r: 1.0 / 120, period: 2 * time.Minute, ok: true},
		{r: 1e9, period: 1, ok: true},
		{r: 1e10, ok: false},
		{r: rate.Inf, ok: false},
	}
	l := New(nil, "p:").WithBurst(3)
	for _, tt := range tests {
		got, ok := l.limit(tt.r)
		if ok != tt.ok {
			t.Errorf("limit(%v): ok = %v, want %v", tt.r, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if got.Rate != 1 || got.Burst != 3 || got.Period != tt.period {
			t.Errorf("limit(%v) = %+v, want rate 1, burst 3, period %v", tt.r, got, tt.period)
		}
	}
}

func TestWithBurst(t *testing.T) {
	l := New(nil, "p:")
	if l.burst != 1 {
		t.Errorf("default burst = %d, want 1", l.burst)
	}
	if b := l.WithBurst(4); b.burst != 4 || l.burst != 1 {
		t.Errorf("WithBurst(4): burst %d, original %d; want 4 and 1", b.burst, l.burst)
	}
	if b := l.WithBurst(0); b.burst != 1 {
		t.Errorf("WithBurst(0): burst %d, want 1", b.burst)
	}
}

func TestWaitWithoutServer(t *testing.T) {
	// Nothing listens on port 1: every call to the server fails at once.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	defer c.Close()
	l := New(c, "p:")
	ctx := context.Background()
	tests := []struct {
		name    string
		r       rate.Limit
		wantErr string // prefix; "" for nil
	}{
		{name: "unlimited asks nothing", r: rate.Inf},
		{name: "too fast to limit", r: 1e10},
		{name: "zero", r: 0, wantErr: "redisrate: invalid rate"},
		{name: "negative", r: -1, wantErr: "redisrate: invalid rate"},
		{name: "NaN", r: rate.Limit(math.NaN()), wantErr: "redisrate: invalid rate"},
		{name: "redis error", r: 2, wantErr: "redisrate: rate limit of h: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := l.Wait(ctx, "h", tt.r)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Wait = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)):
				t.Fatalf("Wait = %v, want an error starting with %q", err, tt.wantErr)
			}
		})
	}
}

// grants calls Wait on l for host at rate r until it fails, which it does
// when ctx's deadline is near, and returns the number of grants.
func grants(t *testing.T, ctx context.Context, l *Limiter, host string, r rate.Limit) int {
	n := 0
	for {
		err := l.Wait(ctx, host, r)
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Wait: %v", err)
			}
			return n
		}
		n++
	}
}

// TestSharedRate runs three processes, two goroutines each, on one host for
// a second and checks that together they stay within the host's rate.
func TestSharedRate(t *testing.T) {
	t.Parallel()
	prefix := testPrefix(t)
	const (
		r         = 20
		processes = 3
		workers   = 2
	)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var (
		wg     sync.WaitGroup
		counts [processes]int
		mu     sync.Mutex
	)
	start := time.Now()
	for p := range processes {
		l := New(newClient(t), prefix)
		for range workers {
			wg.Go(func() {
				n := grants(t, ctx, l, "a.example", r)
				mu.Lock()
				counts[p] += n
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	total := 0
	for _, n := range counts {
		total += n
	}
	t.Logf("%d grants in %.3fs at %d/s; per process %v", total, elapsed, r, counts)
	// One grant at the start, then one per 1/r: a little slack for the
	// server's clock reading the start a little before ours.
	if limit := r*elapsed + 3; float64(total) > limit {
		t.Errorf("%d grants in %.3fs, want at most %.0f", total, elapsed, limit)
	}
	if floor := r * elapsed / 2; float64(total) < floor {
		t.Errorf("%d grants in %.3fs, want at least %.0f", total, elapsed, floor)
	}
}

// TestMixedRates has a process throttled to 5/s share a host with one at
// 20/s: the host never gets more than the faster rate, and the slow process
// gets turns.
func TestMixedRates(t *testing.T) {
	t.Parallel()
	prefix := testPrefix(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	fast, slow := New(newClient(t), prefix), New(newClient(t), prefix)
	var nFast, nSlow int
	var wg sync.WaitGroup
	start := time.Now()
	wg.Go(func() { nFast = grants(t, ctx, fast, "a.example", 20) })
	wg.Go(func() { nSlow = grants(t, ctx, slow, "a.example", 5) })
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	t.Logf("%d grants at 20/s and %d at 5/s in %.3fs", nFast, nSlow, elapsed)
	if limit := 20*elapsed + 3; float64(nFast+nSlow) > limit {
		t.Errorf("%d grants in %.3fs, want at most %.0f", nFast+nSlow, elapsed, limit)
	}
	if nSlow == 0 {
		t.Error("the slow process got no turn")
	}
}

func TestHostsDoNotShare(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	l := New(c, testPrefix(t))
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	// One request per minute: a second grant for a host within the
	// test would be a bug.
	const r = 1.0 / 60
	for _, host := range []string{"a.example", "b.example"} {
		if err := l.Wait(ctx, host, r); err != nil {
			t.Fatalf("first Wait(%s) = %v, want nil", host, err)
		}
	}
	if err := l.Wait(ctx, "a.example", r); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Wait(a.example) = %v, want an error wrapping context.DeadlineExceeded", err)
	}
	n, err := c.Exists(context.Background(), l.key("a.example"), l.key("b.example")).Result()
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("%d of the keys of a.example and b.example exist, want 2", n)
	}
}

func TestWaitCancel(t *testing.T) {
	t.Parallel()
	l := New(newClient(t), testPrefix(t))
	const r = 0.5 // the next turn is 2s after the first
	if err := l.Wait(context.Background(), "a.example", r); err != nil {
		t.Fatal(err)
	}

	t.Run("cancelled while waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		timer := time.AfterFunc(50*time.Millisecond, cancel)
		defer timer.Stop()
		start := time.Now()
		err := l.Wait(ctx, "a.example", r)
		if err != context.Canceled {
			t.Fatalf("Wait = %v, want ctx.Err() %v", err, context.Canceled)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Wait returned %v after the cancellation, want promptly", d)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := l.Wait(ctx, "a.example", r); err != context.Canceled {
			t.Fatalf("Wait = %v, want ctx.Err() %v", err, context.Canceled)
		}
	})
	t.Run("deadline before the turn", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := l.Wait(ctx, "a.example", r)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait = %v, want an error wrapping context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Wait failed after %v, want at once", d)
		}
	})
}

func TestFractionalRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		burst int
		n     int           // grants in a row
		min   time.Duration // from the first to the last, at least
	}{
		// 2/s: one every 500ms, so the third is 1s after the first.
		{name: "burst 1", burst: 1, n: 3, min: 900 * time.Millisecond},
		// Three at once, then the fourth 500ms later.
		{name: "burst 3", burst: 3, n: 4, min: 400 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := New(newClient(t), testPrefix(t)).WithBurst(tt.burst)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var first time.Time
			for i := range tt.n {
				if err := l.Wait(ctx, "a.example", 2); err != nil {
					t.Fatalf("Wait %d: %v", i, err)
				}
				if i == 0 {
					first = time.Now()
				}
			}
			d := time.Since(first)
			t.Logf("%d grants in %v", tt.n, d)
			if d < tt.min {
				t.Fatalf("grant %d came %v after the first, want at least %v", tt.n, d, tt.min)
			}
		})
	}
}
