package fetch

import (
	"context"
	"net/http"
	"net/textproto"
	"os"
	"slices"
	"time"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultMaxRedirects   = 10
	DefaultRetryWaitMin   = time.Second
	DefaultRetryWaitMax   = 30 * time.Second
	DefaultSpillThreshold = 8 << 20
	DefaultConns          = 16 // per-host idle connections of the default transport
)

// Options configures a Fetcher. The zero value is usable: no retries, no
// timeout, no size limit, 10 redirects, bodies kept in memory.
type Options struct {
	// Retries is how many times a failed attempt is retried; the total
	// number of attempts is at most Retries+1. Zero or negative means no
	// retry. The crawl command passes 3 by default.
	Retries int
	// Timeout bounds each attempt, from dialling through redirects to the
	// end of the body; zero means no timeout. If Transport waits for a rate
	// limiter, that wait counts too.
	Timeout time.Duration
	// MaxSize is the largest body accepted, in bytes after decompression;
	// larger bodies fail with ErrTooLarge. Zero or negative means no limit.
	MaxSize int64
	// MaxRedirects is how many redirects are followed before failing with
	// ErrTooManyRedirects. Zero means DefaultMaxRedirects; negative means
	// none are followed.
	MaxRedirects int
	// UserAgent is sent with every request, such as "crawl/1.2.0". Empty
	// means the User-Agent of Header, or Go's default without one (a
	// User-Agent of Header that is empty sends none).
	UserAgent string
	// Header holds extra request headers; a Host field is the Host the
	// first request of each URL is sent with. It is copied by New. Setting
	// Accept-Encoding here turns off the transport's transparent gzip
	// decompression.
	Header http.Header
	// RetryWaitMin and RetryWaitMax bound the wait between attempts; zero
	// means DefaultRetryWaitMin and DefaultRetryWaitMax.
	RetryWaitMin, RetryWaitMax time.Duration
	// CheckRetry decides whether to retry; nil means DefaultRetryPolicy.
	CheckRetry RetryPolicy
	// Backoff chooses the wait between attempts; nil means DefaultBackoff.
	Backoff Backoff
	// Transport performs the requests; nil means NewTransport(DefaultConns).
	// It may wrap a rate limiter, which then applies to every attempt and
	// every redirect hop. It must be safe for concurrent use.
	Transport http.RoundTripper
	// SpillThreshold is the body size above which bodies are streamed to a
	// file from TempFile instead of memory; zero or negative means
	// DefaultSpillThreshold.
	SpillThreshold int64
	// TempFile creates the file for a spilled body, typically with
	// os.CreateTemp in the store's directory so the file can be renamed
	// into place. It may be called from several goroutines at once. Nil
	// means bodies always stay in memory.
	TempFile func() (*os.File, error)
	// KeepExchange keeps every exchange of a Get's last attempt in
	// Response.Exchanges, one per hop of a redirect chain, whatever the
	// status, also when Get fails: what a WARC archive records. With a
	// transport made with TransportOptions.Capture they hold the bytes as
	// they went over the connection. The caller must release them.
	KeepExchange bool
	// Jar, when set, receives the cookies of every response and supplies
	// those of every request.
	Jar http.CookieJar
	// Transfers, when set, lists the bodies of MinTransfer bytes or more
	// while they are read, for a progress display.
	Transfers *Transfers
	// FollowRedirect, when set, is asked before a redirect to target is
	// followed (once per target in one Get, whatever the retries). It
	// returns nil to follow, ErrSkipRedirect to stop and return the
	// redirect response itself (with its body), or another error to fail
	// the fetch with it. A crawler uses it to claim the target in its
	// seen set, and not to fetch again what it already has. It may be
	// called from several goroutines at once.
	FollowRedirect func(ctx context.Context, target string) error
}

