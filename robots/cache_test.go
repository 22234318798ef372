package robots

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
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

// response is what a scripted Fetcher returns for one call.
type response struct {
	status int
	body   string
	err    error
}

// scripted is a Fetcher that returns its responses in turn, the last one
// again once they run out, and records the URLs it was asked for.
type scripted struct {
	mu        sync.Mutex
	responses []response
	urls      []string
}

func (s *scripted) Fetch(_ context.Context, url string) (int, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.urls = append(s.urls, url)
	r := s.responses[min(len(s.urls), len(s.responses))-1]
	var body []byte
	if r.body != "" {
		body = []byte(r.body)
	}
	return r.status, body, r.err
}

func (s *scripted) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.urls)
}

// check calls c.Check for rawURL and fails the test on error.
func check(t *testing.T, c *Cache, rawURL string) Decision {
	t.Helper()
	d, err := c.Check(context.Background(), mustURL(t, rawURL))
	if err != nil {
		t.Fatalf("Check(%s): %v", rawURL, err)
	}
	return d
}

var errRefused = errors.New("dial tcp 127.0.0.1:1: connect: connection refused")

// TestCheckStatus checks what each kind of fetch result means (RFC 9309
// section 2.3.1).
func TestCheckStatus(t *testing.T) {
	const rules = "User-agent: *\nDisallow: /private\n"
	tests := []struct {
		name       string
		resp       response
		path       string
		want       bool
		wantReason string
	}{
		{"200 allowed", response{status: 200, body: rules}, "/public", true, ""},
		{"200 disallowed", response{status: 200, body: rules}, "/private/x", false, "disallowed by robots.txt: Disallow: /private"},
		{"200 empty", response{status: 200}, "/private", true, ""},
		{"204", response{status: 204}, "/private", true, ""},
		{"too many redirects", response{status: 301}, "/private", true, ""},
		{"too many redirects with error", response{status: 302, err: errors.New("stopped after 5 redirects")}, "/private", true, ""},
		{"401", response{status: 401, body: rules}, "/private", true, ""},
		{"403", response{status: 403, body: rules}, "/private", true, ""},
		{"404", response{status: 404, body: rules}, "/private", true, ""},
		{"404 with error", response{status: 404, err: errors.New("http 404 not found")}, "/private", true, ""},
		{"429", response{status: 429}, "/private", true, ""},
		{"500", response{status: 500, body: rules}, "/public", false, "robots.txt unreachable (500)"},
		{"503 with error", response{status: 503, err: errors.New("http 503 service unavailable")}, "/public", false,
			"robots.txt unreachable (503: http 503 service unavailable)"},
		{"unreachable", response{err: errRefused}, "/public", false, "robots.txt unreachable (" + errRefused.Error() + ")"},
		{"body cut short", response{status: 200, body: "User-agent: *\nDisallow: /", err: io.ErrUnexpectedEOF}, "/public", false,
			"robots.txt unreachable (200: unexpected EOF)"},
		{"no response, no error", response{}, "/public", false, "robots.txt unreachable (no response)"},
		{"1xx", response{status: 100}, "/public", false, "robots.txt unreachable (100)"},
		{"unreachable robots.txt itself", response{status: 500}, "/robots.txt", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &scripted{responses: []response{tt.resp}}
			c := NewCache(Options{Agent: "crawl", Fetch: f.Fetch, Now: newFakeClock().Now})
			d := check(t, c, tt.path)
			if d.Allowed != tt.want || d.Reason != tt.wantReason {
				t.Errorf("Check(%s) = %+v, want Allowed %v, Reason %q", tt.path, d, tt.want, tt.wantReason)
			}
			if want := []string{"http://example.com/robots.txt"}; !slices.Equal(f.urls, want) {
				t.Errorf("fetched %q, want %q", f.urls, want)
			}
		})
	}
}

