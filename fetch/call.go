package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/crawl-go/crawl/internal/sleep"
	"github.com/crawl-go/crawl/outcome"
	"github.com/hashicorp/go-retryablehttp"
)

// This file holds one fetch under way: the retry loop around
// retryablehttp, and the hooks it and net/http call (attempts, redirects,
// waits).

// call is the state of one Get. Its hooks are called by retryablehttp and
// net/http on the goroutine that called Get, so it needs no locking.
type call struct {
	f         *Fetcher
	hc        http.Client
	rc        retryablehttp.Client
	attempts  int
	redirects []string
	follow    func(ctx context.Context, target string) error
	followed  []string       // redirect targets follow agreed to, over all attempts
	last      *http.Response // the last attempt's response, body already drained
	hops      []*hop         // with KeepExchange: the hops of the current attempt
	trace     *connTrace     // each hop's connection and first byte
	// resume is the partial download the next attempt continues;
	// continued the one the body being read continues; partial the one
	// the last attempt left (see partial.go).
	resume    *resumeState
	continued *Partial
	partial   *Partial
}

func (f *Fetcher) get(ctx context.Context, c *call, rawURL string, v Validators, res *Response) (*Body, error) {
	// The request's context carries the hooks of the trace, and with
	// KeepExchange the call, for the capturing transport.
	c.trace = newConnTrace()
	rctx := httptrace.WithClientTrace(ctx, &c.trace.hooks)
	if f.keep {
		rctx = context.WithValue(rctx, callKey{}, c)
	}
	req, err := retryablehttp.NewRequestWithContext(rctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, ErrScheme)
	}
	for k, vs := range f.header {
		req.Header[k] = vs // shared, read-only
	}
	if h := f.header.Get("Host"); h != "" {
		req.Host = h // net/http sends req.Host, never a Host field
	}
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}

	c.hc = http.Client{Transport: f.rt, CheckRedirect: c.checkRedirect, Timeout: f.timeout, Jar: f.jar}
	c.rc = retryablehttp.Client{
		HTTPClient:      &c.hc,
		RetryWaitMin:    f.waitMin,
		RetryWaitMax:    f.waitMax,
		CheckRetry:      retryablehttp.CheckRetry(f.checkRetry),
		Backoff:         c.backoff,
		ErrorHandler:    retryablehttp.PassthroughErrorHandler,
		RequestLogHook:  c.onRequest,
		ResponseLogHook: c.onResponse,
	}

	for {
		c.setRange(req)
		// The budget is shared with body-read retries made by this loop.
		c.rc.RetryMax = f.retries - c.attempts
		resp, err := c.rc.Do(req)
		c.report(res, resp)
		if err != nil {
			if resp != nil {
				resp.Body.Close()
			}
			return nil, c.fail(ctx, rawURL, err)
		}
		if c.resume != nil {
			switch code := resp.StatusCode; {
			case code == http.StatusPartialContent && c.resume.check(resp) == nil:
				// The rest of the body: readBody continues the file.
			case code == http.StatusOK:
				// The server ignored the range, or If-Range found the
				// body changed: this is the whole body.
				c.dropResume()
			case code == http.StatusPartialContent || code == http.StatusRequestedRangeNotSatisfiable:
				// A 206 that does not fit, or a 416: the body is asked
				// for again, once, whole.
				c.dropResume()
				io.CopyN(io.Discard, resp.Body, drainLimit)
				resp.Body.Close()
				continue
			case code < http.StatusBadRequest:
				// A redirect kept: not the rest of the body. The
				// partial download stays for a later fetch.
				c.partial, c.resume = c.resume.p, nil
			}
			// An error answer says nothing of the body: the partial
			// download stays for a later fetch (Response.Partial).
		}
		if err := unusable(resp, c.resume != nil); err != nil {
			io.CopyN(io.Discard, resp.Body, drainLimit)
			resp.Body.Close()
			return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
		}
		if resp.StatusCode >= 400 {
			// An archive keeps the body of an error page too.
			limit := int64(drainLimit)
			if f.keep {
				limit = f.maxSize
				if limit <= 0 {
					limit = math.MaxInt64
				}
			}
			io.CopyN(io.Discard, resp.Body, limit)
			resp.Body.Close()
			return nil, fmt.Errorf("fetch %s: %w", rawURL, &StatusError{Code: resp.StatusCode, Status: resp.Status})
		}
		body, err := f.readBody(resp, c)
		if err == nil {
			return body, nil
		}
		err = fmt.Errorf("read body: %w", err)
		if c.attempts > f.retries || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrLocal) {
			return nil, c.fail(ctx, rawURL, err)
		}
		if retry, perr := f.checkRetry(ctx, nil, err); !retry {
			if perr != nil && !errors.Is(err, perr) {
				err = fmt.Errorf("%w: %w", perr, err)
			}
			return nil, c.fail(ctx, rawURL, err)
		}
		if werr := c.wait(ctx); werr != nil {
			return nil, c.fail(ctx, rawURL, err)
		}
		if p := c.partial; p != nil {
			// The next attempt continues where this one stopped.
			c.partial = nil
			c.resumeFrom(p)
		}
	}
}