// Fetcher performs GET requests with retries. It is safe for concurrent use
// by multiple goroutines; one Fetcher should serve the whole crawl so that
// connections and buffers are shared. The zero value is not usable; create
// one with New.
type Fetcher struct {
	base         http.RoundTripper
	rt           http.RoundTripper // base, minus CloseIdleConnections
	retries      int
	timeout      time.Duration
	maxSize      int64
	maxRedirects int
	header       http.Header
	waitMin      time.Duration
	waitMax      time.Duration
	checkRetry   RetryPolicy
	backoff      Backoff
	spillAt      int64
	tempFile     func() (*os.File, error)
	follow       func(ctx context.Context, target string) error
	jar          http.CookieJar
	keep         bool
	transfers    *Transfers
	bufs         *bufferPool
}

// New returns a Fetcher configured by opts.
func New(opts Options) *Fetcher {
	f := &Fetcher{
		base:         opts.Transport,
		retries:      max(opts.Retries, 0),
		timeout:      max(opts.Timeout, 0),
		maxSize:      max(opts.MaxSize, 0),
		maxRedirects: opts.MaxRedirects,
		header:       make(http.Header, len(opts.Header)+1),
		waitMin:      opts.RetryWaitMin,
		waitMax:      opts.RetryWaitMax,
		checkRetry:   opts.CheckRetry,
		backoff:      opts.Backoff,
		spillAt:      opts.SpillThreshold,
		tempFile:     opts.TempFile,
		follow:       opts.FollowRedirect,
		jar:          opts.Jar,
		keep:         opts.KeepExchange,
		transfers:    opts.Transfers,
		bufs:         newBufferPool(),
	}
	if f.base == nil {
		f.base = NewTransport(DefaultConns)
	}
	f.rt = hideIdle{f.base}
	if f.keep {
		f.rt = exchangeTransport{f.rt}
	}
	switch {
	case f.maxRedirects == 0:
		f.maxRedirects = DefaultMaxRedirects
	case f.maxRedirects < 0:
		f.maxRedirects = 0
	}
	for k, v := range opts.Header {
		f.header[textproto.CanonicalMIMEHeaderKey(k)] = slices.Clone(v)
	}
	if opts.UserAgent != "" {
		f.header["User-Agent"] = []string{opts.UserAgent}
	}
	if f.waitMin <= 0 {
		f.waitMin = DefaultRetryWaitMin
	}
	if f.waitMax <= 0 {
		f.waitMax = DefaultRetryWaitMax
	}
	f.waitMax = max(f.waitMax, f.waitMin)
	if f.checkRetry == nil {
		f.checkRetry = DefaultRetryPolicy
	}
	if f.backoff == nil {
		f.backoff = DefaultBackoff
	}
	if f.spillAt <= 0 {
		f.spillAt = DefaultSpillThreshold
	}
	return f
}

// hideIdle hides the transport's CloseIdleConnections from retryablehttp,
// which calls it after every request that fails for good and would thereby
// drop the kept-alive connections of every other host in the crawl.
type hideIdle struct{ http.RoundTripper }

