package fetch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// This file holds TimeoutTransport: the bounds of each round trip, in all
// and between two reads.

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
