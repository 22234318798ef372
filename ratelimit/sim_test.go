package ratelimit

import (
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The simulation below runs a crawl of one host on the limiter's injected
// clock: no goroutines, no sleeps, no sockets. It drives the same steps as
// Transport and Acquire (a concurrency slot, the host's pause, a token,
// the round trip, Observe) and models the fetcher's retries: each URL is
// tried up to simConfig.attempts times, and between attempts its worker
// waits as fetch.DefaultBackoff does (the Retry-After of a 429 or 503, else
// 1 s doubled at each attempt, both at most 30 s; without the jitter, so
// every run is the same). A worker is busy while it waits, as a crawl
// worker is.

// simAnswer is how the simulated host answers an attempt at a URL sent at
// the instant at of the simulation.
type simAnswer func(url string, at time.Duration) (status int, retryAfter time.Duration)

type simConfig struct {
	opts     Options
	urls     []string
	answer   simAnswer
	workers  int
	attempts int
	latency  time.Duration // of every round trip
	stopAt   time.Duration // end the simulation here; 0 runs to the end
}

type simResult struct {
	elapsed  time.Duration   // until the last URL was done
	ok, fail int             // URLs that succeeded, URLs that failed
	failed   map[string]bool // the URLs that failed
	starts   []time.Duration // when each request was sent
}

// simEvent is something that happens at an instant of simulated time; seq
// breaks ties in the order events were scheduled, so the run is
// deterministic.
type simEvent struct {
	at  time.Duration
	seq int
	fn  func()
}

type simQueue []simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	return q[i].at < q[j].at || (q[i].at == q[j].at && q[i].seq < q[j].seq)
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// simBackoff is the fetcher's wait before attempt number attempt+1 (attempt
// counts from 0) after an answer with status and retryAfter.
func simBackoff(attempt, status int, retryAfter time.Duration) time.Duration {
	const maxWait = 30 * time.Second
	if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && retryAfter > 0 {
		return min(retryAfter, maxWait)
	}
	return min(time.Second<<attempt, maxWait)
}

// simulate runs cfg and reports what became of it.
func simulate(t *testing.T, cfg simConfig) simResult {
	t.Helper()
	const host = "site.example"
	l, clk := newTestLimiter(cfg.opts)
	t0 := clk.Now()
	now := time.Duration(0)
	var q simQueue
	seq := 0
	at := func(d time.Duration, fn func()) {
		seq++
		heap.Push(&q, simEvent{at: now + d, seq: seq, fn: fn})
	}
	res := simResult{failed: make(map[string]bool)}
	next := 0     // index of the next URL to hand out
	inFlight := 0 // slots of the host held
	var waiting []func()

	var work func()
	var try func(url string, attempt int)
	finish := func(url string, ok bool) {
		if ok {
			res.ok++
		} else {
			res.fail++
			res.failed[url] = true
		}
		res.elapsed = now
		work()
	}
	release := func() {
		inFlight--
		if len(waiting) > 0 {
			w := waiting[0]
			waiting = waiting[1:]
			inFlight++
			w()
		}
	}
	try = func(url string, attempt int) {
		admitted := func() {
			e := l.enter(host)
			d, err := l.pauseLeft(host, e, t0.Add(now))
			l.leave(e, false)
			if errors.Is(err, ErrHostUnreachable) {
				release()
				finish(url, false)
				return
			}
			at(max(d, 0), func() {
				at(l.reserve(host, t0.Add(now)), func() {
					res.starts = append(res.starts, now)
					sent := now
					at(cfg.latency, func() {
						status, ra := cfg.answer(url, sent)
						l.Observe(host, Outcome{URL: url, Status: status, RetryAfter: ra})
						release()
						if status < 400 {
							finish(url, true)
						} else if attempt+1 < cfg.attempts {
							at(simBackoff(attempt, status, ra), func() { try(url, attempt+1) })
						} else {
							finish(url, false)
						}
					})
				})
			})
		}
		if cfg.opts.PerHost > 0 && inFlight >= cfg.opts.PerHost {
			waiting = append(waiting, admitted)
			return
		}
		inFlight++
		admitted()
	}
	work = func() {
		if next == len(cfg.urls) {
			return
		}
		url := cfg.urls[next]
		next++
		try(url, 0)
	}
	for range cfg.workers {
		at(0, work)
	}
	for q.Len() > 0 {
		ev := heap.Pop(&q).(simEvent)
		if cfg.stopAt > 0 && ev.at >= cfg.stopAt {
			break
		}
		now = ev.at
		clk.Set(t0.Add(now))
		ev.fn()
	}
	return res
}

// brokenSite is a host of healthy pages and 5 URLs that always answer 503
// with Retry-After: 3 and 5 that always answer 429. With spread, the
// broken URLs come one every healthy/10 pages in the crawl order; without,
// they come first, as when the start page links to them.
func brokenSite(healthy int, spread bool) ([]string, simAnswer) {
	var urls []string
	status := map[string]int{}
	addBroken := func() {
		n := len(status)
		u := fmt.Sprintf("/broken/%d", n)
		status[u] = http.StatusServiceUnavailable
		if n%2 == 1 {
			status[u] = http.StatusTooManyRequests
		}
		urls = append(urls, u)
	}
	urls = append(urls, "/page/0")
	for i := 1; i < healthy; i++ {
		if !spread && i == 1 || spread && i%(healthy/10) == healthy/20 {
			n := 1
			if !spread {
				n = 10
			}
			for range n {
				addBroken()
			}
		}
		urls = append(urls, fmt.Sprintf("/page/%d", i))
	}
	return urls, func(url string, _ time.Duration) (int, time.Duration) {
		switch s := status[url]; s {
		case 0:
			return http.StatusOK, 0
		case http.StatusServiceUnavailable:
			return s, 3 * time.Second
		default:
			return s, 0
		}
	}
}

// TestSimBrokenEndpoints is the crawl of issue 9: one host, 2,000 healthy
// pages and 10 URLs that always fail, 16 workers, 8 requests at a time,
// no rate limit, 4 attempts per URL. The adaptive throttle may cost time,
// but at most as much again as the crawl without it.
func TestSimBrokenEndpoints(t *testing.T) {
	for _, latency := range []time.Duration{5 * time.Millisecond, 20 * time.Millisecond, 100 * time.Millisecond} {
		for _, spread := range []bool{true, false} {
			name := fmt.Sprintf("%v/spread=%v", latency, spread)
			t.Run(name, func(t *testing.T) {
				urls, answer := brokenSite(2000, spread)
				elapsed := map[bool]time.Duration{}
				for _, adaptive := range []bool{false, true} {
					res := simulate(t, simConfig{
						opts:     Options{PerHost: 8, Adaptive: adaptive, MaxPause: 30 * time.Second},
						urls:     urls,
						answer:   answer,
						workers:  16,
						attempts: 4,
						latency:  latency,
					})
					if res.ok != 2000 || res.fail != 10 {
						t.Errorf("adaptive %v: %d URLs succeeded, %d failed; want 2000 and 10", adaptive, res.ok, res.fail)
					}
					for u := range res.failed {
						if !strings.HasPrefix(u, "/broken/") {
							t.Errorf("adaptive %v: %s failed", adaptive, u)
						}
					}
					elapsed[adaptive] = res.elapsed
				}
				t.Logf("%v: %v without the adaptive throttle, %v with it (%.2fx)",
					name, elapsed[false], elapsed[true], float64(elapsed[true])/float64(elapsed[false]))
				if elapsed[true] > 2*elapsed[false] {
					t.Errorf("with the adaptive throttle the crawl took %v; want at most twice %v", elapsed[true], elapsed[false])
				}
			})
		}
	}
}

// TestSimSmallSiteBrokenEndpoints is a small site where the broken URLs
// are a good part of the whole: 40 healthy pages and 8 to 16 URLs that
// always answer 503 or 429, linked from the last page read or spread
// among the others (a footer of dead links). When the healthy pages are
// done only the broken URLs' retries are left, which say nothing new of
// the host: the crawl must not be slowed to a request every 10 s for
// them, as it was from 8 broken URLs on (161 s where 10 s do). 16 URLs
// refusing in a row after the last success is how an overload begins,
// and their first answers slow the host down further, but not their
// retries.
func TestSimSmallSiteBrokenEndpoints(t *testing.T) {
	for _, tt := range []struct {
		broken   int
		tail     bool
		maxRatio float64 // the crawl's time with the throttle, against without
	}{
		{8, true, 2}, {8, false, 2}, {10, true, 2}, {10, false, 2}, {16, true, 4}, {16, false, 2},
	} {
		{
			broken, tail := tt.broken, tt.tail
			name := fmt.Sprintf("%d broken/tail=%v", broken, tail)
			t.Run(name, func(t *testing.T) {
				status := map[string]int{}
				var urls []string
				addBroken := func() {
					u := fmt.Sprintf("/broken/%d", len(status))
					status[u] = http.StatusServiceUnavailable
					if len(status)%2 == 0 {
						status[u] = http.StatusTooManyRequests
					}
					urls = append(urls, u)
				}
				for i := range 40 {
					urls = append(urls, fmt.Sprintf("/page/%d", i))
					if !tail && i%4 == 3 && len(status) < broken {
						addBroken()
					}
				}
				for len(status) < broken {
					addBroken()
				}
				answer := func(url string, _ time.Duration) (int, time.Duration) {
					return cmp.Or(status[url], http.StatusOK), 0
				}
				elapsed := map[bool]time.Duration{}
				for _, adaptive := range []bool{false, true} {
					res := simulate(t, simConfig{
						opts:    Options{PerHost: 8, Adaptive: adaptive, MaxPause: 30 * time.Second},
						urls:    urls,
						answer:  answer,
						workers: 16, attempts: 4, latency: 5 * time.Millisecond,
					})
					if res.ok != 40 || res.fail != broken {
						t.Errorf("adaptive %v: %d URLs succeeded, %d failed; want 40 and %d", adaptive, res.ok, res.fail, broken)
					}
					elapsed[adaptive] = res.elapsed
				}
				t.Logf("%s: %v without the adaptive throttle, %v with it (%.2fx)",
					name, elapsed[false], elapsed[true], float64(elapsed[true])/float64(elapsed[false]))
				if float64(elapsed[true]) > tt.maxRatio*float64(elapsed[false]) {
					t.Errorf("with the adaptive throttle the crawl took %v; want at most %gx %v", elapsed[true], tt.maxRatio, elapsed[false])
				}
			})
		}
	}
}

// TestSimOverloadedHost checks politeness where it matters: a host that
// answers 429 to every request, from the start or after a healthy while,
// with or without Retry-After, gets fewer than 2 requests/s over a minute
// from a crawl of 16 workers with 8 requests at a time and no rate limit.
func TestSimOverloadedHost(t *testing.T) {
	const minute = time.Minute
	tests := []struct {
		name       string
		healthy    time.Duration // the host answers 200 before this instant
		retryAfter time.Duration
	}{
		{"429 from the start", 0, 0},
		{"429 with Retry-After: 1", 0, time.Second},
		{"429 with Retry-After: 5", 0, 5 * time.Second},
		{"429 after 10 s of health", 10 * time.Second, 0},
		{"429 with Retry-After: 2 after 10 s of health", 10 * time.Second, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			urls := make([]string, 50000)
			for i := range urls {
				urls[i] = fmt.Sprintf("/page/%d", i)
			}
			res := simulate(t, simConfig{
				opts:    Options{PerHost: 8, Adaptive: true, MaxPause: 30 * time.Second},
				urls:    urls,
				workers: 16,
				answer: func(_ string, at time.Duration) (int, time.Duration) {
					if at < tt.healthy {
						return http.StatusOK, 0
					}
					return http.StatusTooManyRequests, tt.retryAfter
				},
				attempts: 4,
				latency:  5 * time.Millisecond,
				stopAt:   tt.healthy + minute,
			})
			n := 0
			for _, at := range res.starts {
				if at >= tt.healthy {
					n++
				}
			}
			t.Logf("%d requests in the minute of 429s (%d before)", n, len(res.starts)-n)
			if n >= 2*int(minute/time.Second) {
				t.Errorf("%d requests in a minute of 429s; want fewer than %d", n, 2*int(minute/time.Second))
			}
		})
	}
}