// unusable returns why resp, an answer below 400, has no body to keep: a
// 206 to a request for the whole body (not ranged) that is not all of it,
// or a redirect with no Location to follow (net/http returns those as
// they are). Neither is retried: the same request gets the same answer.
func unusable(resp *http.Response, ranged bool) error {
	switch code := resp.StatusCode; code {
	case http.StatusPartialContent:
		if ranged {
			return nil
		}
		cr := resp.Header.Get("Content-Range")
		if first, last, complete, err := parseContentRange(cr); err == nil && first == 0 && complete >= 0 && last == complete-1 {
			return nil // all of it, in a 206
		}
		return fmt.Errorf("%w (206, Content-Range %q)", ErrPartialContent, cr)
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		if strings.TrimSpace(resp.Header.Get("Location")) == "" {
			return fmt.Errorf("%w (%d)", ErrNoLocation, code)
		}
	}
	return nil
}

// report copies what is known about the last attempt into res.
func (c *call) report(res *Response, resp *http.Response) {
	res.Attempts = c.attempts
	res.Redirects = c.redirects
	if resp == nil {
		resp = c.last
	}
	if resp == nil {
		res.Status, res.Header, res.ContentType, res.FinalURL = 0, nil, "", ""
		res.RemoteIP, res.TTFB = "", 0
		return
	}
	res.Status = resp.StatusCode
	res.Header = resp.Header
	res.RemoteIP, res.TTFB = c.trace.last()
	res.ContentType = resp.Header.Get("Content-Type")
	if resp.Request != nil && resp.Request.URL != nil {
		// A Location's fragment stays in the request's URL; the
		// response is of the URL without it.
		u := *resp.Request.URL
		u.Fragment, u.RawFragment = "", ""
		res.FinalURL = u.String()
	}
}

// fail wraps err, making sure it matches ctx.Err() when ctx is done, since
// some cancellation paths in net/http report only a closed connection.
func (c *call) fail(ctx context.Context, rawURL string, err error) error {
	// net/http's *url.Error repeats the method and URL that our own
	// message gives, or names a redirect's Location as the server wrote
	// it ("/a", which our redirect errors name whole): keep what it wraps.
	if ue, ok := err.(*url.Error); ok && (ue.URL == rawURL || ErrorKind(ue.Err) == outcome.Redirects) {
		err = ue.Err
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w: %w", cerr, err)
	}
	return fmt.Errorf("fetch %s: %d attempt(s): %w", rawURL, c.attempts, err)
}

// onRequest runs before each attempt.
func (c *call) onRequest(_ retryablehttp.Logger, _ *http.Request, _ int) {
	c.dropHops()
	c.attempts++
	c.redirects = nil
	c.last = nil
}

// onResponse runs after each attempt that got a response.
func (c *call) onResponse(_ retryablehttp.Logger, resp *http.Response) {
	c.last = resp
}

// backoff numbers attempts across the whole Get rather than per call of Do,
// so waits keep growing after a body-read retry.
func (c *call) backoff(minWait, maxWait time.Duration, _ int, resp *http.Response) time.Duration {
	return c.f.backoff(minWait, maxWait, c.attempts-1, resp)
}

// wait sleeps before retrying a failed body read, or until ctx is done.
func (c *call) wait(ctx context.Context) error {
	return sleep.Sleep(ctx, c.backoff(c.f.waitMin, c.f.waitMax, 0, nil))
}

// checkRedirect records each hop, enforces MaxRedirects and the scheme,
// detects loops and asks FollowRedirect.
func (c *call) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.f.maxRedirects {
		return fmt.Errorf("stopped after %d redirects: %w", c.f.maxRedirects, ErrTooManyRedirects)
	}
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), ErrRedirectScheme)
	}
	target := req.URL.String()
	for _, v := range via {
		if v.URL.String() == target {
			return fmt.Errorf("redirect back to %s: %w", req.URL.Redacted(), ErrRedirectLoop)
		}
	}
	c.redirects = append(c.redirects, target)
	if c.follow != nil && !slices.Contains(c.followed, target) {
		err := c.follow(req.Context(), target)
		if errors.Is(err, ErrSkipRedirect) {
			return http.ErrUseLastResponse
		}
		if err != nil {
			return fmt.Errorf("redirect to %s: %w: %w", req.URL.Redacted(), ErrRedirectRefused, err)
		}
		c.followed = append(c.followed, target)
	}
	return nil
}