// CloseIdleConnections closes the idle keep-alive connections of the
// transport, if it has such a method, whether New created it or the caller
// passed it in. Call it when the crawl is over; the Fetcher stays usable.
func (f *Fetcher) CloseIdleConnections() {
	if c, ok := f.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// Response describes the outcome of Get, successful or not.
type Response struct {
	URL       string   // the URL given to Get
	FinalURL  string   // the URL of the last response, after redirects; empty if none came
	Redirects []string // each redirect target followed by the last attempt, in order
	Status    int      // status code of the last response, 0 if none came
	Header    http.Header
	// ContentType is the Content-Type header of the last response.
	ContentType string
	// Attempts is the number of HTTP attempts made: 1 means no retry. A
	// redirect hop is part of its attempt, not a new one.
	Attempts int
	// Duration is the time spent in Get: all attempts, waits between them
	// and the body read.
	Duration time.Duration
	// RemoteIP is the address of the server that sent the last response
	// (of a proxy, through one), and TTFB the time from the start of its
	// request (a new connection's dial and handshake included) to its
	// first byte; empty and 0 when no response came.
	RemoteIP string
	TTFB     time.Duration
	// Exchanges holds, with Options.KeepExchange, the request and response
	// of every hop of the last attempt that got a response: the redirects
	// followed, then the last response, whatever its status, in order.
	// They are set when Get fails too. The caller must release them
	// (ReleaseExchanges).
	Exchanges []*Exchange
	// Body is the body when Get succeeds and nil otherwise. The caller must
	// call Body.Release.
	Body *Body
	// Partial is, when Get fails, the beginning of a body it was reading
	// that a later fetch can continue (Request.Resume): a body spilled to
	// a file (Options.TempFile) whose response had a validator and no
	// content coding undone by the transport, or the Request.Resume that
	// Get did not get to continue. The caller owns its file. Within one
	// Get, the retries continue such partial downloads themselves.
	Partial *Partial
}

// Get fetches rawURL, retrying as configured. It always returns a non-nil
// Response, filled as far as the fetch got, so that failures can be recorded
// too; Response.Body is set only when err is nil.
//
// A response with status 400 or above (after retries) is an error of type
// *StatusError and its body is discarded. A body that fails mid-way with a
// retryable error is fetched again within the same budget of Retries+1
// attempts. When ctx is done, Get returns promptly with an error wrapping
// ctx.Err(). Use ErrorKind to classify the error.
func (f *Fetcher) Get(ctx context.Context, rawURL string) (*Response, error) {
	return f.GetIf(ctx, rawURL, Validators{})
}

// Validators are what an earlier response said about its body, sent back
// to ask for the body only if it changed (RFC 9110, section 13).
type Validators struct {
	ETag         string // sent as If-None-Match
	LastModified string // sent as If-Modified-Since
}

// ValidatorsOf returns the validators of a response header.
func ValidatorsOf(h http.Header) Validators {
	return Validators{ETag: h.Get("Etag"), LastModified: h.Get("Last-Modified")}
}

// GetIf is Get with a conditional request: when v has an ETag or a
// Last-Modified date, they are sent as If-None-Match and
// If-Modified-Since. A 304 Not Modified answer is a success with Status
// 304 and an empty Body.
func (f *Fetcher) GetIf(ctx context.Context, rawURL string, v Validators) (*Response, error) {
	return f.Do(ctx, Request{URL: rawURL, Validators: v})
}

// Request is one fetch, with what the caller knows of it.
type Request struct {
	URL string
	// Validators, when set, make the request conditional (see GetIf).
	Validators Validators
	// FollowRedirect, when set, is asked before a redirect of this
	// request is followed, instead of Options.FollowRedirect, as that
	// one is. A crawler passes one that knows which URL of its queue
	// is being fetched.
	FollowRedirect func(ctx context.Context, target string) error
	// Resume, when set, is a partial download of URL (Response.Partial
	// of an earlier fetch) to continue: the request asks for the rest
	// with Range, and with If-Range its validator, so that a body that
	// changed since comes whole. A 206 answer whose Content-Range starts
	// where the partial ends, for a body of the same length, with the
	// same validators, is appended to the partial's file, which then
	// becomes the Body's (its SHA-256 is of the whole body, the partial
	// hashed again); any other answer starts the download over, and the
	// partial's file is removed. Do takes the file over: it becomes the
	// Body's, or Response.Partial's, or is removed. Ignored with
	// Options.KeepExchange: an archive records whole responses.
	Resume *Partial
}

// Do fetches r.URL as Get does, conditionally as GetIf does, and asks
// r.FollowRedirect about redirects.
func (f *Fetcher) Do(ctx context.Context, r Request) (*Response, error) {
	start := time.Now()
	rawURL, v := r.URL, r.Validators
	res := &Response{URL: rawURL}
	c := &call{f: f, follow: f.follow}
	if r.FollowRedirect != nil {
		c.follow = r.FollowRedirect
	}
	if r.Resume != nil {
		c.resumeFrom(r.Resume)
	}
	body, err := f.get(ctx, c, rawURL, v, res)
	res.Body = body
	if err != nil {
		res.Partial = c.leftover()
	}
	if f.keep {
		res.Exchanges = c.exchanges(body)
	}
	res.Duration = time.Since(start)
	return res, err
}