// TestAgentGroup checks which group of a robots.txt applies for the
// User-Agent the crawl sends: its product token, and in a browser-like
// User-Agent the crawler named after "compatible;", as site owners write
// their groups for it.
func TestAgentGroup(t *testing.T) {
	const rules = "User-agent: *\nDisallow: /\n\nUser-agent: MyBot\nDisallow: /private\n"
	for _, tt := range []struct {
		agent string
		path  string
		want  bool
	}{
		{"MyBot/2.1", "/public", true},
		{"MyBot/2.1", "/private", false},
		{"Mozilla/5.0 (compatible; MyBot/2.1; +https://example.com/bot)", "/public", true},
		{"Mozilla/5.0 (compatible; MyBot/2.1; +https://example.com/bot)", "/private", false},
		{"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; MyBot/2.1) Chrome/120", "/public", true},
		{"Mozilla/5.0 (X11; Linux x86_64) Firefox/120", "/public", false}, // a browser: the * group
		{"Mozilla/5.0 (compatible; )", "/public", false},
		{"crawl/1.0", "/public", false},
	} {
		t.Run(tt.agent+tt.path, func(t *testing.T) {
			f := &scripted{responses: []response{{status: 200, body: rules}}}
			c := NewCache(Options{Agent: tt.agent, Fetch: f.Fetch, Now: newFakeClock().Now})
			if d := check(t, c, tt.path); d.Allowed != tt.want {
				t.Errorf("Check(%s) = %+v, want Allowed %v", tt.path, d, tt.want)
			}
		})
	}
}

// TestHostKey checks that one robots.txt serves each scheme, host and port,
// and that it is fetched from the right URL.
func TestHostKey(t *testing.T) {
	tests := []struct {
		name  string
		urls  []string
		wants []string
	}{
		{"same host", []string{"http://example.com/a", "http://EXAMPLE.com:80/b", "HTTP://example.com/c?d"},
			[]string{"http://example.com/robots.txt"}},
		{"schemes differ", []string{"http://example.com/a", "https://example.com/a"},
			[]string{"http://example.com/robots.txt", "https://example.com/robots.txt"}},
		{"ports differ", []string{"https://example.com/a", "https://example.com:443/b", "https://example.com:8443/c"},
			[]string{"https://example.com/robots.txt", "https://example.com:8443/robots.txt"}},
		{"hosts differ", []string{"http://a.example/", "http://b.example/", "http://user:pw@a.example/x"},
			[]string{"http://a.example/robots.txt", "http://b.example/robots.txt"}},
		{"ipv6", []string{"http://[::1]/a", "http://[::1]:80/b", "http://[::1]:8080/"},
			[]string{"http://[::1]/robots.txt", "http://[::1]:8080/robots.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &scripted{responses: []response{{status: 404}}}
			c := NewCache(Options{Agent: "crawl", Fetch: f.Fetch})
			for _, u := range tt.urls {
				check(t, c, u)
			}
			if !slices.Equal(f.urls, tt.wants) {
				t.Errorf("fetched %q, want %q", f.urls, tt.wants)
			}
		})
	}
}

// TestUnsupportedURL checks that Check refuses what has no robots.txt.
func TestUnsupportedURL(t *testing.T) {
	f := &scripted{responses: []response{{status: 404}}}
	c := NewCache(Options{Fetch: f.Fetch})
	for _, raw := range []string{"ftp://example.com/a", "mailto:a@example.com", "http:///a", "//example.com/a", "a/b"} {
		t.Run(raw, func(t *testing.T) {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			d, err := c.Check(context.Background(), u)
			if !errors.Is(err, ErrUnsupportedURL) || d.Allowed {
				t.Errorf("Check(%s) = %+v, %v; want disallowed, ErrUnsupportedURL", raw, d, err)
			}
			if _, err := c.Sitemaps(context.Background(), u); !errors.Is(err, ErrUnsupportedURL) {
				t.Errorf("Sitemaps(%s): %v, want ErrUnsupportedURL", raw, err)
			}
		})
	}
	if _, err := c.Check(context.Background(), nil); !errors.Is(err, ErrUnsupportedURL) {
		t.Errorf("Check(nil): %v, want ErrUnsupportedURL", err)
	}
	if n := f.calls(); n != 0 {
		t.Errorf("Fetcher called %d times, want 0", n)
	}
}

