package fetch

import (
	"context"
	"io"
	"net"
	"net/http"
	"time"
)

// NewTransport returns an http.Transport tuned for crawling with about conns
// concurrent requests: up to conns idle keep-alive connections per host and
// max(100, 4·conns) in all, bounded dial and TLS handshake times, proxies
// from the environment, and HTTP/2 attempted for https (plain http stays
// HTTP/1.1). Compression is left on, so the transport asks for gzip and
// decompresses transparently; Options.MaxSize then counts decompressed bytes.
//
// The caller owns the transport; Fetcher.CloseIdleConnections closes its
// idle connections.
func NewTransport(conns int) *http.Transport {
	conns = max(conns, 1)
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           max(100, 4*conns),
		MaxIdleConnsPerHost:    conns,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
	}
}

// TimeoutTransport returns an http.RoundTripper that bounds each round trip
// on base, from the moment base is called to the end of the response body,
// by d. Placed under a rate limiter's transport, it times the request
// itself and not the wait for the limiter, which http.Client.Timeout would
// count: a crawl that is polite to a slow host must not fail its URLs for
// having waited its turn. A d of zero or less returns base. The returned
// RoundTripper forwards CloseIdleConnections to base.
func TimeoutTransport(base http.RoundTripper, d time.Duration) http.RoundTripper {
	if d <= 0 {
		return base
	}
	return &timeoutTransport{base: base, d: d}
}

type timeoutTransport struct {
	base http.RoundTripper
	d    time.Duration
}

// RoundTrip implements http.RoundTripper.
func (t *timeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.d)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// CloseIdleConnections closes the idle connections of the base transport.
func (t *timeoutTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// cancelBody ends the round trip's context when the body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
