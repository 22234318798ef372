package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/crawl-go/crawl/outcome"
)

// timeoutErr is a net.Error that timed out, as net/http reports them.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestErrorKind(t *testing.T) {
	urlErr := func(err error) error { return &url.Error{Op: "Get", URL: "http://example.com/", Err: err} }
	wrap := func(err error) error { return fmt.Errorf("fetch http://example.com/: 2 attempt(s): %w", err) }
	tests := []struct {
		name string
		err  error
		want outcome.Kind
	}{
		{name: "nil", err: nil, want: ""},
		{name: "canceled", err: wrap(urlErr(context.Canceled)), want: outcome.Canceled},
		{name: "canceled wins over a reset", err: wrap(fmt.Errorf("%w: %w", context.Canceled, syscall.ECONNRESET)), want: outcome.Canceled},
		{name: "deadline", err: wrap(urlErr(context.DeadlineExceeded)), want: outcome.Timeout},
		{name: "net timeout", err: wrap(urlErr(&net.OpError{Op: "read", Err: timeoutErr{}})), want: outcome.Timeout},
		{name: "os deadline", err: wrap(os.ErrDeadlineExceeded), want: outcome.Timeout},
		{name: "DNS timeout", err: wrap(urlErr(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "timeout", IsTimeout: true}})), want: outcome.Timeout},
		{name: "refused", err: wrap(urlErr(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})), want: outcome.Connection},
		{name: "reset", err: wrap(fmt.Errorf("read body: %w", syscall.ECONNRESET)), want: outcome.Connection},
		{name: "DNS", err: wrap(urlErr(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", IsNotFound: true}})), want: outcome.Connection},
		{name: "truncated body", err: wrap(fmt.Errorf("read body: %w", io.ErrUnexpectedEOF)), want: outcome.Connection},
		{name: "server closed", err: wrap(urlErr(io.EOF)), want: outcome.Connection},
		{name: "unknown authority", err: wrap(urlErr(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}})), want: outcome.TLS},
		{name: "hostname", err: wrap(urlErr(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"})), want: outcome.TLS},
		{name: "not TLS", err: wrap(urlErr(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"})), want: outcome.TLS},
		{name: "too large", err: wrap(fmt.Errorf("read body: %w", ErrTooLarge)), want: outcome.TooLarge},
		{name: "redirects", err: wrap(urlErr(ErrTooManyRedirects)), want: outcome.Redirects},
		{name: "redirect scheme", err: wrap(urlErr(ErrRedirectScheme)), want: outcome.Redirects},
		{name: "404", err: wrap(&StatusError{Code: 404}), want: outcome.HTTP4xx},
		{name: "429", err: wrap(&StatusError{Code: 429}), want: outcome.HTTP4xx},
		{name: "500", err: wrap(&StatusError{Code: 500}), want: outcome.HTTP5xx},
		{name: "503", err: wrap(&StatusError{Code: 503}), want: outcome.HTTP5xx},
		{name: "odd status", err: wrap(&StatusError{Code: 999}), want: outcome.Other},
		{name: "scheme", err: wrap(ErrScheme), want: outcome.Other},
		{name: "other", err: errors.New("something else"), want: outcome.Other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorKind(tt.err); got != tt.want {
				t.Fatalf("ErrorKind(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestStatusErrorMessage(t *testing.T) {
	tests := []struct {
		err  StatusError
		want string
	}{
		{err: StatusError{Code: 404, Status: "404 Not Found"}, want: "http 404 not found"},
		{err: StatusError{Code: 503, Status: "503 Service Unavailable"}, want: "http 503 service unavailable"},
		{err: StatusError{Code: 429}, want: "http 429 too many requests"},
		{err: StatusError{Code: 599, Status: "599 Custom"}, want: "http 599 custom"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Fatalf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}
