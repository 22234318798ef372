package ratelimit

import (
	"context"
	"errors"
	"fmt"
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

// step is one answer of a script: at is its instant after the start.
type step struct {
	at time.Duration
	o  Outcome
}

// Outcomes for the scripts below.
func ok() Outcome                { return Outcome{Status: 200} }
func tooMany(url string) Outcome { return Outcome{URL: url, Status: 429} }
func unavailable(url string, retryAfter time.Duration) Outcome {
	return Outcome{URL: url, Status: 503, RetryAfter: retryAfter}
}

// script is a list of steps; at is the instant of all of them, then of
// the ones that follow.
func script(parts ...any) []step {
	var steps []step
	var at time.Duration
	for _, p := range parts {
		switch p := p.(type) {
		case time.Duration:
			at = p
		case Outcome:
			steps = append(steps, step{at, p})
		case []Outcome:
			for _, o := range p {
				steps = append(steps, step{at, o})
			}
		default:
			panic(fmt.Sprintf("script: %T", p))
		}
	}
	return steps
}

// play runs steps on a limiter with opts and returns it, its clock at the
// last step.
func play(t *testing.T, opts Options, steps []step) *Limiter {
	t.Helper()
	l, clk := newTestLimiter(opts)
	t0 := clk.Now()
	for _, s := range steps {
		if now := t0.Add(s.at); now.Before(clk.Now()) {
			t.Fatalf("script goes back in time at %v", s.at)
		} else {
			clk.Set(now)
		}
		l.Observe("h", s.o)
	}
	return l
}

func sec(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// answers is n successes spread evenly over the second that starts at
// from, as a script part per answer.
func answers(n int, from time.Duration) []any {
	var parts []any
	for i := range n {
		parts = append(parts, from+time.Duration(i)*time.Second/time.Duration(n), ok())
	}
	return parts
}

func TestAdaptiveCut(t *testing.T) {
	tests := []struct {
		name  string
		rate  float64
		steps []step
		want  rate.Limit
	}{
		{"a 429 halves a configured rate", 10, script(tooMany("/a")), 5},
		{"so does a 503", 10, script(unavailable("/a", 0)), 5},
		{"an unlimited host is cut to InitialCut at least", 0, script(tooMany("/a")), InitialCut},
		{"an unlimited host is cut to half its measured rate", 0,
			script(append(answers(200, 0), sec(1), tooMany("/a"))...), 100.5},
		{"other errors are not cuts", 10, script(Outcome{Status: 500}, Outcome{Status: 404}, Outcome{Status: 502}), 10},
		{"connection failures are not cuts", 10, script(Outcome{ConnError: true}), 10},

		// Retries of one URL count once.
		{"the retries of a URL cut once", 10,
			script(tooMany("/a"), sec(2), tooMany("/a"), sec(4), tooMany("/a"), sec(8), tooMany("/a")), 5},
		{"a 503 URL with Retry-After too", 10,
			script(unavailable("/a", 3*time.Second), sec(3), unavailable("/a", 3*time.Second), sec(6), unavailable("/a", 3*time.Second)), 5},
		{"another URL cuts again", 10, script(tooMany("/a"), sec(2), tooMany("/b")), 2.5},
		{"without a URL every answer counts", 10, script(tooMany(""), sec(2), tooMany("")), 2.5},

		// One cut per window: a request interval, or a second.
		{"two URLs within a second: one cut", 10, script(tooMany("/a"), sec(0.9), tooMany("/b")), 5},
		{"two URLs a second apart: two cuts", 10, script(tooMany("/a"), sec(1), tooMany("/b")), 2.5},
		{"at 0.5/s the window is 2 s", 1, script(tooMany("/a"), sec(1.9), tooMany("/b")), 0.5},
		{"after 2 s it is over", 1, script(tooMany("/a"), sec(2), tooMany("/b")), 0.25},

		// Host-wide overload: 3 URLs and half of the latest first answers.
		{"host-wide overload cuts to InitialCut at once", 100,
			script(tooMany("/a"), tooMany("/b"), tooMany("/c")), InitialCut},
		{"also within the window of a cut that was not host-wide", 0,
			script(append(answers(200, 0), sec(1), tooMany("/a"), tooMany("/b"), tooMany("/c"), tooMany("/d"),
				tooMany("/e"), tooMany("/f"), tooMany("/g"), tooMany("/h"))...), InitialCut},
		{"not before half the latest first answers", 0,
			script(append(answers(200, 0), sec(1), tooMany("/a"), tooMany("/b"), tooMany("/c"), tooMany("/d"),
				tooMany("/e"), tooMany("/f"), tooMany("/g"))...), 100.5},
		// Each cut is undone by the successes a quiet window later.
		{"scattered URLs are not host-wide", 100,
			script(tooMany("/a"), sec(1), ok(), ok(), tooMany("/b"), sec(2), ok(), ok(), tooMany("/c")), 50},
		{"a host-wide cut after a recovery goes to InitialCut again", 100, func() []step {
			parts := []any{time.Duration(0)}
			for i := range 16 {
				parts = append(parts, tooMany(fmt.Sprint("/", i)))
			}
			// 8 successes: 4 -> 16/s, and half the latest first answers are
			// still 429s.
			parts = append(parts, sec(0.5), ok(), ok(), ok(), ok(), ok(), ok(), ok(), ok(), sec(1.5), tooMany("/new"))
			return script(parts...)
		}(), InitialCut},
		{"host-wide overload halves once per window", 0,
			script(tooMany("/a"), tooMany("/b"), tooMany("/c"), sec(1), tooMany("/d"), sec(2), tooMany("/e")), InitialCut / 4},
		{"never below MinRate", 0, func() []step {
			var parts []any
			for i := range 20 {
				parts = append(parts, sec(float64(10*i)), tooMany(fmt.Sprint("/", i)))
			}
			return script(parts...)
		}(), MinRate},
		// Retries count when nothing else succeeds, but only down to
		// InitialCut: a crawl's last URLs may be a few broken ones.
		{"retries count down to InitialCut when nothing else succeeds", 0,
			script(tooMany("/a"), tooMany("/b"), tooMany("/c"), sec(1), tooMany("/a"), sec(2), tooMany("/b")), InitialCut},
		{"first answers cut below InitialCut", 0,
			script(tooMany("/a"), tooMany("/b"), tooMany("/c"), sec(1), tooMany("/d"), sec(2), tooMany("/e")), InitialCut / 4},
		{"retries do not count once the host answers", 0,
			script(tooMany("/a"), tooMany("/b"), tooMany("/c"), sec(0.5), ok(), sec(1), tooMany("/a"), sec(2), tooMany("/b")), InitialCut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := play(t, Options{Rate: tt.rate, Adaptive: true}, tt.steps)
			if got := l.Rate("h"); got != tt.want {
				t.Errorf("rate = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestAdaptiveRecover(t *testing.T) {
	four := []Outcome{ok(), ok(), ok(), ok()}
	tests := []struct {
		name  string
		rate  float64
		steps []step
		want  rate.Limit
	}{
		{"RecoverAfter successes double the rate", 100, script(tooMany("/a"), sec(1), tooMany("/b"), four), 50},
		{"up to the configured rate", 10, script(tooMany("/a"), four, four, four), 10},
		{"fewer successes do not", 10, script(tooMany("/a"), four[1:]), 5},
		{"one success after a quiet window does", 10, script(tooMany("/a"), sec(1), ok()), 10},
		{"not before", 10, script(tooMany("/a"), sec(0.9), ok()), 5},
		{"the quiet window is a request interval at slow rates", 1,
			script(tooMany("/a"), sec(1.9), ok(), sec(2), ok()), 1},
		{"a new 429 restarts the count", 10, script(tooMany("/a"), four[1:], sec(0.5), tooMany("/b"), four[1:]), 5},
		{"a failing URL's retries do not", 10, script(tooMany("/a"), four[1:], sec(0.5), tooMany("/a"), ok()), 10},
		{"an unlimited host is lifted at 16/s", 0, script(tooMany("/a"), four, four), rate.Inf},
		{"from MinRate, each success 10 s apart doubles", 0, func() []step {
			var parts []any
			for i := range 20 {
				parts = append(parts, sec(float64(10*i)), tooMany(fmt.Sprint("/", i)))
			}
			parts = append(parts, sec(200), ok(), sec(210), ok(), sec(215), ok())
			return script(parts...)
		}(), 8 * MinRate},
		{"a host cut from a measured rate is lifted at twice that rate", 0,
			script(append(answers(200, 0), sec(1), tooMany("/a"), four)...), 201},
		{"and then only", 0,
			script(append(answers(200, 0), sec(1), tooMany("/a"), four, four)...), rate.Inf},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := play(t, Options{Rate: tt.rate, Adaptive: true}, tt.steps)
			if got := l.Rate("h"); got != tt.want {
				t.Errorf("rate = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestAdaptiveRetryAfter(t *testing.T) {
	ra := func(url string, d time.Duration) Outcome { return Outcome{URL: url, Status: 429, RetryAfter: d} }
	tests := []struct {
		name     string
		steps    []step
		maxPause time.Duration
		want     time.Duration // how long the host is paused after the last step
	}{
		{"one URL's Retry-After does not pause the host", script(ra("/a", 2*time.Second)), 0, 0},
		{"nor do its retries", script(ra("/a", time.Second), sec(1), ra("/a", time.Second), sec(2), ra("/a", time.Second)), 0, 0},
		{"nor scattered URLs among successes", script(
			ra("/a", 5*time.Second), ok(), ok(), ok(), ra("/b", 5*time.Second), ok(), ok(), ok(), ra("/c", 5*time.Second)), 0, 0},
		{"three URLs out of three do", script(ra("/a", 2*time.Second), ra("/b", 2*time.Second), ra("/c", 2*time.Second)), 0, 2 * time.Second},
		{"three out of five", script(ra("/a", 2*time.Second), ok(), ra("/b", 2*time.Second), ok(), ra("/c", 2*time.Second)), 0, 2 * time.Second},
		{"capped by MaxPause", script(ra("/a", time.Hour), ra("/b", time.Hour), ra("/c", time.Hour)), 0, 30 * time.Second},
		{"capped by a set MaxPause", script(ra("/a", time.Hour), ra("/b", time.Hour), ra("/c", time.Hour)), time.Minute, time.Minute},
		{"a 503 counts as a 429", script(unavailable("/a", 3*time.Second), unavailable("/b", 3*time.Second), unavailable("/c", 3*time.Second)), 0, 3 * time.Second},
		{"a retry of an overloaded host pauses it again", script(
			ra("/a", time.Second), ra("/b", time.Second), ra("/c", time.Second), sec(1), ra("/a", 3*time.Second)), 0, 3 * time.Second},
		{"not once the host answers again", script(
			ra("/a", time.Second), ra("/b", time.Second), ra("/c", time.Second), sec(1), ok(), ra("/a", 3*time.Second)), 0, 0},
		{"without URLs, each answer counts", script(ra("", time.Second), ra("", time.Second), ra("", 2*time.Second)), 0, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := play(t, Options{Adaptive: true, MaxPause: tt.maxPause}, tt.steps)
			if got := pausedFor(l, "h"); got != tt.want {
				t.Errorf("paused for %v; want %v", got, tt.want)
			}
		})
	}
}

func TestOffenders(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	memory := offenderMemory
	var o offenders
	if o.seen("/a", t0, memory) {
		t.Fatal("a new URL was known")
	}
	if !o.seen("/a", t0.Add(memory-time.Second), memory) {
		t.Fatal("a retry within the memory was new")
	}
	// Each answer refreshes the memory of the URL.
	if !o.seen("/a", t0.Add(2*memory-2*time.Second), memory) {
		t.Fatal("a retry within the refreshed memory was new")
	}
	if o.seen("/a", t0.Add(3*memory), memory) {
		t.Fatal("a URL was remembered past the memory")
	}
	if o.seen("", t0, memory) || o.seen("", t0, memory) {
		t.Fatal("an empty URL was known")
	}
	// At most offendersPerHost: the least recent goes first.
	o = nil
	for i := range offendersPerHost + 1 {
		o.seen(fmt.Sprint("/", i), t0.Add(time.Duration(i)), memory)
	}
	if len(o) != offendersPerHost {
		t.Fatalf("%d URLs remembered; want %d", len(o), offendersPerHost)
	}
	if o.seen("/0", t0.Add(time.Minute), memory) {
		t.Error("the least recent URL was not forgotten")
	}
	if !o.seen(fmt.Sprint("/", offendersPerHost), t0.Add(time.Minute), memory) {
		t.Error("the most recent URL was forgotten")
	}
}

func TestOffenderMemoryFollowsMaxPause(t *testing.T) {
	for _, tt := range []struct {
		maxPause, want time.Duration
	}{
		{0, offenderMemory},
		{10 * time.Millisecond, offenderMemory},
		{time.Minute, 4 * time.Minute},
	} {
		if got := newAdaptOptions(Options{MaxPause: tt.maxPause}).memory; got != tt.want {
			t.Errorf("MaxPause %v: URLs remembered for %v; want %v", tt.maxPause, got, tt.want)
		}
	}
}

func TestMeter(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		steps []time.Duration // an answer at each
		at    time.Duration
		want  rate.Limit
	}{
		{"nothing yet", nil, 0, 0},
		{"the first second counts what it has", []time.Duration{0, sec(0.1), sec(0.2)}, sec(0.5), 3},
		{"the previous second fades out", append(make([]time.Duration, 100), sec(1)), sec(1.25), 75 + 1},
		{"a quiet spell forgets", make([]time.Duration, 100), sec(2), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m meter
			for _, at := range tt.steps {
				m.add(t0.Add(at))
			}
			if got := m.rate(t0.Add(tt.at)); got != tt.want {
				t.Errorf("rate = %v; want %v", got, tt.want)
			}
		})
	}
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
	// Seen through the Transport, one URL answering 429 with Retry-After
	// leaves the host alone; three do, and the host's next request waits
	// until it is cancelled.
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	l, clk := newTestLimiter(Options{Adaptive: true, MaxPause: time.Minute})
	var waits atomic.Int32
	waited := make(chan struct{}, 1)
	l.onWait = func() {
		waits.Add(1)
		select {
		case waited <- struct{}{}:
		default:
		}
	}
	client := newClient(t, l)
	host := hostOf(t, srv.URL)
	// A second apart on the limiter's clock, so that no token is waited for.
	for i, path := range []string{"/a", "/a", "/a", "/b", "/c"} {
		if i > 0 {
			clk.Advance(time.Second)
		}
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if i == 2 && (pausedFor(l, host) != 0 || l.Rate(host) != InitialCut) {
			t.Fatalf("after /a and its retries: paused %v, rate %v; want no pause and %v", pausedFor(l, host), l.Rate(host), InitialCut)
		}
	}
	if w := waits.Load(); w != 0 {
		t.Fatalf("%d waits before the host-wide overload", w)
	}
	if got := pausedFor(l, host); got != 30*time.Second {
		t.Fatalf("after /a, /b and /c: paused %v; want 30s", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := l.Acquire(ctx, host)
		done <- err
	}()
	<-waited // blocked by the pause
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire during a pause = %v; want context.Canceled", err)
	}
	if n.Load() != 5 {
		t.Fatalf("%d requests reached the server; want 5", n.Load())
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
	// A Crawl-delay below a cut rate lowers it at once, and recovery
	// stops at it.
	l, _ = newTestLimiter(Options{Rate: 10, Adaptive: true})
	l.Observe("h", Outcome{Status: 429})
	l.SetMaxRate("h", 2)
	if got := l.Rate("h"); got != 2 {
		t.Fatalf("rate after a cut to 5 and SetMaxRate(2) = %v; want 2", got)
	}
	for range 100 * RecoverAfter {
		l.Observe("h", Outcome{Status: 200})
	}
	if got := l.Rate("h"); got != 2 {
		t.Fatalf("recovered rate = %v; want the Crawl-delay's 2", got)
	}
}
