package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crawl-go/crawl/internal/wiretest"
	"github.com/crawl-go/crawl/outcome"
)

// rawOf returns all the bytes of r.
func rawOf(t *testing.T, r *Raw) []byte {
	t.Helper()
	b := make([]byte, r.Len())
	if _, err := r.ReadAt(b, 0); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	return b
}

func gzipped(s string) string {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write([]byte(s))
	z.Close()
	return b.String()
}

// captureFetcher returns a Fetcher keeping exchanges over a capturing
// transport.
func captureFetcher(t *testing.T, opts Options, to TransportOptions) *Fetcher {
	t.Helper()
	to.Capture = true
	if to.Conns == 0 {
		to.Conns = 2
	}
	opts.Transport = NewTransportWith(to)
	opts.KeepExchange = true
	return newFetcher(t, opts)
}

// TestCaptureWire fetches from a server that controls its bytes: each
// exchange holds exactly what went over the connection, every hop of a
// redirect chain is its own exchange, and one kept-alive connection
// serves them all.
func TestCaptureWire(t *testing.T) {
	page := "<!doctype html><title>chunked</title>" + strings.Repeat("x", 100)
	routes := map[string]wiretest.Route{
		"/odd": func(*http.Request, int) ([][]byte, bool) {
			return [][]byte{wiretest.Response("HTTP/1.1 200 Fine Thanks", []string{
				"x-lower: a", "Content-TYPE: text/plain", "X-Dup: 1", "Set-Cookie: a=1", "X-Dup: 2",
				"Set-Cookie: b=2", "content-length: 5"}, "hello")}, false
		},
		"/chunked": func(*http.Request, int) ([][]byte, bool) {
			body := wiretest.Chunked(page, 7, 30)
			resp := wiretest.Response("HTTP/1.1 200 OK", []string{"Content-Type: text/html", "Transfer-Encoding: chunked"}, body)
			return [][]byte{resp[:50], resp[50:]}, false // two reads
		},
		"/gzip": func(*http.Request, int) ([][]byte, bool) {
			z := gzipped(page)
			return [][]byte{wiretest.Response("HTTP/1.1 200 OK", []string{"Content-Encoding: gzip", "Content-Type: text/html",
				"Content-Length: " + strconv.Itoa(len(z))}, z)}, false
		},
		"/gzip-chunked": func(*http.Request, int) ([][]byte, bool) {
			z := gzipped(page)
			return [][]byte{wiretest.Response("HTTP/1.1 200 OK", []string{"Content-Encoding: gzip", "Transfer-Encoding: chunked"},
				wiretest.Chunked(z, 10))}, false
		},
		"/r1": redirectTo("/r2"),
		"/r2": redirectTo("/r3"),
		"/r3": redirectTo("/odd"),
		"/early": func(*http.Request, int) ([][]byte, bool) {
			return [][]byte{[]byte("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"),
				wiretest.Response("HTTP/1.1 200 OK", []string{"Content-Length: 2"}, "ok")}, false
		},
	}
	srv := wiretest.New(t, routes)
	f := captureFetcher(t, Options{UserAgent: "crawl/test"}, TransportOptions{})
	for _, tt := range []struct {
		path  string
		hops  []string // paths of the exchanges, in order
		body  string   // decoded body of the last one
		first string   // the last response's first line
	}{
		{"/odd", []string{"/odd"}, "hello", "HTTP/1.1 200 Fine Thanks"},
		{"/chunked", []string{"/chunked"}, page, "HTTP/1.1 200 OK"},
		{"/gzip", []string{"/gzip"}, page, "HTTP/1.1 200 OK"},
		{"/gzip-chunked", []string{"/gzip-chunked"}, page, "HTTP/1.1 200 OK"},
		{"/r1", []string{"/r1", "/r2", "/r3", "/odd"}, "hello", "HTTP/1.1 200 Fine Thanks"},
		{"/early", []string{"/early"}, "ok", "HTTP/1.1 200 OK"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			before := len(srv.Exchanges())
			resp, err := f.Get(context.Background(), srv.URL()+tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.ReleaseExchanges()
			if got := string(resp.Body.Bytes()); got != tt.body {
				t.Errorf("body %q, want %q", got, tt.body)
			}
			resp.Body.Release()
			served := srv.Exchanges()[before:]
			if len(resp.Exchanges) != len(tt.hops) || len(served) != len(tt.hops) {
				t.Fatalf("%d exchanges, %d served, want %d", len(resp.Exchanges), len(served), len(tt.hops))
			}
			for i, ex := range resp.Exchanges {
				want := served[i]
				if want.Path != tt.hops[i] || ex.URL != srv.URL()+tt.hops[i] {
					t.Errorf("hop %d: %s, served %s, want %s", i, ex.URL, want.Path, tt.hops[i])
				}
				if !ex.Wire || ex.Truncated != "" || ex.RemoteIP != "127.0.0.1" || ex.Date.IsZero() {
					t.Errorf("hop %d: wire %v, truncated %q, ip %q, date %v", i, ex.Wire, ex.Truncated, ex.RemoteIP, ex.Date)
				}
				if !bytes.Equal(ex.Request, want.Request) {
					t.Errorf("hop %d: request\n%q\nwant\n%q", i, ex.Request, want.Request)
				}
				got := rawOf(t, ex.Response)
				wantResp := want.Response
				if tt.path == "/early" {
					wantResp = wantResp[bytes.Index(wantResp, []byte("HTTP/1.1 200")):]
				}
				if !bytes.Equal(got, wantResp) {
					t.Errorf("hop %d: response\n%q\nwant\n%q", i, got, wantResp)
				}
			}
			last := rawOf(t, resp.Exchanges[len(resp.Exchanges)-1].Response)
			if !bytes.HasPrefix(last, []byte(tt.first+"\r\n")) {
				t.Errorf("last response starts %.40q", last)
			}
		})
	}
	if n := srv.Conns(); n != 1 {
		t.Errorf("%d connections, want 1 kept alive", n)
	}
	// Compression is asked for as usual: the archive holds what came.
	if ex := srv.Exchanges()[0]; !bytes.Contains(ex.Request, []byte("Accept-Encoding: gzip\r\n")) {
		t.Errorf("request %q does not ask for gzip", ex.Request)
	}
}