// TestBackoff steps a fake clock through the retries of an unreachable
// robots.txt: each Check before the backoff has run out answers from the
// cache, the first one after it fetches again.
func TestBackoff(t *testing.T) {
	clock := newFakeClock()
	f := &scripted{responses: []response{
		{status: 503}, {err: errRefused}, {status: 500}, {status: 502}, {status: 504},
		{status: 200, body: "User-agent: *\nDisallow: /private\n"},
	}}
	c := NewCache(Options{
		Agent: "crawl", Fetch: f.Fetch, Now: clock.Now,
		RetryMin: time.Minute, RetryMax: 5 * time.Minute, MaxAge: time.Hour,
	})
	steps := []struct {
		advance     time.Duration
		wantCalls   int
		wantAllowed bool
	}{
		{0, 1, false},                           // 503: retry in 1m
		{59 * time.Second, 1, false},            //
		{time.Second, 2, false},                 // refused: retry in 2m
		{2*time.Minute - time.Second, 2, false}, //
		{time.Second, 3, false},                 // 500: retry in 4m
		{4*time.Minute - time.Second, 3, false}, //
		{time.Second, 4, false},                 // 502: retry in 5m, the cap
		{5*time.Minute - time.Second, 4, false}, //
		{time.Second, 5, false},                 // 504: retry in 5m
		{5 * time.Minute, 6, true},              // 200: keep for an hour
		{59 * time.Minute, 6, true},             //
		{time.Minute, 7, true},                  // expired: fetched again
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		d := check(t, c, "/public")
		if got := f.calls(); got != s.wantCalls || d.Allowed != s.wantAllowed {
			t.Fatalf("step %d (+%v): %d fetches, Allowed %v (%s); want %d fetches, Allowed %v",
				i, s.advance, got, d.Allowed, d.Reason, s.wantCalls, s.wantAllowed)
		}
	}
}

// TestStaleRulesWhileUnreachable checks that rules read before stay in force
// while a later fetch finds the file unreachable (RFC 9309 section 2.4), and
// that new rules replace them once it is back.
func TestStaleRulesWhileUnreachable(t *testing.T) {
	clock := newFakeClock()
	f := &scripted{responses: []response{
		{status: 200, body: "User-agent: *\nDisallow: /old\n"},
		{status: 503},
		{status: 200, body: "User-agent: *\nDisallow: /new\n"},
	}}
	c := NewCache(Options{Agent: "crawl", Fetch: f.Fetch, Now: clock.Now, RetryMin: time.Minute, MaxAge: time.Hour})
	steps := []struct {
		advance   time.Duration
		path      string
		wantCalls int
		want      bool
	}{
		{0, "/old", 1, false},
		{time.Hour, "/old", 2, false}, // expired, 503: old rules kept
		{0, "/new", 2, true},
		{time.Minute, "/new", 3, false}, // retried: new rules
		{0, "/old", 3, true},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		d := check(t, c, s.path)
		if got := f.calls(); got != s.wantCalls || d.Allowed != s.want {
			t.Fatalf("step %d (+%v, %s): %d fetches, Allowed %v (%s); want %d fetches, Allowed %v",
				i, s.advance, s.path, got, d.Allowed, d.Reason, s.wantCalls, s.want)
		}
	}
}

// TestSingleFetch checks that 100 goroutines checking URLs of one host cause
// one fetch, and that they all get its answer.
func TestSingleFetch(t *testing.T) {
	const n = 100
	var calls atomic.Int32
	release := make(chan struct{})
	fetch := func(ctx context.Context, url string) (int, []byte, error) {
		calls.Add(1)
		select {
		case <-release:
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		}
		return 200, []byte("User-agent: crawl\nDisallow: /odd\nCrawl-delay: 2\n"), nil
	}
	c := NewCache(Options{Agent: "crawl", Fetch: fetch})
	var started, done sync.WaitGroup
	decisions := make([]Decision, n)
	errs := make([]error, n)
	for i := range n {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			path := "/even"
			if i%2 == 1 {
				path = "/odd"
			}
			started.Done()
			decisions[i], errs[i] = c.Check(context.Background(), mustURL(t, "http://example.com"+path))
		}()
	}
	started.Wait()
	close(release)
	done.Wait()
	if got := calls.Load(); got != 1 {
		t.Errorf("Fetcher called %d times, want 1", got)
	}
	for i, d := range decisions {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if d.Allowed != (i%2 == 0) || d.CrawlDelay != 2*time.Second {
			t.Fatalf("goroutine %d: %+v", i, d)
		}
	}
}

