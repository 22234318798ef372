package ratelimit

import (
	"context"
	"io"
	"net/http"
)

// Transport returns an http.RoundTripper that calls Acquire for
// req.URL.Host (host and port exactly as written in the URL) before each
// round trip on base, and releases when the response body has been read to
// the end or closed, or at once if the round trip fails. A nil base means
// http.DefaultTransport. An http.Client calls RoundTrip once per redirect
// hop, and a retrying client once per attempt, so each of those is limited.
//
// Because the wait happens inside RoundTrip, it counts against
// http.Client.Timeout and any deadline on the request's context. The caller
// must close every response body, as net/http requires, or the host's slot is
// never freed. The returned RoundTripper is safe for concurrent use if base
// is; it forwards CloseIdleConnections to base.
func (l *Limiter) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{l: l, base: base}
}

type transport struct {
	l    *Limiter
	base http.RoundTripper
}

// startKey keys the start context of WithStartContext.
type startKey struct{}

// WithStartContext returns a copy of ctx for requests made through a
// Transport that wait for their host's turn, and start, only while start
// is not done either: once start is done, a request that has not started
// (a first attempt, a retry, a redirect hop) fails with start's error at
// once, while a request under way goes on until ctx ends it. A crawl
// cancels start when it stops taking new work, and lets what is in flight
// finish.
func WithStartContext(ctx, start context.Context) context.Context {
	return context.WithValue(ctx, startKey{}, start)
}

// StartContext returns the start context of ctx set by WithStartContext,
// or nil.
func StartContext(ctx context.Context) context.Context {
	s, _ := ctx.Value(startKey{}).(context.Context)
	return s
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if start := StartContext(ctx); start != nil {
		// The wait for the host's turn ends with start too.
		wait, cancel := context.WithCancel(ctx)
		stop := context.AfterFunc(start, cancel)
		defer stop()
		defer cancel()
		ctx = wait
	}
	release, err := t.l.Acquire(ctx, req.URL.Host)
	if start := StartContext(req.Context()); start != nil && start.Err() != nil {
		// Start ended before the request could start, or as its turn
		// came: it does not start.
		if err == nil {
			release()
		}
		err = start.Err()
	}
	if err != nil {
		// A RoundTripper must close the request body even on error.
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp, err := t.base.RoundTrip(req)
	t.l.Observe(req.URL.Host, outcome(req, resp, err, t.l.now()))
	if err != nil {
		release()
		return nil, err
	}
	resp.Body = &releaseBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

// CloseIdleConnections closes the idle connections of the base transport,
// if it has any.
func (t *transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// releaseBody frees the host's slot when the body ends: at EOF, at a read
// error or at Close, whichever comes first (release is idempotent).
type releaseBody struct {
	io.ReadCloser
	release func()
}

func (b *releaseBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.release()
	}
	return n, err
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}
