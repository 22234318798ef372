package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crawl-go/crawl/outcome"
)

func TestRetries(t *testing.T) {
	tests := []struct {
		name         string
		retries      int
		fails        int // failing responses before a 200; -1 means always
		status       int // status of the failing responses
		wantAttempts int
		wantStatus   int
		wantKind     outcome.Kind
	}{
		{name: "ok", retries: 3, fails: 0, wantAttempts: 1, wantStatus: 200},
		{name: "503 once", retries: 3, fails: 1, status: 503, wantAttempts: 2, wantStatus: 200},
		{name: "503 three times", retries: 3, fails: 3, status: 503, wantAttempts: 4, wantStatus: 200},
		{name: "429 twice", retries: 3, fails: 2, status: 429, wantAttempts: 3, wantStatus: 200},
		{name: "500 once", retries: 1, fails: 1, status: 500, wantAttempts: 2, wantStatus: 200},
		{name: "502 once", retries: 1, fails: 1, status: 502, wantAttempts: 2, wantStatus: 200},
		{name: "503 exhausted", retries: 2, fails: -1, status: 503, wantAttempts: 3, wantStatus: 503, wantKind: outcome.HTTP5xx},
		{name: "429 exhausted", retries: 1, fails: -1, status: 429, wantAttempts: 2, wantStatus: 429, wantKind: outcome.HTTP4xx},
		{name: "no retries", retries: 0, fails: 1, status: 503, wantAttempts: 1, wantStatus: 503, wantKind: outcome.HTTP5xx},
		{name: "negative retries", retries: -1, fails: 1, status: 503, wantAttempts: 1, wantStatus: 503, wantKind: outcome.HTTP5xx},
		{name: "404 not retried", retries: 3, fails: 1, status: 404, wantAttempts: 1, wantStatus: 404, wantKind: outcome.HTTP4xx},
		{name: "403 not retried", retries: 3, fails: 1, status: 403, wantAttempts: 1, wantStatus: 403, wantKind: outcome.HTTP4xx},
		{name: "501 not retried", retries: 3, fails: 1, status: 501, wantAttempts: 1, wantStatus: 501, wantKind: outcome.HTTP5xx},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var served atomic.Int32
			srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(served.Add(1))
				if tt.fails < 0 || n <= tt.fails {
					http.Error(w, "failing", tt.status)
					return
				}
				io.WriteString(w, "ok")
			}))
			f := newFetcher(t, Options{Retries: tt.retries})
			res, err := f.Get(context.Background(), srv.URL)
			if res == nil {
				t.Fatal("Response is nil")
			}
			if res.Attempts != tt.wantAttempts || int(served.Load()) != tt.wantAttempts {
				t.Errorf("Attempts = %d, served %d, want %d", res.Attempts, served.Load(), tt.wantAttempts)
			}
			if res.Status != tt.wantStatus {
				t.Errorf("Status = %d, want %d", res.Status, tt.wantStatus)
			}
			if got := ErrorKind(err); got != tt.wantKind {
				t.Errorf("ErrorKind(%v) = %q, want %q", err, got, tt.wantKind)
			}
			if tt.wantKind == "" {
				checkBody(t, res.Body, []byte("ok"), false)
				res.Body.Release()
				return
			}
			var se *StatusError
			if !errors.As(err, &se) || se.Code != tt.wantStatus {
				t.Errorf("err = %v, want a *StatusError %d", err, tt.wantStatus)
			}
			if res.Body != nil {
				t.Error("Body is set on error")
			}
		})
	}
}

