package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"golang.org/x/time/rate"
)

// fakeShared records the calls of Wait and answers them with err.
type fakeShared struct {
	mu    sync.Mutex
	calls []sharedCall
	err   error
}

type sharedCall struct {
	host string
	r    rate.Limit
}

func (f *fakeShared) Wait(ctx context.Context, host string, r rate.Limit) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, sharedCall{host, r})
	return f.err
}

func (f *fakeShared) setErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// takeCalls returns the calls recorded since the last takeCalls.
func (f *fakeShared) takeCalls() []sharedCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

func TestSharedWaitRate(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		change func(l *Limiter) // applied before the second Acquire
		want   []sharedCall     // of the first and second Acquire
	}{
		{
			name: "configured rate",
			opts: Options{Rate: 10, Burst: 5},
			want: []sharedCall{{"h", 10}, {"h", 10}},
		},
		{
			name:   "lowered by SetMaxRate",
			opts:   Options{Rate: 10, Burst: 5},
			change: func(l *Limiter) { l.SetMaxRate("h", 0.5) },
			want:   []sharedCall{{"h", 10}, {"h", 0.5}},
		},
		{
			name:   "SetMaxRate above the rate changes nothing",
			opts:   Options{Rate: 10, Burst: 5},
			change: func(l *Limiter) { l.SetMaxRate("h", 20) },
			want:   []sharedCall{{"h", 10}, {"h", 10}},
		},
		{
			name:   "cut after a 429",
			opts:   Options{Rate: 10, Burst: 5, Adaptive: true},
			change: func(l *Limiter) { l.Observe("h", Outcome{Status: 429}) },
			want:   []sharedCall{{"h", 10}, {"h", 5}},
		},
		{
			name: "unlimited is never asked",
			opts: Options{},
		},
		{
			name:   "unlimited capped by Crawl-delay",
			opts:   Options{},
			change: func(l *Limiter) { l.SetMaxRate("h", 0.25) },
			want:   []sharedCall{{"h", 0.25}},
		},
		{
			name:   "unlimited cut after a 503",
			opts:   Options{Adaptive: true},
			change: func(l *Limiter) { l.Observe("h", Outcome{Status: 503}) },
			want:   []sharedCall{{"h", InitialCut}},
		},
		{
			name:   "lifted by SetRate",
			opts:   Options{Rate: 10, Burst: 5},
			change: func(l *Limiter) { l.SetRate("h", rate.Inf) },
			want:   []sharedCall{{"h", 10}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeShared{}
			tt.opts.Shared = f
			l, _ := newTestLimiter(tt.opts)
			// The fake clock stands still: a wait for a local token
			// would block for real.
			l.onWait = func() { t.Error("Acquire waited locally") }
			acquire := func() {
				t.Helper()
				release, err := l.Acquire(context.Background(), "h")
				if err != nil {
					t.Fatal(err)
				}
				release()
			}
			acquire()
			if tt.change != nil {
				tt.change(l)
			}
			acquire()
			got := f.takeCalls()
			if len(got) != len(tt.want) {
				t.Fatalf("Wait calls = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("Wait call %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestSharedWaitError(t *testing.T) {
	boom := errors.New("boom")
	f := &fakeShared{err: boom}
	l, _ := newTestLimiter(Options{Rate: 10, Burst: 2, PerHost: 1, Shared: f})
	l.onWait = func() { t.Error("Acquire waited locally") }

	release, err := l.Acquire(context.Background(), "h")
	if !errors.Is(err, boom) || !errors.Is(err, ErrShared) {
		t.Fatalf("Acquire = %v, want an error wrapping %v and ErrShared", err, boom)
	}
	if want := "ratelimit: shared limit for h: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
	if release != nil {
		t.Error("release is not nil on error")
	}
	if n := l.inFlight("h"); n != 0 {
		t.Fatalf("slots held after the failed Acquire = %d, want 0", n)
	}

	// The slot was freed: with PerHost 1 the next Acquire gets it at once.
	f.setErr(nil)
	release, err = l.Acquire(context.Background(), "h")
	if err != nil {
		t.Fatal(err)
	}
	release()
	if got := f.takeCalls(); len(got) != 2 {
		t.Errorf("Wait calls = %v, want 2", got)
	}
}

func TestSharedWaitCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	// The caller gives up during the shared wait, which reports it in
	// its own words.
	shared := sharedFunc(func(c context.Context, host string, r rate.Limit) error {
		calls++
		cancel()
		return fmt.Errorf("store: wait for %s: %w", host, c.Err())
	})
	l := New(Options{Rate: 10, PerHost: 1, Shared: shared})
	release, err := l.Acquire(ctx, "h")
	if err != context.Canceled {
		t.Fatalf("Acquire = %v, want ctx.Err() %v", err, context.Canceled)
	}
	if release != nil {
		t.Error("release is not nil on error")
	}
	if calls != 1 {
		t.Fatalf("Wait called %d times, want 1", calls)
	}
	if n := l.inFlight("h"); n != 0 {
		t.Fatalf("slots held = %d, want 0", n)
	}
}

// sharedFunc adapts a function to Shared.
type sharedFunc func(ctx context.Context, host string, r rate.Limit) error

func (f sharedFunc) Wait(ctx context.Context, host string, r rate.Limit) error {
	return f(ctx, host, r)
}