func redirectTo(to string) wiretest.Route {
	return func(*http.Request, int) ([][]byte, bool) {
		body := "<a href=\"" + to + "\">moved</a>"
		return [][]byte{wiretest.Response("HTTP/1.1 301 Moved Permanently", []string{"Location: " + to,
			"Content-Length: " + strconv.Itoa(len(body))}, body)}, false
	}
}

// TestCaptureFailures keeps the exchanges of failed fetches: a 404 and a
// 500 with their bodies, and of a retried URL only the last attempt.
func TestCaptureFailures(t *testing.T) {
	srv := wiretest.New(t, map[string]wiretest.Route{
		"/missing": func(*http.Request, int) ([][]byte, bool) {
			body := strings.Repeat("gone ", 20000) // over the 64 KiB drained without an archive
			return [][]byte{wiretest.Response("HTTP/1.1 404 Not Found", []string{"Content-Length: " + strconv.Itoa(len(body))}, body)}, false
		},
		"/flaky": func(_ *http.Request, n int) ([][]byte, bool) {
			body := "attempt " + strconv.Itoa(n)
			return [][]byte{wiretest.Response("HTTP/1.1 500 Internal Server Error", []string{"Content-Length: " + strconv.Itoa(len(body))}, body)}, false
		},
		"/big": func(*http.Request, int) ([][]byte, bool) {
			body := strings.Repeat("b", 300_000) // over the limit, and over what is drained
			return [][]byte{wiretest.Response("HTTP/1.1 200 OK", []string{"Content-Length: 300000"}, body)}, false
		},
	})
	f := captureFetcher(t, Options{Retries: 2, MaxSize: 100_000}, TransportOptions{})
	for _, tt := range []struct {
		path         string
		kind         outcome.Kind
		attempts     int
		body         string // last exchange's response ends with it
		status       int
		truncated    string
		wholeMessage bool
	}{
		{"/missing", outcome.HTTP4xx, 1, "gone gone \n", 404, "", true},
		{"/flaky", outcome.HTTP5xx, 3, "attempt 3", 500, "", true},
		{"/big", outcome.TooLarge, 1, "", 200, "length", false},
	} {
		t.Run(tt.path, func(t *testing.T) {
			before := len(srv.Exchanges())
			resp, err := f.Get(context.Background(), srv.URL()+tt.path)
			if ErrorKind(err) != tt.kind || resp.Attempts != tt.attempts {
				t.Fatalf("error %v (%s), %d attempts; want %s, %d", err, ErrorKind(err), resp.Attempts, tt.kind, tt.attempts)
			}
			defer resp.ReleaseExchanges()
			if len(resp.Exchanges) != 1 {
				t.Fatalf("%d exchanges, want the last attempt's one", len(resp.Exchanges))
			}
			ex := resp.Exchanges[0]
			served := srv.Exchanges()[before:]
			last := served[len(served)-1]
			got := rawOf(t, ex.Response)
			if ex.Status != tt.status || ex.Truncated != tt.truncated || !bytes.Equal(ex.Request, last.Request) {
				t.Errorf("status %d, truncated %q, request %q; want %d, %q, %q", ex.Status, ex.Truncated, ex.Request, tt.status, tt.truncated, last.Request)
			}
			if tt.wholeMessage && !bytes.Equal(got, last.Response) {
				t.Errorf("response of %d bytes %.60q..., want the %d bytes served", len(got), got, len(last.Response))
			}
			if !tt.wholeMessage && (len(got) >= len(last.Response) || !bytes.HasPrefix(last.Response, got)) {
				t.Errorf("truncated response of %d bytes is not a prefix of the %d served", len(got), len(last.Response))
			}
		})
	}
}