// TestCancelWhileWaiting checks that a caller waiting for another's fetch
// returns as soon as its context is done.
func TestCancelWhileWaiting(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	fetch := func(ctx context.Context, url string) (int, []byte, error) {
		close(entered)
		<-release
		return 404, nil, nil
	}
	c := NewCache(Options{Agent: "crawl", Fetch: fetch})
	first := make(chan error, 1)
	go func() {
		_, err := c.Check(context.Background(), mustURL(t, "/a"))
		first <- err
	}()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d, err := c.Check(ctx, mustURL(t, "/b"))
	if !errors.Is(err, context.Canceled) || d.Allowed {
		t.Errorf("waiting Check = %+v, %v; want disallowed, context.Canceled", d, err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Errorf("fetching Check: %v", err)
	}
}

// TestCancelledFetchNotRecorded checks that a fetch cancelled with its
// caller's context leaves nothing behind: the next Check fetches again.
func TestCancelledFetchNotRecorded(t *testing.T) {
	var calls atomic.Int32
	entered := make(chan struct{}, 1)
	fetch := func(ctx context.Context, url string) (int, []byte, error) {
		if calls.Add(1) == 1 {
			entered <- struct{}{}
			<-ctx.Done()
			return 0, nil, fmt.Errorf("get %s: %w", url, ctx.Err())
		}
		return 200, []byte("User-agent: *\nDisallow: /x\n"), nil
	}
	c := NewCache(Options{Agent: "crawl", Fetch: fetch})
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := c.Check(ctx, mustURL(t, "/a"))
		first <- err
	}()
	<-entered
	second := make(chan Decision, 1)
	go func() {
		// Waits for the first fetch or comes after it; either way it
		// must fetch again and see the rules.
		second <- check(t, c, "/x")
	}()
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Check: %v, want context.Canceled", err)
	}
	if d := <-second; d.Allowed {
		t.Errorf("second Check = %+v, want disallowed by the rules", d)
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("Fetcher called %d times, want 2", got)
	}
}

// TestFetcherPanic checks that a panicking Fetcher does not leave waiters
// stuck: the next Check fetches again.
func TestFetcherPanic(t *testing.T) {
	var calls atomic.Int32
	fetch := func(ctx context.Context, url string) (int, []byte, error) {
		if calls.Add(1) == 1 {
			panic("boom")
		}
		return 404, nil, nil
	}
	c := NewCache(Options{Agent: "crawl", Fetch: fetch})
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Check did not pass the Fetcher's panic on")
			}
		}()
		c.Check(context.Background(), mustURL(t, "/a"))
	}()
	if d := check(t, c, "/a"); !d.Allowed || calls.Load() != 2 {
		t.Errorf("after panic: %+v, %d fetches; want allowed after 2", d, calls.Load())
	}
}

// TestSitemaps checks the Sitemap URLs Cache.Sitemaps returns.
func TestSitemaps(t *testing.T) {
	tests := []struct {
		name string
		resp response
		want []string
	}{
		{"listed", response{status: 200, body: "Sitemap: https://example.com/a.xml\nUser-agent: *\nDisallow: /\nSitemap: https://example.com/b.xml\n"},
			[]string{"https://example.com/a.xml", "https://example.com/b.xml"}},
		{"none", response{status: 200, body: "User-agent: *\nDisallow: /\n"}, nil},
		{"404", response{status: 404}, nil},
		{"unreachable", response{status: 500}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &scripted{responses: []response{tt.resp}}
			c := NewCache(Options{Agent: "crawl", Fetch: f.Fetch})
			got, err := c.Sitemaps(context.Background(), mustURL(t, "/"))
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("Sitemaps = %q, %v; want %q", got, err, tt.want)
			}
			check(t, c, "/")
			if n := f.calls(); n != 1 {
				t.Errorf("Fetcher called %d times, want 1", n)
			}
		})
	}
}

// httpFetcher is a Fetcher on client that follows at most five redirects, as
// the crawl's must, and reads at most ParseLimit bytes of the body.
func httpFetcher(client *http.Client) Fetcher {
	c := *client
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 5 {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return func(ctx context.Context, url string) (int, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, nil, err
		}
		resp, err := c.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, ParseLimit))
		return resp.StatusCode, body, err
	}
}

// redirectServer returns a server whose /robots.txt redirects hops times
// before it reaches final, or its own rules at /real when final is empty.
func redirectServer(t *testing.T, hops int, final string) *httptest.Server {
	t.Helper()
	if final == "" {
		final = "/real"
	}
	hop := func(w http.ResponseWriter, r *http.Request, n int) {
		if n+1 < hops {
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n+1), http.StatusMovedPermanently)
			return
		}
		http.Redirect(w, r, final, http.StatusFound)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { hop(w, r, 0) })
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		hop(w, r, n)
	})
	mux.HandleFunc("/real", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestRedirects checks robots.txt reached through redirects, across hosts
// too, with a Fetcher that follows five at most, and what that Fetcher
// reports when there are more.
func TestRedirects(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /other\n")
	}))
	defer other.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	fetch := httpFetcher(&http.Client{Transport: tr})

	tests := []struct {
		name       string
		hops       int
		final      string
		path       string
		want       bool
		wantStatus int
	}{
		{"one hop", 1, "", "/private", false, 200},
		{"five hops", 5, "", "/private", false, 200},
		{"six hops: unavailable", 6, "", "/private", true, 302},
		{"across hosts", 2, other.URL + "/robots.txt", "/other", false, 200},
		{"across hosts, rules of the target", 2, other.URL + "/robots.txt", "/private", true, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := redirectServer(t, tt.hops, tt.final)
			var got []int
			c := NewCache(Options{Agent: "crawl", Fetch: func(ctx context.Context, url string) (int, []byte, error) {
				status, body, err := fetch(ctx, url)
				got = append(got, status)
				return status, body, err
			}})
			d := check(t, c, srv.URL+tt.path)
			if d.Allowed != tt.want {
				t.Errorf("Check(%s) = %+v, want Allowed %v", tt.path, d, tt.want)
			}
			if !slices.Equal(got, []int{tt.wantStatus}) {
				t.Errorf("Fetcher got statuses %v, want [%d]", got, tt.wantStatus)
			}
		})
	}
}

