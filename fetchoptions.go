package crawl

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/ratelimit"
	"golang.org/x/net/publicsuffix"
)

// This file holds how the crawl configures its fetcher: the transport's
// layers (credentials, timeouts, the rate limiter) and the retry policy.

// fetchOptions returns the fetcher's options: the caller's FetchOptions,
// with the transport wrapped (credentials, timeouts, then the rate limiter
// over them, so that a timeout times a request and not the wait for the
// host's turn) and the engine's own settings.
func (c *Crawler) fetchOptions(limiter *ratelimit.Limiter) fetch.Options {
	cfg := &c.cfg
	f := cfg.Fetch
	base := f.Transport
	if base == nil {
		to := cfg.Transport
		if to.Conns <= 0 {
			to.Conns = cfg.Workers
		}
		to.Capture = cfg.archiving()
		base = fetch.NewTransportWith(to)
	}
	if creds := c.credentials(); len(creds) > 0 {
		base = fetch.AuthTransport(base, creds)
	}
	jar := cfg.Jar
	if jar == nil {
		jar, _ = cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	}
	policy := f.CheckRetry
	if policy == nil {
		policy = fetch.DefaultRetryPolicy
	}
	return fetch.Options{
		Retries: f.Retries, MaxSize: f.MaxSize, MaxRedirects: f.MaxRedirects,
		UserAgent: f.UserAgent, Header: f.Header,
		RetryWaitMin: f.RetryWaitMin, RetryWaitMax: f.RetryWaitMax, Backoff: f.Backoff,
		Transport:    limiter.Transport(fetch.TimeoutTransport(fetch.LimitRate(base, cfg.LimitRate), f.Timeout, cfg.ReadTimeout)),
		TempFile:     c.out.store.TempFile,
		KeepExchange: cfg.archiving(),
		Transfers:    cfg.Transfers,
		Jar:          jar,
		CheckRetry:   retryPolicy(policy),
	}
}

// retryPolicy is the engine's retry policy around the caller's: a host
// given up by the circuit breaker fails at once (retrying would only fail
// again), so does a request whose shared rate limit failed (the crawl's
// own state, not the host: fetchOne stops the crawl), and a URL that would be retried once the crawl has stopped
// taking work is abandoned instead, to be fetched by the next run.
func retryPolicy(policy fetch.RetryPolicy) fetch.RetryPolicy {
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if errors.Is(err, ratelimit.ErrHostUnreachable) || errors.Is(err, ratelimit.ErrShared) {
			return false, err
		}
		retry, perr := policy(ctx, resp, err)
		if start := ratelimit.StartContext(ctx); retry && start != nil && start.Err() != nil {
			return false, start.Err()
		}
		return retry, perr
	}
}