// TestCaptureSpill keeps a large response on disk, not in memory, and
// removes the file on Release.
func TestCaptureSpill(t *testing.T) {
	body := string(payload(300 << 10))
	srv := wiretest.New(t, map[string]wiretest.Route{
		"/large": func(*http.Request, int) ([][]byte, bool) {
			return [][]byte{wiretest.Response("HTTP/1.1 200 OK", []string{"Transfer-Encoding: chunked"}, wiretest.Chunked(body, 1000, 70000))}, false
		},
	})
	dir := t.TempDir()
	f := captureFetcher(t, Options{SpillThreshold: 64 << 10, TempFile: tempFileIn(dir)}, TransportOptions{})
	resp, err := f.Get(context.Background(), srv.URL()+"/large")
	if err != nil {
		t.Fatal(err)
	}
	checkBody(t, resp.Body, []byte(body), true)
	resp.Body.Release()
	ex := resp.Exchanges[0]
	if ex.Response.Bytes() != nil {
		t.Error("a large response is held in memory")
	}
	if got, want := rawOf(t, ex.Response), srv.Exchanges()[0].Response; !bytes.Equal(got, want) {
		t.Errorf("spilled response of %d bytes differs from the %d served", len(got), len(want))
	}
	if n := len(dirEntries(t, dir)); n != 1 {
		t.Errorf("%d files in the spill folder, want the response's", n)
	}
	resp.ReleaseExchanges()
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("left after Release: %v", names)
	}
}

