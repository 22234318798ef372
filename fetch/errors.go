package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/crawl-go/crawl/outcome"
)

// Errors returned by Get, wrapped with what was being done; test for them
// with errors.Is.
var (
	// ErrTooLarge means the body is larger than Options.MaxSize.
	ErrTooLarge = errors.New("body too large")
	// ErrLocal means a body could not be written to, or read back from,
	// a local file (the spill file of a large body, a partial download):
	// this machine's failure (a full disk, a file size limit), not the
	// server's, so the request is not retried.
	ErrLocal = errors.New("local file")
	// ErrTooManyRedirects means the redirect chain is longer than
	// Options.MaxRedirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrRedirectScheme means a redirect pointed to a URL whose scheme is
	// not http or https.
	ErrRedirectScheme = errors.New("redirect to a scheme other than http or https")
	// ErrRedirectLoop means a redirect pointed back to a URL of the same
	// chain.
	ErrRedirectLoop = errors.New("redirect loop")
	// ErrRedirectRefused wraps an error from Options.FollowRedirect.
	ErrRedirectRefused = errors.New("redirect refused")
	// ErrScheme means the URL given to Get is not http or https.
	ErrScheme = errors.New("scheme is not http or https")
	// ErrSkipRedirect is returned by an Options.FollowRedirect hook to stop
	// following a redirect without failing: the redirect response itself
	// becomes the result.
	ErrSkipRedirect = errors.New("redirect not followed")
	// ErrNoLocation means a redirect (301, 302, 303, 307, 308) came
	// without a Location to follow: there is nothing to keep.
	ErrNoLocation = errors.New("redirect without a Location")
	// ErrPartialContent means a 206 answered a request for the whole
	// body with a part of it.
	ErrPartialContent = errors.New("partial content to a request for the whole body")
)

// StatusError reports a response whose status is 400 or above, after any
// retries. Its body has been discarded.
type StatusError struct {
	Code   int    // status code, such as 404
	Status string // status line as received, such as "404 Not Found"
}

// Error returns the status in lower case, as in "http 404 not found".
func (e *StatusError) Error() string {
	s := strings.TrimSpace(e.Status)
	if s == "" {
		s = strconv.Itoa(e.Code) + " " + http.StatusText(e.Code)
	}
	return "http " + strings.ToLower(s)
}

// ErrorKind returns the kind of an error returned by Get (one of
// outcome.Canceled, TooLarge, Store, Redirects, HTTP4xx, HTTP5xx, TLS,
// Timeout, Connection and Other), or "" for a nil error. It inspects the error
// chain with errors.Is and errors.As, never the message text.
func ErrorKind(err error) outcome.Kind {
	if err == nil {
		return ""
	}
	switch {
	case errors.Is(err, context.Canceled):
		return outcome.Canceled
	case errors.Is(err, ErrTooLarge):
		return outcome.TooLarge
	case errors.Is(err, ErrLocal):
		return outcome.Store
	case errors.Is(err, ErrTooManyRedirects), errors.Is(err, ErrRedirectScheme), errors.Is(err, ErrRedirectLoop),
		errors.Is(err, ErrRedirectRefused), errors.Is(err, ErrNoLocation):
		return outcome.Redirects
	}
	var se *StatusError
	if errors.As(err, &se) {
		switch {
		case se.Code >= 500 && se.Code < 600:
			return outcome.HTTP5xx
		case se.Code >= 400 && se.Code < 500:
			return outcome.HTTP4xx
		}
		return outcome.Other
	}
	switch {
	case isTLSError(err):
		return outcome.TLS
	case isTimeout(err):
		return outcome.Timeout
	case isConnectionError(err):
		return outcome.Connection
	}
	return outcome.Other
}

// isTimeout reports whether err is a deadline or a network timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isConnectionError reports whether err means the connection could not be
// made or was lost.
func isConnectionError(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	for _, target := range []error{
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED,
		syscall.EPIPE, syscall.EHOSTUNREACH, syscall.ENETUNREACH,
		io.ErrUnexpectedEOF, io.EOF, net.ErrClosed,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	var opErr *net.OpError
	return errors.As(err, &opErr)
}

// isTLSError reports whether err is a certificate verification failure or a
// TLS protocol failure: retrying does not fix either.
func isTLSError(err error) bool {
	var (
		verifyErr    *tls.CertificateVerificationError
		unknownAuth  x509.UnknownAuthorityError
		invalidCert  x509.CertificateInvalidError
		hostnameErr  x509.HostnameError
		recordErr    tls.RecordHeaderError
		alertErr     tls.AlertError
		constraintEr x509.ConstraintViolationError
	)
	return errors.As(err, &verifyErr) || errors.As(err, &unknownAuth) ||
		errors.As(err, &invalidCert) || errors.As(err, &hostnameErr) ||
		errors.As(err, &recordErr) || errors.As(err, &alertErr) ||
		errors.As(err, &constraintEr)
}
