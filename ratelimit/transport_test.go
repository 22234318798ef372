package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newClient returns a client whose transport goes through l and whose idle
// connections are closed when the test ends, so goleak stays quiet.
func newClient(t *testing.T, l *Limiter) *http.Client {
	t.Helper()
	base := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(base.CloseIdleConnections)
	return &http.Client{Transport: l.Transport(base)}
}

func hostOf(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func get(t *testing.T, c *http.Client, url string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Error(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// gatedServer counts requests in flight; every request announces itself on
// arrived and then waits for a value on gate.
type gatedServer struct {
	*httptest.Server
	arrived chan struct{}
	gate    chan struct{}
	cur     atomic.Int32
	peak    atomic.Int32
}

func newGatedServer(t *testing.T, n int) *gatedServer {
	s := &gatedServer{arrived: make(chan struct{}, n), gate: make(chan struct{}, n)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := s.cur.Add(1)
		for {
			p := s.peak.Load()
			if c <= p || s.peak.CompareAndSwap(p, c) {
				break
			}
		}
		s.arrived <- struct{}{}
		<-s.gate
		s.cur.Add(-1)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(s.Close)
	return s
}

func TestTransportPerHostCap(t *testing.T) {
	tests := []struct {
		perHost, requests int
	}{
		{perHost: 1, requests: 10},
		{perHost: 2, requests: 20},
		{perHost: 5, requests: 20},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("perhost %d requests %d", tt.perHost, tt.requests), func(t *testing.T) {
			srv := newGatedServer(t, tt.requests)
			l := New(Options{PerHost: tt.perHost})
			c := newClient(t, l)
			var wg sync.WaitGroup
			for range tt.requests {
				wg.Go(func() { get(t, c, srv.URL) })
			}
			// Wait until the cap is reached, then let requests finish one
			// at a time; each departure lets exactly one more in.
			for range tt.perHost {
				<-srv.arrived
			}
			for range tt.requests - tt.perHost {
				srv.gate <- struct{}{}
				<-srv.arrived
			}
			for range tt.perHost {
				srv.gate <- struct{}{}
			}
			wg.Wait()
			if p := srv.peak.Load(); int(p) != tt.perHost {
				t.Fatalf("peak in flight = %d, want %d", p, tt.perHost)
			}
			if n := l.inFlight(hostOf(t, srv.URL)); n != 0 {
				t.Fatalf("slots held at the end = %d, want 0", n)
			}
		})
	}
}

func TestTransportHostsIndependent(t *testing.T) {
	// Two servers listen on different ports, so they are different hosts.
	a := newGatedServer(t, 1)
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "b")
	}))
	defer b.Close()
	l := New(Options{PerHost: 1, Rate: 1.0 / 3600})
	c := newClient(t, l)

	done := make(chan struct{})
	go func() {
		defer close(done)
		get(t, c, a.URL)
	}()
	<-a.arrived // a's only slot and only token are now taken
	get(t, c, b.URL)
	a.gate <- struct{}{}
	<-done
}

func TestTransportRelease(t *testing.T) {
	body := make([]byte, 100<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(body)
	}))
	defer srv.Close()
	host := hostOf(t, srv.URL)

	tests := []struct {
		name   string
		finish func(io.ReadCloser)
	}{
		{name: "close unread", finish: func(rc io.ReadCloser) { rc.Close() }},
		{name: "read to EOF", finish: func(rc io.ReadCloser) { io.Copy(io.Discard, rc) }},
		{name: "read and close", finish: func(rc io.ReadCloser) { io.Copy(io.Discard, rc); rc.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(Options{PerHost: 1})
			c := newClient(t, l)
			resp, err := c.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if n := l.inFlight(host); n != 1 {
				t.Fatalf("slots held with the body open = %d, want 1", n)
			}
			tt.finish(resp.Body)
			if n := l.inFlight(host); n != 0 {
				t.Fatalf("slots held after the body ended = %d, want 0", n)
			}
			// The freed slot is usable again.
			get(t, c, srv.URL)
		})
	}
}

func TestTransportRedirectHops(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/a", http.RedirectHandler("/b", http.StatusFound))
	mux.Handle("/b", http.RedirectHandler("/c", http.StatusFound))
	mux.HandleFunc("/c", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "c") })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	host := hostOf(t, srv.URL)

	// PerHost 1 must not deadlock: each hop's body is closed before the next
	// hop acquires. Each hop takes a token: after three, the bucket of 3 is
	// empty and the next request waits a full period.
	l, clk := newTestLimiter(Options{PerHost: 1, Rate: 1.0 / 3600, Burst: 3})
	c := newClient(t, l)
	get(t, c, srv.URL+"/a")
	if got, want := l.reserve(host, clk.Now()), time.Hour; got != want {
		t.Fatalf("delay after three hops = %v, want %v", got, want)
	}
	if n := l.inFlight(host); n != 0 {
		t.Fatalf("slots held = %d, want 0", n)
	}
}

func TestTransportCancel(t *testing.T) {
	srv := newGatedServer(t, 1)
	l := New(Options{PerHost: 1})
	waiting := make(chan struct{})
	l.onWait = func() { close(waiting) }
	c := newClient(t, l)

	done := make(chan struct{})
	go func() {
		defer close(done)
		get(t, c, srv.URL)
	}()
	<-srv.arrived

	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-waiting
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Do = %v, want context.Canceled", err)
	}
	srv.gate <- struct{}{}
	<-done
}

// TestStartContext checks that a request whose start context is done does
// not start (first attempt, or one waiting for its host's turn), and that
// one under way is not stopped by it.
func TestStartContext(t *testing.T) {
	proceed := make(chan struct{})
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte("head "))
		w.(http.Flusher).Flush()
		<-proceed
		w.Write([]byte("tail"))
	}))
	defer srv.Close()
	l := New(Options{PerHost: 1})
	client := &http.Client{Transport: l.Transport(nil)}
	start, stopStarting := context.WithCancel(context.Background())
	ctx := WithStartContext(context.Background(), start)
	get := func() (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		return client.Do(req)
	}

	// The first request starts and holds the host's only slot.
	first, err := get()
	if err != nil {
		t.Fatal(err)
	}
	// The second waits for the slot; it must give up when start ends.
	second := make(chan error, 1)
	go func() {
		resp, err := get()
		if err == nil {
			resp.Body.Close()
		}
		second <- err
	}()
	stopStarting()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Errorf("a request waiting for its turn after start ended: %v; want context.Canceled", err)
	}
	if _, err := get(); !errors.Is(err, context.Canceled) {
		t.Errorf("a request made after start ended: %v; want context.Canceled", err)
	}
	// The one under way finishes.
	close(proceed)
	body, err := io.ReadAll(first.Body)
	first.Body.Close()
	if err != nil || string(body) != "head tail" {
		t.Errorf("the request under way read %q, %v", body, err)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("the server got %d requests; want 1", n)
	}
}