// TestCaptureTLS captures HTTPS inside the encryption, over HTTP/1.1 even
// with a server that offers HTTP/2, directly and through a CONNECT proxy.
func TestCaptureTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Proto", r.Proto)
		w.Write([]byte("secret page"))
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	var connects []string
	var tunnels []chan struct{} // closed when a tunnel's copies end
	var mu sync.Mutex
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		mu.Lock()
		connects = append(connects, r.Host+" "+r.Header.Get("Proxy-Authorization"))
		mu.Unlock()
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		down, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			up.Close()
			return
		}
		down.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		done := make(chan struct{})
		mu.Lock()
		tunnels = append(tunnels, done)
		mu.Unlock()
		go func() {
			go func() { io.Copy(up, down); up.Close() }()
			io.Copy(down, up)
			down.Close()
			close(done)
		}()
	}))
	defer func() {
		proxy.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, done := range tunnels {
			<-done
		}
	}()
	proxyURL, _ := url.Parse(proxy.URL)
	proxyURL.User = url.UserPassword("u", "p")

	for _, tt := range []struct {
		name  string
		proxy *url.URL
	}{{"direct", nil}, {"proxy", proxyURL}} {
		t.Run(tt.name, func(t *testing.T) {
			f := captureFetcher(t, Options{}, TransportOptions{Insecure: true, Proxy: tt.proxy})
			resp, err := f.Get(context.Background(), srv.URL+"/s")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Release()
			defer resp.ReleaseExchanges()
			ex := resp.Exchanges[0]
			got := string(rawOf(t, ex.Response))
			if !ex.Wire || !strings.HasPrefix(string(ex.Request), "GET /s HTTP/1.1\r\n") ||
				!strings.HasPrefix(got, "HTTP/1.1 200 OK\r\n") || !strings.Contains(got, "X-Proto: HTTP/1.1\r\n") ||
				!strings.HasSuffix(got, "\r\n\r\nsecret page") || ex.RemoteIP != "127.0.0.1" {
				t.Errorf("wire %v, request %q, response %q, ip %q", ex.Wire, ex.Request, got, ex.RemoteIP)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{strings.TrimPrefix(srv.URL, "https://") + " Basic dTpw"}; strings.Join(connects, ",") != strings.Join(want, ",") {
		t.Errorf("proxy saw CONNECT %q, want %q", connects, want)
	}
}

// TestCaptureHTTPSProxy fetches through an https:// proxy with a
// capturing transport: the transport reaches the proxy itself over TLS.
func TestCaptureHTTPSProxy(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("page"))
	}))
	defer target.Close()
	var proxied []string
	var mu sync.Mutex
	proxy := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		proxied = append(proxied, r.URL.String())
		mu.Unlock()
		resp, err := http.Get(r.URL.String())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)
	f := captureFetcher(t, Options{}, TransportOptions{Insecure: true, Proxy: proxyURL})
	resp, err := f.Get(context.Background(), target.URL+"/p")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.ReleaseExchanges()
	defer resp.Body.Release()
	if got := string(resp.Body.Bytes()); got != "page" {
		t.Errorf("body %q; want page", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := target.URL + "/p"; len(proxied) != 1 || proxied[0] != want {
		t.Errorf("the proxy forwarded %q; want %s", proxied, want)
	}
}

// TestKeepExchangeRebuilt: without a capturing transport the heads are
// rebuilt from the parsed response, and the final one carries the decoded
// body with its length.
func TestKeepExchangeRebuilt(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/from" {
			http.Redirect(w, r, "/to", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("part one "))
		w.(http.Flusher).Flush()
		w.Write([]byte("body"))
	}))
	f := newFetcher(t, Options{KeepExchange: true, UserAgent: "crawl/test"})
	resp, err := f.Get(context.Background(), srv.URL+"/from?q=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Release()
	defer resp.ReleaseExchanges()
	if len(resp.Exchanges) != 2 {
		t.Fatalf("%d exchanges, want 2", len(resp.Exchanges))
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	for i, want := range []struct{ req, respHas, respEnd string }{
		{"GET /from?q=1 HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: crawl/test\r\n\r\n", "Location: /to\r\n", "\r\n\r\n"},
		{"GET /to HTTP/1.1\r\nHost: " + host + "\r\n", "Content-Length: 13\r\n", "\r\n\r\npart one body"},
	} {
		ex := resp.Exchanges[i]
		got := string(rawOf(t, ex.Response))
		if ex.Wire || !strings.HasPrefix(string(ex.Request), want.req) || !strings.Contains(got, want.respHas) ||
			!strings.HasSuffix(got, want.respEnd) || strings.Contains(got, "Transfer-Encoding") {
			t.Errorf("exchange %d: wire %v, request %q, response %q", i, ex.Wire, ex.Request, got)
		}
	}
}

// TestCaptureConcurrent fetches over a few shared connections from many
// goroutines: every exchange holds its own bytes and no other's.
func TestCaptureConcurrent(t *testing.T) {
	routes := map[string]wiretest.Route{}
	const n = 40
	for i := range n {
		p := "/p" + strconv.Itoa(i)
		routes[p] = func(*http.Request, int) ([][]byte, bool) {
			body := strings.Repeat(p, 100*(i+1))
			return [][]byte{wiretest.Response("HTTP/1.1 200 OK", []string{"Content-Length: " + strconv.Itoa(len(body))}, body)}, false
		}
	}
	srv := wiretest.New(t, routes)
	f := captureFetcher(t, Options{}, TransportOptions{Conns: 3})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			p := "/p" + strconv.Itoa(i)
			resp, err := f.Get(ctx, srv.URL()+p)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Release()
			defer resp.ReleaseExchanges()
			got := rawOf(t, resp.Exchanges[0].Response)
			if want := strings.Repeat(p, 100*(i+1)); !bytes.HasSuffix(got, []byte("\r\n\r\n"+want)) {
				errs <- errors.New(p + ": response holds other bytes")
			}
			if !bytes.HasPrefix(resp.Exchanges[0].Request, []byte("GET "+p+" ")) {
				errs <- errors.New(p + ": request holds other bytes")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_ = os.Getpid
}

// lateWriteConn is a connection whose Write returns only once release is
// closed, after its bytes went out: the goroutine that wrote a request
// runs again only after the response came back and was read, as it may
// on a loaded machine.
type lateWriteConn struct {
	net.Conn
	release <-chan struct{}
}

func (c lateWriteConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	select {
	case <-c.release:
	case <-time.After(10 * time.Second):
	}
	return n, err
}

// TestCaptureRequestWrittenLate fetches over a connection whose writing
// goroutine returns from the request's write only after the response was
// read to its end: the exchange still holds the request. It held none
// (the hop had ended by then), and the archive then left out the
// response too ("invalid exchange: no request"), which happened now and
// then on a loaded machine.
func TestCaptureRequestWrittenLate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<title>late</title>")
	}))
	defer srv.Close()
	release := make(chan struct{})
	tr := NewTransportWith(TransportOptions{Conns: 2})
	var d net.Dialer
	capture(tr, func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return lateWriteConn{Conn: c, release: release}, nil
	}, http.ProxyFromEnvironment)
	f := newFetcher(t, Options{Transport: tr, KeepExchange: true})
	resp, err := f.Get(context.Background(), srv.URL+"/late")
	close(release)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.ReleaseExchanges()
	defer resp.Body.Release()
	if len(resp.Exchanges) != 1 {
		t.Fatalf("%d exchanges; want 1", len(resp.Exchanges))
	}
	ex := resp.Exchanges[0]
	if !ex.Wire || !bytes.HasPrefix(ex.Request, []byte("GET /late HTTP/1.1\r\n")) || !bytes.HasSuffix(ex.Request, []byte("\r\n\r\n")) {
		t.Errorf("request %q (wire %v); want the GET as written", ex.Request, ex.Wire)
	}
	if ex.Date.IsZero() {
		t.Error("no date")
	}
}