// TestRetryAfterCapped proves the cap end to end: the server asks for an
// hour, RetryWaitMax is a millisecond, and the fetch completes.
func TestRetryAfterCapped(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			var served atomic.Int32
			srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if served.Add(1) == 1 {
					w.Header().Set("Retry-After", "3600")
					w.WriteHeader(status)
					return
				}
				io.WriteString(w, "ok")
			}))
			f := newFetcher(t, Options{Retries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
			res, err := f.Get(context.Background(), srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Release()
			if res.Attempts != 2 {
				t.Fatalf("Attempts = %d, want 2", res.Attempts)
			}
		})
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	f := newFetcher(t, Options{Retries: 2})
	url := "http://" + addr + "/page"
	res, err := f.Get(context.Background(), url)
	if got := ErrorKind(err); got != outcome.Connection {
		t.Fatalf("ErrorKind(%v) = %q, want %q", err, got, outcome.Connection)
	}
	if res.URL != url || res.Attempts != 3 || res.Status != 0 || res.Body != nil || res.Duration <= 0 {
		t.Fatalf("Response = %+v, want URL %s, 3 attempts, status 0, no body, a duration", res, url)
	}
}

func TestBadURL(t *testing.T) {
	tests := []struct {
		url      string
		wantErr  error
		wantKind outcome.Kind
	}{
		{url: "ftp://example.com/file", wantErr: ErrScheme, wantKind: outcome.Other},
		{url: "mailto:someone@example.com", wantErr: ErrScheme, wantKind: outcome.Other},
		{url: "http://exa mple.com/", wantKind: outcome.Other},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			f := newFetcher(t, Options{})
			res, err := f.Get(context.Background(), tt.url)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := ErrorKind(err); got != tt.wantKind {
				t.Errorf("ErrorKind(%v) = %q, want %q", err, got, tt.wantKind)
			}
			if res == nil || res.URL != tt.url || res.Attempts != 0 {
				t.Errorf("Response = %+v, want URL %s and no attempt", res, tt.url)
			}
		})
	}
}

// redirectServer serves /r/N, which redirects to /r/N-1, down to /r/0,
// which answers "final".
func redirectServer(t *testing.T) *httptest.Server {
	return newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/ftp":
			http.Redirect(w, r, "ftp://example.com/file", http.StatusFound)
		case r.URL.Path == "/frag":
			http.Redirect(w, r, "/r/0#top", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/r/"):
			n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
			if err != nil {
				http.NotFound(w, r)
				return
			}
			if n == 0 {
				io.WriteString(w, "final")
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
}

func TestRedirects(t *testing.T) {
	srv := redirectServer(t)
	hops := func(from, to int) []string {
		var s []string
		for n := from - 1; n >= to; n-- {
			s = append(s, fmt.Sprintf("%s/r/%d", srv.URL, n))
		}
		return s
	}
	tests := []struct {
		name          string
		path          string
		maxRedirects  int
		wantErr       error
		wantRedirects []string
		wantFinal     string
		wantStatus    int
	}{
		{name: "none", path: "/r/0", wantFinal: "/r/0", wantStatus: 200},
		{name: "chain of 3", path: "/r/3", wantRedirects: hops(3, 0), wantFinal: "/r/0", wantStatus: 200},
		{name: "10 is the default limit", path: "/r/10", wantRedirects: hops(10, 0), wantFinal: "/r/0", wantStatus: 200},
		{name: "11 is too many", path: "/r/11", wantErr: ErrTooManyRedirects, wantRedirects: hops(11, 1), wantFinal: "/r/1", wantStatus: 302},
		{name: "custom limit", path: "/r/3", maxRedirects: 2, wantErr: ErrTooManyRedirects, wantRedirects: hops(3, 1), wantFinal: "/r/1", wantStatus: 302},
		{name: "negative follows none", path: "/r/1", maxRedirects: -1, wantErr: ErrTooManyRedirects, wantFinal: "/r/1", wantStatus: 302},
		{name: "scheme", path: "/ftp", wantErr: ErrRedirectScheme, wantFinal: "/ftp", wantStatus: 302},
		{name: "fragment", path: "/frag", wantRedirects: []string{srv.URL + "/r/0#top"}, wantFinal: "/r/0", wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFetcher(t, Options{Retries: 3, MaxRedirects: tt.maxRedirects})
			res, err := f.Get(context.Background(), srv.URL+tt.path)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if got := ErrorKind(err); got != outcome.Redirects {
					t.Errorf("ErrorKind = %q, want %q", got, outcome.Redirects)
				}
				// The message names URLs whole, never a Location as
				// the server wrote it ("Get \"/r/1\"").
				if strings.Contains(err.Error(), `"/`) {
					t.Errorf("err = %q: a relative URL", err)
				}
			} else {
				checkBody(t, res.Body, []byte("final"), false)
				res.Body.Release()
			}
			if res.Attempts != 1 {
				t.Errorf("Attempts = %d, want 1 (redirect failures are not retried)", res.Attempts)
			}
			if !slices.Equal(res.Redirects, tt.wantRedirects) {
				t.Errorf("Redirects = %q, want %q", res.Redirects, tt.wantRedirects)
			}
			if want := srv.URL + tt.wantFinal; res.FinalURL != want {
				t.Errorf("FinalURL = %s, want %s", res.FinalURL, want)
			}
			if res.Status != tt.wantStatus {
				t.Errorf("Status = %d, want %d", res.Status, tt.wantStatus)
			}
		})
	}
}

