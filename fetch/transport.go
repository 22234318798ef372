package fetch

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// TransportOptions configures NewTransportWith.
type TransportOptions struct {
	// Conns is about how many requests run at once: the transport keeps
	// that many idle keep-alive connections per host.
	Conns int
	// Resolve maps "host:port" (lowercase) to the address to dial instead,
	// as curl's --resolve does: TLS still verifies the host name, and the
	// Host header is unchanged. See ParseResolve.
	Resolve map[string]string
	// Insecure turns off TLS certificate verification.
	Insecure bool
	// Proxy is the proxy for every request; nil means the environment's
	// HTTP_PROXY, HTTPS_PROXY and NO_PROXY.
	Proxy *url.URL
}

// NewTransport returns NewTransportWith(TransportOptions{Conns: conns}).
func NewTransport(conns int) *http.Transport {
	return NewTransportWith(TransportOptions{Conns: conns})
}

// NewTransportWith returns an http.Transport tuned for crawling with about
// opts.Conns concurrent requests: up to that many idle keep-alive
// connections per host and max(100, 4·Conns) in all, bounded dial and TLS
// handshake times, proxies from the environment unless opts.Proxy is set,
// and HTTP/2 attempted for https (plain http stays HTTP/1.1). Compression is
// left on, so the transport asks for gzip and decompresses transparently;
// Options.MaxSize then counts decompressed bytes.
//
// The caller owns the transport; Fetcher.CloseIdleConnections closes its
// idle connections.
func NewTransportWith(opts TransportOptions) *http.Transport {
	conns := max(opts.Conns, 1)
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	dial := dialer.DialContext
	if len(opts.Resolve) > 0 {
		resolve := maps.Clone(opts.Resolve)
		dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if to, ok := resolve[strings.ToLower(addr)]; ok {
				addr = to
			}
			return dialer.DialContext(ctx, network, addr)
		}
	}
	proxy := http.ProxyFromEnvironment
	if opts.Proxy != nil {
		proxy = http.ProxyURL(opts.Proxy)
	}
	t := &http.Transport{
		Proxy:                  proxy,
		DialContext:            dial,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           max(100, 4*conns),
		MaxIdleConnsPerHost:    conns,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
	}
	if opts.Insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return t
}

// ParseResolve reads a --resolve value, HOST:PORT:ADDR as curl takes it
// (ADDR an IP address, IPv6 in brackets), and returns the "host:port" key
// and the address to dial for TransportOptions.Resolve.
func ParseResolve(s string) (key, addr string, err error) {
	host, rest, ok := strings.Cut(s, ":")
	port, ip, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || host == "" || ip == "" {
		return "", "", fmt.Errorf("resolve %q: want HOST:PORT:ADDR", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("resolve %q: bad port %q", s, port)
	}
	ip = strings.TrimSuffix(strings.TrimPrefix(ip, "["), "]")
	if net.ParseIP(ip) == nil {
		return "", "", fmt.Errorf("resolve %q: %q is not an IP address", s, ip)
	}
	return strings.ToLower(net.JoinHostPort(host, port)), net.JoinHostPort(ip, port), nil
}

// AuthTransport returns an http.RoundTripper that sends basic credentials
// with every request to one of hosts ("host:port" as in the request URL,
// lowercase) that carries no Authorization header, and to no other host:
// each redirect hop is a request of its own, so credentials never follow a
// redirect to another host.
func AuthTransport(base http.RoundTripper, user *url.Userinfo, hosts []string) http.RoundTripper {
	set := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		set[strings.ToLower(h)] = true
	}
	return &authTransport{base: base, user: user, hosts: set}
}

type authTransport struct {
	base  http.RoundTripper
	user  *url.Userinfo
	hosts map[string]bool
}

// RoundTrip implements http.RoundTripper.
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.hosts[strings.ToLower(req.URL.Host)] && req.Header.Get("Authorization") == "" {
		req = req.Clone(req.Context())
		pass, _ := t.user.Password()
		req.SetBasicAuth(t.user.Username(), pass)
	}
	return t.base.RoundTrip(req)
}

// CloseIdleConnections closes the idle connections of the base transport.
func (t *authTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// TimeoutTransport returns an http.RoundTripper that bounds each round trip
// on base, from the moment base is called to the end of the response body:
// by total in all, and by idle between two arrivals of data (the response
// headers, then each read of the body), so that a server dripping a body
// byte by byte is cut off long before total. Placed under a rate limiter's
// transport, it times the request itself and not the wait for the
// limiter, which http.Client.Timeout would count: a crawl that is polite
// to a slow host must not fail its URLs for having waited their turn.
// Zero durations mean no limit. Both timeouts fail with an error that is
// a net.Error whose Timeout method reports true. The returned
// RoundTripper forwards CloseIdleConnections to base.
func TimeoutTransport(base http.RoundTripper, total, idle time.Duration) http.RoundTripper {
	if total <= 0 && idle <= 0 {
		return base
	}
	return &timeoutTransport{base: base, total: total, idle: idle}
}

type timeoutTransport struct {
	base        http.RoundTripper
	total, idle time.Duration
}

// errIdle is the error of a round trip cut off by the idle timeout.
type errIdle struct{ d time.Duration }

func (e errIdle) Error() string   { return fmt.Sprintf("no data received for %v", e.d) }
func (e errIdle) Timeout() bool   { return true }
func (e errIdle) Temporary() bool { return true }

// RoundTrip implements http.RoundTripper.
func (t *timeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if t.total > 0 {
		ctx, cancel = context.WithTimeout(ctx, t.total)
	}
	ctx, cancelIdle := context.WithCancel(ctx)
	w := &watchdog{idle: t.idle, cancel: func() { cancelIdle(); cancel() }}
	if t.idle > 0 {
		w.timer = time.AfterFunc(t.idle, func() {
			w.fired.Store(true)
			cancelIdle()
		})
	}
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		w.stop()
		return nil, w.translate(err)
	}
	w.kick()
	resp.Body = &cancelBody{ReadCloser: resp.Body, w: w}
	return resp, nil
}

// CloseIdleConnections closes the idle connections of the base transport.
func (t *timeoutTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// watchdog is the idle timer of one round trip.
type watchdog struct {
	idle   time.Duration
	timer  *time.Timer // nil without an idle timeout
	fired  atomic.Bool
	cancel context.CancelFunc
}

// kick restarts the idle timer: data arrived.
func (w *watchdog) kick() {
	if w.timer != nil && !w.fired.Load() {
		w.timer.Reset(w.idle)
	}
}

func (w *watchdog) stop() {
	if w.timer != nil {
		w.timer.Stop()
	}
	w.cancel()
}

// translate turns the cancellation caused by the idle timer into errIdle.
func (w *watchdog) translate(err error) error {
	if err != nil && err != io.EOF && w.fired.Load() {
		// %v: the cancellation the timer caused must not read as the
		// caller cancelling.
		return fmt.Errorf("%w (%v)", errIdle{w.idle}, err)
	}
	return err
}

// cancelBody restarts the idle timer at every read and ends the round
// trip's context when the body is closed.
type cancelBody struct {
	io.ReadCloser
	w *watchdog
}

func (b *cancelBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.w.kick()
	}
	return n, b.w.translate(err)
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.w.stop()
	return err
}
