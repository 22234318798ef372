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
		want string
	}{
		{name: "nil", err: nil, want: ""},
		{name: "canceled", err: wrap(urlErr(context.Canceled)), want: KindCanceled},
		{name: "canceled wins over a reset", err: wrap(fmt.Errorf("%w: %w", context.Canceled, syscall.ECONNRESET)), want: KindCanceled},
		{name: "deadline", err: wrap(urlErr(context.DeadlineExceeded)), want: KindTimeout},
		{name: "net timeout", err: wrap(urlErr(&net.OpError{Op: "read", Err: timeoutErr{}})), want: KindTimeout},
		{name: "os deadline", err: wrap(os.ErrDeadlineExceeded), want: KindTimeout},
		{name: "DNS timeout", err: wrap(urlErr(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "timeout", IsTimeout: true}})), want: KindTimeout},
		{name: "refused", err: wrap(urlErr(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})), want: KindConnection},
		{name: "reset", err: wrap(fmt.Errorf("read body: %w", syscall.ECONNRESET)), want: KindConnection},
		{name: "DNS", err: wrap(urlErr(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", IsNotFound: true}})), want: KindConnection},
		{name: "truncated body", err: wrap(fmt.Errorf("read body: %w", io.ErrUnexpectedEOF)), want: KindConnection},
		{name: "server closed", err: wrap(urlErr(io.EOF)), want: KindConnection},
		{name: "unknown authority", err: wrap(urlErr(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}})), want: KindTLS},
		{name: "hostname", err: wrap(urlErr(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"})), want: KindTLS},
		{name: "not TLS", err: wrap(urlErr(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"})), want: KindTLS},
		{name: "too large", err: wrap(fmt.Errorf("read body: %w", ErrTooLarge)), want: KindTooLarge},
		{name: "redirects", err: wrap(urlErr(ErrTooManyRedirects)), want: KindRedirects},
		{name: "redirect scheme", err: wrap(urlErr(ErrRedirectScheme)), want: KindRedirects},
		{name: "404", err: wrap(&StatusError{Code: 404}), want: KindHTTP4xx},
		{name: "429", err: wrap(&StatusError{Code: 429}), want: KindHTTP4xx},
		{name: "500", err: wrap(&StatusError{Code: 500}), want: KindHTTP5xx},
		{name: "503", err: wrap(&StatusError{Code: 503}), want: KindHTTP5xx},
		{name: "odd status", err: wrap(&StatusError{Code: 999}), want: KindOther},
		{name: "scheme", err: wrap(ErrScheme), want: KindOther},
		{name: "other", err: errors.New("something else"), want: KindOther},
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
