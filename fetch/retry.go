package fetch

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/crawl-go/crawl/internal/retryafter"
)

// RetryPolicy decides after an attempt whether to try again. resp is the
// response when the attempt got one and err the error when it did not; err is
// also the error of a body read that failed after a successful response (resp
// is then nil). A non-nil returned error replaces the attempt's error. It has
// the signature of retryablehttp.CheckRetry.
type RetryPolicy func(ctx context.Context, resp *http.Response, err error) (bool, error)

// Backoff returns how long to wait before the next attempt. attempt is 0
// before the first retry; resp is the failed attempt's response, or nil. It
// has the signature of retryablehttp.Backoff.
type Backoff func(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration

var (
	_ RetryPolicy = DefaultRetryPolicy
	_ Backoff     = DefaultBackoff
)

// DefaultRetryPolicy retries connection errors, timeouts, 429 and 5xx
// responses other than 501. It does not retry once ctx is done (and returns
// ctx.Err()), nor after certificate and TLS failures, too many redirects, a
// redirect to another scheme, a body over the size limit, or any other status.
func DefaultRetryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return !isPermanent(err), nil
	}
	if resp == nil {
		return false, nil
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		return true, nil
	case code == http.StatusNotImplemented:
		return false, nil
	case code >= 500 && code < 600:
		return true, nil
	}
	return false, nil
}

// isPermanent reports whether err will not go away by trying again.
func isPermanent(err error) bool {
	return errors.Is(err, context.Canceled) ||
		errors.Is(err, ErrTooManyRedirects) || errors.Is(err, ErrRedirectScheme) ||
		errors.Is(err, ErrRedirectLoop) || errors.Is(err, ErrRedirectRefused) ||
		errors.Is(err, ErrScheme) || errors.Is(err, ErrTooLarge) ||
		isTLSError(err)
}

// DefaultBackoff waits exponentially longer after each attempt:
// minWait·2^attempt plus a random jitter of up to half that, never more than
// maxWait. After a 429 or 503 response with a Retry-After header (seconds or
// an HTTP date) it waits as long as the server asks instead, but still at
// most maxWait: a server asking for an hour must not stall a crawl worker for
// an hour.
func DefaultBackoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	maxWait = max(maxWait, minWait)
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := retryafter.Parse(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, maxWait)
		}
	}
	if minWait <= 0 {
		return 0
	}
	exp := math.Ldexp(float64(minWait), max(attempt, 0)) // minWait·2^attempt, without overflow
	if exp >= float64(maxWait) {
		return maxWait
	}
	d := time.Duration(exp)
	d += time.Duration(rand.Int64N(int64(d/2) + 1))
	return min(d, maxWait)
}
