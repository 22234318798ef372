package fetch

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

func responseWith(status int, retryAfter string) *http.Response {
	resp := &http.Response{StatusCode: status, Header: http.Header{}}
	if retryAfter != "" {
		resp.Header.Set("Retry-After", retryAfter)
	}
	return resp
}

func TestDefaultBackoffRetryAfter(t *testing.T) {
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		status     int
		retryAfter string
		maxWait    time.Duration
		want       time.Duration
	}{
		{name: "seconds capped", status: 503, retryAfter: "1", maxWait: 10 * time.Millisecond, want: 10 * time.Millisecond},
		{name: "seconds below the cap", status: 503, retryAfter: "2", maxWait: 30 * time.Second, want: 2 * time.Second},
		{name: "429 below the cap", status: 429, retryAfter: "7", maxWait: 30 * time.Second, want: 7 * time.Second},
		{name: "429 capped", status: 429, retryAfter: "3600", maxWait: 30 * time.Second, want: 30 * time.Second},
		{name: "zero", status: 429, retryAfter: "0", maxWait: 30 * time.Second, want: 0},
		{name: "huge", status: 429, retryAfter: "99999999999999", maxWait: 30 * time.Second, want: 30 * time.Second},
		{name: "date capped", status: 503, retryAfter: future, maxWait: 30 * time.Second, want: 30 * time.Second},
		{name: "date in the past", status: 503, retryAfter: past, maxWait: 30 * time.Second, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DefaultBackoff(time.Millisecond, tt.maxWait, 0, responseWith(tt.status, tt.retryAfter))
			if got != tt.want {
				t.Fatalf("DefaultBackoff = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDefaultBackoffExponential(t *testing.T) {
	const minWait, maxWait = 100 * time.Millisecond, 10 * time.Second
	tests := []struct {
		name    string
		attempt int
		resp    *http.Response
		lo, hi  time.Duration
	}{
		{name: "first retry", attempt: 0, lo: 100 * time.Millisecond, hi: 150 * time.Millisecond},
		{name: "second retry", attempt: 1, lo: 200 * time.Millisecond, hi: 300 * time.Millisecond},
		{name: "fourth retry", attempt: 3, lo: 800 * time.Millisecond, hi: 1200 * time.Millisecond},
		{name: "jitter capped", attempt: 6, lo: 6400 * time.Millisecond, hi: maxWait},
		{name: "capped", attempt: 7, lo: maxWait, hi: maxWait},
		{name: "no overflow", attempt: 1000, lo: maxWait, hi: maxWait},
		{name: "Retry-After ignored on 500", attempt: 0, resp: responseWith(500, "5"), lo: 100 * time.Millisecond, hi: 150 * time.Millisecond},
		{name: "bad Retry-After", attempt: 1, resp: responseWith(503, "soon"), lo: 200 * time.Millisecond, hi: 300 * time.Millisecond},
		{name: "negative Retry-After", attempt: 0, resp: responseWith(503, "-5"), lo: 100 * time.Millisecond, hi: 150 * time.Millisecond},
		{name: "503 without Retry-After", attempt: 2, resp: responseWith(503, ""), lo: 400 * time.Millisecond, hi: 600 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 200 {
				if got := DefaultBackoff(minWait, maxWait, tt.attempt, tt.resp); got < tt.lo || got > tt.hi {
					t.Fatalf("DefaultBackoff = %v, want within [%v, %v]", got, tt.lo, tt.hi)
				}
			}
		})
	}
	if got := DefaultBackoff(0, time.Second, 3, nil); got != 0 {
		t.Errorf("DefaultBackoff with a zero minimum = %v, want 0", got)
	}
	if got := DefaultBackoff(time.Second, time.Millisecond, 0, nil); got != time.Second {
		t.Errorf("DefaultBackoff with max < min = %v, want the minimum", got)
	}
}

func TestDefaultRetryPolicy(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name      string
		ctx       context.Context
		status    int
		err       error
		want      bool
		wantError error
	}{
		{name: "200", status: 200},
		{name: "304", status: 304},
		{name: "404", status: 404},
		{name: "403", status: 403},
		{name: "429", status: 429, want: true},
		{name: "500", status: 500, want: true},
		{name: "501", status: 501},
		{name: "502", status: 502, want: true},
		{name: "503", status: 503, want: true},
		{name: "504", status: 504, want: true},
		{name: "599", status: 599, want: true},
		{name: "999", status: 999},
		{name: "refused", err: refused, want: true},
		{name: "reset", err: fmt.Errorf("read: %w", syscall.ECONNRESET), want: true},
		{name: "unexpected EOF", err: io.ErrUnexpectedEOF, want: true},
		{name: "DNS", err: &net.DNSError{Err: "no such host", Name: "x.invalid"}, want: true},
		{name: "attempt timeout", err: fmt.Errorf("get: %w", context.DeadlineExceeded), want: true},
		{name: "too many redirects", err: fmt.Errorf("get: %w", ErrTooManyRedirects)},
		{name: "redirect scheme", err: fmt.Errorf("get: %w", ErrRedirectScheme)},
		{name: "too large", err: fmt.Errorf("read: %w", ErrTooLarge)},
		{name: "certificate", err: fmt.Errorf("get: %w", x509.UnknownAuthorityError{})},
		{name: "hostname", err: x509.HostnameError{Host: "example.com", Certificate: &x509.Certificate{}}},
		{name: "canceled error", err: context.Canceled},
		{name: "context done", ctx: canceled, status: 503, wantError: context.Canceled},
		{name: "context done with error", ctx: canceled, err: refused, wantError: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			var resp *http.Response
			if tt.status != 0 {
				resp = responseWith(tt.status, "")
			}
			got, err := DefaultRetryPolicy(ctx, resp, tt.err)
			if got != tt.want || !errors.Is(err, tt.wantError) || (tt.wantError == nil && err != nil) {
				t.Fatalf("DefaultRetryPolicy = %v, %v; want %v, %v", got, err, tt.want, tt.wantError)
			}
		})
	}
}

// TestCustomPolicies checks that Options.CheckRetry and Options.Backoff
// replace the defaults, for responses and for body reads alike.
func TestCustomPolicies(t *testing.T) {
	data := payload(10000)
	srv, _ := resetServer(t, data, 1, false)
	var policyCalls, backoffCalls []string
	f := newFetcher(t, Options{
		Retries: 1,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			policyCalls = append(policyCalls, fmt.Sprint(resp != nil, err != nil))
			return DefaultRetryPolicy(ctx, resp, err)
		},
		Backoff: func(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
			backoffCalls = append(backoffCalls, fmt.Sprint(attempt))
			return 0
		},
	})
	res, err := f.Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Release()
	// Attempt 1: the response is fine, the body read fails; attempt 2 is
	// fine.
	if want := "[true false false true true false]"; fmt.Sprint(policyCalls) != want {
		t.Errorf("policy calls (resp?, err?) = %v, want %v", policyCalls, want)
	}
	if want := "[0]"; fmt.Sprint(backoffCalls) != want {
		t.Errorf("backoff attempts = %v, want %v", backoffCalls, want)
	}
}
