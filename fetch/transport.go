package fetch

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	xproxy "golang.org/x/net/proxy"
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
	// Capture makes every connection record the bytes it carries, for
	// Options.KeepExchange: a Fetcher with KeepExchange then gets each
	// request and response as they went over the wire. The transport then
	// speaks HTTP/1.1 only (an HTTP/2 exchange has no such bytes), and
	// does TLS itself, also through an http:// or socks5:// proxy (which
	// it reaches with CONNECT or SOCKS); through an https:// proxy, HTTPS
	// exchanges are not captured but rebuilt.
	Capture bool
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
		// One read takes a whole page with its header where the peer sent
		// it: net/http's 4 KiB default reads a 25 KB page in two calls,
		// header then body (5,750 pages: 16,600 reads, then 11,555).
		ReadBufferSize: 64 << 10,
	}
	if opts.Insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	if opts.Capture {
		capture(t, dial, proxy)
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
// with every request to a host of creds (keyed by "host:port" as in the
// request URL, lowercase) that carries no Authorization header: that
// host's credentials, and none to any other host. Each redirect hop is a
// request of its own, so credentials never follow a redirect to another
// host.
func AuthTransport(base http.RoundTripper, creds map[string]*url.Userinfo) http.RoundTripper {
	byHost := make(map[string]*url.Userinfo, len(creds))
	for h, u := range creds {
		byHost[strings.ToLower(h)] = u
	}
	return &authTransport{base: base, creds: byHost}
}

type authTransport struct {
	base  http.RoundTripper
	creds map[string]*url.Userinfo
}

// RoundTrip implements http.RoundTripper.
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if user := t.creds[strings.ToLower(req.URL.Host)]; user != nil && req.Header.Get("Authorization") == "" {
		req = req.Clone(req.Context())
		pass, _ := user.Password()
		req.SetBasicAuth(user.Username(), pass)
	}
	return t.base.RoundTrip(req)
}

// CloseIdleConnections closes the idle connections of the base transport.
func (t *authTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// dialFunc is the signature of net.Dialer.DialContext.
type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// capture sets t up for TransportOptions.Capture: every connection it
// dials is a captureConn, HTTP/1.1 only, and TLS is done by its own
// DialTLSContext so that the bytes are captured inside the encryption.
// net/http does TLS itself over a proxy tunnel, so for https URLs the
// tunnel through an http:// or socks5:// proxy is made here too; an
// https:// proxy is left to net/http, and its HTTPS exchanges are not
// captured.
func capture(t *http.Transport, dial dialFunc, proxy func(*http.Request) (*url.URL, error)) {
	t.ForceAttemptHTTP2 = false
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP1(true)
	t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	base, handshake := t.TLSClientConfig, t.TLSHandshakeTimeout
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return newCaptureConn(c, c), nil
	}
	t.Proxy = func(req *http.Request) (*url.URL, error) {
		u, err := proxy(req)
		if err != nil || u == nil || req.URL.Scheme != "https" || u.Scheme == "https" {
			return u, err
		}
		return nil, nil // DialTLSContext tunnels through it
	}
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		raw, err := dialVia(ctx, dial, proxy, network, addr)
		if err != nil {
			return nil, err
		}
		host, _, _ := net.SplitHostPort(addr)
		cfg := &tls.Config{}
		if base != nil {
			cfg = base.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(raw, cfg)
		hctx := ctx
		if handshake > 0 {
			var cancel context.CancelFunc
			hctx, cancel = context.WithTimeout(ctx, handshake)
			defer cancel()
		}
		if err := tc.HandshakeContext(hctx); err != nil {
			raw.Close()
			return nil, err
		}
		return newCaptureConn(tc, raw), nil
	}
}

// dialVia connects to addr for TLS: directly, or through the proxy that
// proxy names for https://addr. An https:// proxy is left to net/http
// (the transport's Proxy keeps it), which dials it here for its own TLS:
// addr is then the proxy, reached directly.
func dialVia(ctx context.Context, dial dialFunc, proxy func(*http.Request) (*url.URL, error), network, addr string) (net.Conn, error) {
	u, err := proxy(&http.Request{URL: &url.URL{Scheme: "https", Host: addr}})
	if err != nil {
		return nil, fmt.Errorf("choosing the proxy for %s: %w", addr, err)
	}
	switch {
	case u == nil, u.Scheme == "https":
		return dial(ctx, network, addr)
	case u.Scheme == "http":
		return connectTunnel(ctx, dial, u, addr)
	case u.Scheme == "socks5" || u.Scheme == "socks5h":
		d, err := xproxy.FromURL(u, forwardDialer(dial))
		if err != nil {
			return nil, fmt.Errorf("proxy %s: %w", u.Redacted(), err)
		}
		return d.(xproxy.ContextDialer).DialContext(ctx, network, addr)
	}
	return nil, fmt.Errorf("proxy %s: unsupported scheme %q", u.Redacted(), u.Scheme)
}

// forwardDialer is a dialFunc as golang.org/x/net/proxy takes it.
type forwardDialer dialFunc

func (d forwardDialer) Dial(network, addr string) (net.Conn, error) {
	return d(context.Background(), network, addr)
}

func (d forwardDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return d(ctx, network, addr)
}

// connectTunnel opens a tunnel to addr through the HTTP proxy u with
// CONNECT (RFC 9110 section 9.3.6), sending u's credentials if it has any.
func connectTunnel(ctx context.Context, dial dialFunc, u *url.URL, addr string) (net.Conn, error) {
	paddr := u.Host
	if u.Port() == "" {
		paddr = net.JoinHostPort(u.Hostname(), "80")
	}
	conn, err := dial(ctx, "tcp", paddr)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: addr}, Host: addr, Header: http.Header{}}
	if u.User != nil {
		pass, _ := u.User.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass)))
	}
	fail := func(err error) (net.Conn, error) {
		conn.Close()
		if cerr := ctx.Err(); cerr != nil {
			err = cerr
		}
		return nil, fmt.Errorf("proxy %s: CONNECT %s: %w", u.Redacted(), addr, err)
	}
	if err := req.Write(conn); err != nil {
		return fail(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return fail(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail(fmt.Errorf("proxy answered %s", resp.Status))
	}
	if br.Buffered() > 0 {
		return fail(errors.New("proxy sent data before the tunnel was used"))
	}
	return conn, nil
}
