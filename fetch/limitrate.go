package fetch

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/crawl-go/crawl/internal/sleep"
	"golang.org/x/time/rate"
)

// This file holds LimitRate: a cap on the bytes per second read from all
// response bodies together (wget's --limit-rate).

// maxRateChunk bounds one read of a rate-limited body: the limiter's burst
// is a tenth of a second's bytes, at most this much, so that a slow limit
// is spread over many small reads instead of a few long sleeps.
const maxRateChunk = 64 << 10

// LimitRate returns an http.RoundTripper whose response bodies are read, all
// together, at most bytesPerSecond bytes per second on average, as wget's
// --limit-rate: one token bucket (golang.org/x/time/rate) shared by every
// body, of which each read takes as many tokens as it got bytes, sleeping
// until they are due. Bytes not read stay in the connection's buffers, so
// the server is slowed down by TCP's flow control. By any time t after the
// first read, at most bytesPerSecond·t bytes plus a tenth of a second's
// worth (at most 64 KiB) have been returned.
//
// A wait ends early when the request's context is done; the read then
// returns the bytes it got and the context's error. A bytesPerSecond of
// zero or less returns base itself. The returned RoundTripper forwards
// CloseIdleConnections to base and is safe for concurrent use if base is.
func LimitRate(base http.RoundTripper, bytesPerSecond int64) http.RoundTripper {
	if bytesPerSecond <= 0 {
		return base
	}
	return &rateTransport{base: base, l: newByteLimiter(bytesPerSecond, time.Now, sleep.Sleep)}
}

// byteLimiter is the shared bucket of LimitRate, with its clock and its
// sleep injectable for tests.
type byteLimiter struct {
	lim   *rate.Limiter
	burst int
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

func newByteLimiter(bytesPerSecond int64, now func() time.Time, sleep func(context.Context, time.Duration) error) *byteLimiter {
	burst := int(min(max(bytesPerSecond/10, 1), maxRateChunk))
	return &byteLimiter{lim: rate.NewLimiter(rate.Limit(bytesPerSecond), burst), burst: burst, now: now, sleep: sleep}
}

// read reads at most a burst of bytes from r into p, then waits until the
// bucket has had them: a read is paid for after the fact, for exactly the
// bytes it got.
func (l *byteLimiter) read(ctx context.Context, r io.Reader, p []byte) (int, error) {
	if len(p) > l.burst {
		p = p[:l.burst]
	}
	n, err := r.Read(p)
	if n > 0 {
		now := l.now()
		// n is at most the burst, so the reservation always succeeds.
		if werr := l.sleep(ctx, l.lim.ReserveN(now, n).DelayFrom(now)); werr != nil && err == nil {
			err = werr
		}
	}
	return n, err
}

type rateTransport struct {
	base http.RoundTripper
	l    *byteLimiter
}

// RoundTrip implements http.RoundTripper.
func (t *rateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &rateBody{ReadCloser: resp.Body, ctx: req.Context(), l: t.l}
	return resp, nil
}

// CloseIdleConnections closes the idle connections of the base transport.
func (t *rateTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// rateBody is a response body read through the shared bucket.
type rateBody struct {
	io.ReadCloser
	ctx context.Context
	l   *byteLimiter
}

func (b *rateBody) Read(p []byte) (int, error) { return b.l.read(b.ctx, b.ReadCloser, p) }