func TestRedirectAcrossHosts(t *testing.T) {
	b := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "on b")
	}))
	a := newServer(t, http.RedirectHandler(b.URL+"/landing", http.StatusMovedPermanently))
	f := newFetcher(t, Options{})
	res, err := f.Get(context.Background(), a.URL+"/start")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Release()
	if want := []string{b.URL + "/landing"}; !slices.Equal(res.Redirects, want) || res.FinalURL != want[0] {
		t.Fatalf("Redirects = %q, FinalURL = %s, want %q", res.Redirects, res.FinalURL, want)
	}
	checkBody(t, res.Body, []byte("on b"), false)
}

func TestRequestHeaders(t *testing.T) {
	type seen struct{ ua, extra, path string }
	var (
		mu   sync.Mutex
		got  []seen
		hdrs = http.Header{"x-crawl-test": {"yes"}}
	)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.UserAgent(), r.Header.Get("X-Crawl-Test"), r.URL.Path})
		mu.Unlock()
		if r.URL.Path == "/start" {
			http.Redirect(w, r, "/end", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<p>hi</p>")
	}))
	f := newFetcher(t, Options{UserAgent: "crawl/test", Header: hdrs})
	hdrs.Set("X-Crawl-Test", "changed later") // New copied the header
	res, err := f.Get(context.Background(), srv.URL+"/start")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Release()
	want := []seen{{"crawl/test", "yes", "/start"}, {"crawl/test", "yes", "/end"}}
	if !slices.Equal(got, want) {
		t.Fatalf("requests = %+v, want %+v", got, want)
	}
	if res.ContentType != "text/html; charset=utf-8" || res.Header.Get("Content-Type") != res.ContentType {
		t.Fatalf("ContentType = %q, Header = %v", res.ContentType, res.Header)
	}
}

// blockingServer announces each request on arrived, optionally writes part
// of a body, and then blocks until the client goes away or the test ends.
func blockingServer(t *testing.T, partial bool) (*httptest.Server, <-chan struct{}) {
	arrived := make(chan struct{}, 16)
	stop := make(chan struct{})
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if partial {
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
		}
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop) }) // runs before srv.Close
	return srv, arrived
}

// notifyTransport announces on got each response it returns.
type notifyTransport struct {
	*http.Transport
	got chan struct{}
}

func (t *notifyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.Transport.RoundTrip(req)
	if err == nil {
		t.got <- struct{}{}
	}
	return resp, err
}