// TestSimRateLimitedHost is a host that allows 20 requests/s and answers
// 429 to the rest: the adaptive throttle must find that rate, so that
// fewer requests are refused and fewer URLs fail than without it.
func TestSimRateLimitedHost(t *testing.T) {
	const allowed = 20 // requests per second
	urls := make([]string, 1000)
	for i := range urls {
		urls[i] = fmt.Sprintf("/page/%d", i)
	}
	type result struct {
		refused, failed int
		elapsed         time.Duration
	}
	got := map[bool]result{}
	for _, adaptive := range []bool{false, true} {
		var tokens float64
		var last time.Duration
		refused := 0
		res := simulate(t, simConfig{
			opts:    Options{PerHost: 8, Adaptive: adaptive, MaxPause: 30 * time.Second},
			urls:    urls,
			workers: 16,
			answer: func(_ string, at time.Duration) (int, time.Duration) {
				// The server's own token bucket, with a burst of one second.
				tokens = min(tokens+allowed*(at-last).Seconds(), allowed)
				last = at
				if tokens < 1 {
					refused++
					return http.StatusTooManyRequests, 0
				}
				tokens--
				return http.StatusOK, 0
			},
			attempts: 4,
			latency:  5 * time.Millisecond,
		})
		got[adaptive] = result{refused, res.fail, res.elapsed}
	}
	t.Logf("without the adaptive throttle: %+v; with it: %+v", got[false], got[true])
	if on, off := got[true], got[false]; on.failed > off.failed || 2*on.refused > off.refused {
		t.Errorf("with the adaptive throttle %d URLs failed and %d requests were refused; want at most %d and %d",
			on.failed, on.refused, off.failed, off.refused/2)
	}
}