// TestRetries checks that one refresh tries a robots.txt that answers 5xx
// or not at all Options.Attempts times, waiting longer each time, and what
// the Decision then says.
func TestRetries(t *testing.T) {
	tests := []struct {
		name          string
		responses     []response
		wantCalls     int
		wantAllowed   bool
		wantWaits     []time.Duration
		wantStatus    int
		wantReasonEnd string
	}{
		{"503 then read", []response{{status: 503}, {status: 503}, {status: 200}}, 3, true,
			[]time.Duration{time.Second, 2 * time.Second}, 0, ""},
		{"503 forever", []response{{status: 503}}, 4, false,
			[]time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, 503, "(503) after 4 attempts"},
		{"refused forever", []response{{err: errRefused}}, 4, false,
			[]time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, 0, "connection refused) after 4 attempts"},
		{"404 is not retried", []response{{status: 404}}, 1, true, nil, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &scripted{responses: tt.responses}
			var waits []time.Duration
			c := NewCache(Options{
				Agent: "crawl", Fetch: f.Fetch, Now: newFakeClock().Now,
				Attempts: 4, RetryWait: time.Second, RetryWaitMax: 3 * time.Second,
				Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
			})
			d := check(t, c, "/page")
			if f.calls() != tt.wantCalls || d.Allowed != tt.wantAllowed || !slices.Equal(waits, tt.wantWaits) {
				t.Fatalf("%d fetches, waits %v, %+v; want %d fetches, waits %v, Allowed %v",
					f.calls(), waits, d, tt.wantCalls, tt.wantWaits, tt.wantAllowed)
			}
			if tt.wantAllowed {
				return
			}
			if !d.Unavailable || d.Status != tt.wantStatus || d.Attempts != tt.wantCalls ||
				len(d.Reason) < len(tt.wantReasonEnd) || d.Reason[len(d.Reason)-len(tt.wantReasonEnd):] != tt.wantReasonEnd {
				t.Errorf("Decision %+v; want Unavailable, Status %d, Attempts %d, Reason ending %q",
					d, tt.wantStatus, tt.wantCalls, tt.wantReasonEnd)
			}
		})
	}
}

// TestCancelBetweenAttempts checks that a refresh waiting to try again ends
// with its caller's context, and records nothing.
func TestCancelBetweenAttempts(t *testing.T) {
	f := &scripted{responses: []response{{status: 503}, {status: 200}}}
	ctx, cancel := context.WithCancel(context.Background())
	c := NewCache(Options{
		Agent: "crawl", Fetch: f.Fetch, Now: newFakeClock().Now, Attempts: 3,
		Sleep: func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() },
	})
	if _, err := c.Check(ctx, mustURL(t, "/page")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Check = %v; want context.Canceled", err)
	}
	if d := check(t, c, "/page"); !d.Allowed || f.calls() != 2 {
		t.Fatalf("after the cancelled refresh: %+v, %d fetches; want a new fetch that allows", d, f.calls())
	}
}

// TestRuleRefusalIsNotUnavailable checks that a URL disallowed by a rule is
// told apart from one disallowed because the file could not be read.
func TestRuleRefusalIsNotUnavailable(t *testing.T) {
	f := &scripted{responses: []response{{status: 200, body: "User-agent: *\nDisallow: /\n"}}}
	c := NewCache(Options{Agent: "crawl", Fetch: f.Fetch, Now: newFakeClock().Now, Attempts: 3})
	if d := check(t, c, "/page"); d.Allowed || d.Unavailable {
		t.Fatalf("Decision %+v; want disallowed by a rule", d)
	}
}