func TestCancel(t *testing.T) {
	tests := []struct {
		name    string
		partial bool
		status  int // if set, the server fails with it and retries wait an hour
	}{
		{name: "waiting for headers"},
		{name: "reading the body", partial: true},
		{name: "waiting to retry", status: http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				srv     *httptest.Server
				arrived <-chan struct{}
			)
			opts := Options{Retries: 3, RetryWaitMin: time.Hour, RetryWaitMax: time.Hour}
			if tt.status != 0 {
				srv = newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.WriteHeader(tt.status)
				}))
				// The Get is about to wait when it asks for the backoff.
				ch := make(chan struct{}, 16)
				opts.Backoff = func(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
					ch <- struct{}{}
					return DefaultBackoff(minWait, maxWait, attempt, resp)
				}
				arrived = ch
			} else if tt.partial {
				srv, _ = blockingServer(t, true)
				// The Get is reading the body once it has the headers.
				nt := &notifyTransport{Transport: NewTransport(1), got: make(chan struct{}, 16)}
				opts.Transport = nt
				arrived = nt.got
			} else {
				srv, arrived = blockingServer(t, false)
			}
			f := newFetcher(t, opts)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			type result struct {
				res *Response
				err error
			}
			done := make(chan result, 1)
			go func() {
				res, err := f.Get(ctx, srv.URL)
				done <- result{res, err}
			}()
			<-arrived
			cancel()
			r := <-done
			if !errors.Is(r.err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", r.err)
			}
			if got := ErrorKind(r.err); got != outcome.Canceled {
				t.Errorf("ErrorKind = %q, want %q", got, outcome.Canceled)
			}
			if r.res.Attempts != 1 || r.res.Body != nil {
				t.Errorf("Attempts = %d, Body = %v, want 1 and nil", r.res.Attempts, r.res.Body)
			}
			if tt.status != 0 && r.res.Status != tt.status {
				t.Errorf("Status = %d, want %d from the attempt before the wait", r.res.Status, tt.status)
			}
		})
	}
}

func TestCanceledBeforeStart(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	f := newFetcher(t, Options{Retries: 3})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := f.Get(ctx, srv.URL)
	if got := ErrorKind(err); got != outcome.Canceled {
		t.Fatalf("ErrorKind(%v) = %q, want %q", err, got, outcome.Canceled)
	}
	if res.Attempts > 1 {
		t.Fatalf("Attempts = %d, want at most 1", res.Attempts)
	}
}

func TestTimeout(t *testing.T) {
	tests := []struct {
		name    string
		partial bool
	}{
		{name: "waiting for headers"},
		{name: "reading the body", partial: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, arrived := blockingServer(t, tt.partial)
			f := newFetcher(t, Options{Retries: 1, Timeout: 50 * time.Millisecond})
			res, err := f.Get(context.Background(), srv.URL)
			if got := ErrorKind(err); got != outcome.Timeout {
				t.Fatalf("ErrorKind(%v) = %q, want %q", err, got, outcome.Timeout)
			}
			if res.Attempts != 2 || len(arrived) != 2 {
				t.Fatalf("Attempts = %d, served %d, want 2", res.Attempts, len(arrived))
			}
		})
	}
}

// TestConcurrentGets checks that attempts and bodies are kept apart when
// many Gets share the Fetcher, its clients and its buffer pool.
func TestConcurrentGets(t *testing.T) {
	var (
		mu     sync.Mutex
		served = map[string]int{}
	)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// /p/<id>/<fails>: fail <fails> times, then serve a body for <id>.
		var id, fails int
		fmt.Sscanf(r.URL.Path, "/p/%d/%d", &id, &fails)
		mu.Lock()
		served[r.URL.Path]++
		n := served[r.URL.Path]
		mu.Unlock()
		if n <= fails {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.Write(payload(1000 + id*100))
	}))
	f := newFetcher(t, Options{Retries: 3})
	var wg sync.WaitGroup
	for id := range 24 {
		wg.Go(func() {
			fails := id % 4
			res, err := f.Get(context.Background(), fmt.Sprintf("%s/p/%d/%d", srv.URL, id, fails))
			if err != nil {
				t.Errorf("id %d: %v", id, err)
				return
			}
			defer res.Body.Release()
			if res.Attempts != fails+1 {
				t.Errorf("id %d: Attempts = %d, want %d", id, res.Attempts, fails+1)
			}
			checkBody(t, res.Body, payload(1000+id*100), false)
		})
	}
	wg.Wait()
}

func TestTimeoutTransport(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Write(payload(1000))
	}))
	defer close(release)
	// A gate in front of the timeout: time spent waiting there is not
	// counted, as a rate limiter's wait is not.
	gate := make(chan struct{})
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		<-gate
		return TimeoutTransport(http.DefaultTransport, 50*time.Millisecond, 0).RoundTrip(req)
	})
	f := newFetcher(t, Options{Transport: rt})
	done := make(chan error, 1)
	go func() {
		resp, err := f.Get(context.Background(), srv.URL+"/ok")
		if err == nil {
			resp.Body.Release()
		}
		done <- err
	}()
	time.Sleep(100 * time.Millisecond) // longer than the timeout, before the request starts
	close(gate)
	if err := <-done; err != nil {
		t.Fatalf("a request that waited before its round trip failed: %v", err)
	}
	_, err := f.Get(context.Background(), srv.URL+"/hang")
	if ErrorKind(err) != outcome.Timeout {
		t.Fatalf("hanging request: %v (kind %s); want a timeout", err, ErrorKind(err))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestIdleTimeout(t *testing.T) {
	// A body that keeps coming, slowly, is not cut by the idle timeout;
	// one that stops is, long before the total timeout.
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		for i := range 10 {
			if r.URL.Path == "/stall" && i == 5 {
				<-r.Context().Done()
				return
			}
			w.Write([]byte("x"))
			w.(http.Flusher).Flush()
			time.Sleep(10 * time.Millisecond)
		}
	}))
	f := newFetcher(t, Options{Transport: TimeoutTransport(http.DefaultTransport, time.Minute, 60*time.Millisecond)})
	resp, err := f.Get(context.Background(), srv.URL+"/drip")
	if err != nil {
		t.Fatalf("a body arriving every 10 ms with a 60 ms idle timeout: %v", err)
	}
	resp.Body.Release()
	start := time.Now()
	_, err = f.Get(context.Background(), srv.URL+"/stall")
	if ErrorKind(err) != outcome.Timeout || !strings.Contains(err.Error(), "no data received") {
		t.Fatalf("stalled body: %v (kind %s); want an idle timeout", err, ErrorKind(err))
	}
	if time.Since(start) > 30*time.Second {
		t.Fatal("the idle timeout did not cut the stalled body")
	}
}

// TestUnusableAnswers checks the answers below 400 that have no body to
// keep: a part of the body to a request for all of it, and a redirect
// that says nowhere to go. Each fails at once, of its kind, and is not
// retried; a 206 that holds the whole body, or a 300, is a body.
func TestUnusableAnswers(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		switch r.URL.Path {
		case "/part":
			w.Header().Set("Content-Range", "bytes 0-4/100")
			w.WriteHeader(http.StatusPartialContent)
			io.WriteString(w, "hello")
		case "/part-no-range":
			w.WriteHeader(http.StatusPartialContent)
			io.WriteString(w, "hello")
		case "/whole":
			w.Header().Set("Content-Range", "bytes 0-4/5")
			w.WriteHeader(http.StatusPartialContent)
			io.WriteString(w, "hello")
		case "/no-location":
			w.WriteHeader(http.StatusFound)
		case "/empty-location":
			w.Header().Set("Location", " ")
			w.WriteHeader(http.StatusMovedPermanently)
		case "/choices":
			w.WriteHeader(http.StatusMultipleChoices)
			io.WriteString(w, "pick one")
		}
	}))
	for _, tt := range []struct {
		path    string
		wantErr error
		kind    outcome.Kind
	}{
		{"/part", ErrPartialContent, outcome.Other},
		{"/part-no-range", ErrPartialContent, outcome.Other},
		{"/whole", nil, ""},
		{"/no-location", ErrNoLocation, outcome.Redirects},
		{"/empty-location", ErrNoLocation, outcome.Redirects},
		{"/choices", nil, ""},
	} {
		t.Run(tt.path, func(t *testing.T) {
			f := newFetcher(t, Options{Retries: 2})
			res, err := f.Get(context.Background(), srv.URL+tt.path)
			if !errors.Is(err, tt.wantErr) || ErrorKind(err) != tt.kind {
				t.Fatalf("err = %v (kind %q), want %v (kind %q)", err, ErrorKind(err), tt.wantErr, tt.kind)
			}
			if err == nil {
				res.Body.Release()
			}
			mu.Lock()
			defer mu.Unlock()
			if hits[tt.path] != 1 {
				t.Errorf("%d requests, want 1", hits[tt.path])
			}
		})
	}
}
