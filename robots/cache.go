package robots

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crawl-go/crawl/internal/sleep"
)

// Defaults applied by NewCache to zero Options fields.
const (
	DefaultRetryMin = time.Minute
	DefaultRetryMax = time.Hour
	DefaultMaxAge   = 24 * time.Hour
)

// ErrUnsupportedURL is returned, wrapped, by Check and Sitemaps for a URL
// that is not an absolute http or https URL with a host.
var ErrUnsupportedURL = errors.New("not an absolute http or https url")

// Fetcher gets url and reports the status of the last response (0 if none
// came), its body (possibly nil) and an error. The crawl passes a function
// built on its fetch.Fetcher, so that politeness limits apply to robots.txt
// requests too.
//
// A Fetcher follows redirects, across hosts too, but at most five of them
// (RFC 9309 section 2.3.1.2); when the chain is longer it returns the last
// redirect's 3xx status, with or without an error, which Check reads as
// "unavailable". It should return the body of a large file cut short (only
// ParseLimit bytes are read) rather than fail. The status decides what the
// result means, whatever the error: an error matters only with a status of 0
// or a 2xx status (a body that could not be read), and then makes the file
// unreachable. A Fetcher is called from the goroutine that calls Check, with
// its context, and may be called for several hosts at once.
type Fetcher func(ctx context.Context, url string) (status int, body []byte, err error)

// Options configures a Cache.
type Options struct {
	// Agent is the product token matched against User-agent lines, such as
	// "crawl". Anything after the token, as in "crawl/1.2", is ignored,
	// and a browser-like User-Agent is read for the crawler it names:
	// "Mozilla/5.0 (compatible; MyBot/2.1; +https://example.com/bot)" is
	// MyBot. Empty means only the "*" groups apply.
	Agent string
	// Fetch gets robots.txt files. It must not be nil.
	Fetch Fetcher
	// RetryMin and RetryMax bound the wait before a host whose robots.txt
	// is unreachable is tried again: RetryMin after the first failure,
	// doubling with each failure in a row up to RetryMax. Zero means
	// DefaultRetryMin and DefaultRetryMax.
	RetryMin, RetryMax time.Duration
	// MaxAge is how long a robots.txt that was read (or found unavailable)
	// is used before it is fetched again. Zero means DefaultMaxAge, which is
	// the longest RFC 9309 section 2.4 recommends.
	MaxAge time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// Attempts is how many times one refresh tries a robots.txt that
	// answers 5xx or not at all, before the host is disallowed until
	// RetryMin has passed; zero means once. A crawl gives a few: a host
	// that is briefly overloaded should not lose all its URLs.
	Attempts int
	// RetryWait is the wait before the second attempt, doubled before
	// each attempt after it, and at most RetryWaitMax. Zero means
	// DefaultRetryWait and DefaultRetryWaitMax.
	RetryWait, RetryWaitMax time.Duration
	// Sleep waits d, or until ctx is done (it then returns ctx.Err());
	// nil means a timer. Tests pass one that does not sleep.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Defaults of the waits between the attempts of one refresh.
const (
	DefaultRetryWait    = time.Second
	DefaultRetryWaitMax = 30 * time.Second
)

// Cache fetches each host's robots.txt once and applies it to the host's URLs.
// It is safe for concurrent use; one Cache serves one crawl. Create it with
// NewCache; the zero value is not usable.
//
// The cache keeps one entry per scheme://host:port for its whole life and
// never evicts: an entry holds only the rules of the group that applies to
// Options.Agent and the file's Sitemap URLs (bounded by ParseLimit per host,
// and usually a few hundred bytes), never the file itself.
type Cache struct {
	agent              string
	fetch              Fetcher
	retryMin, retryMax time.Duration
	maxAge             time.Duration
	now                func() time.Time
	attempts           int
	wait, waitMax      time.Duration
	sleep              func(context.Context, time.Duration) error

	mu    sync.Mutex
	hosts map[string]*entry
}

// entry is the state of one host. Its fields are guarded by Cache.mu.
type entry struct {
	// rules is the robots.txt last read, empty (allow all) when it was
	// unavailable, nil while none has been read or found unavailable.
	rules *Rules
	// unreachable says why the host is disallowed while rules is nil and
	// the last fetch failed.
	unreachable string
	// expires is when the entry must be fetched again; zero before the
	// first fetch.
	expires time.Time
	// failures counts fetches in a row that found the file unreachable.
	failures int
	// status is the status of the last answer (0 for none), and
	// attempts the number of fetches the last refresh made.
	status, attempts int
	// fetching is closed when the fetch in progress ends; nil when none is.
	fetching chan struct{}
}

// NewCache returns an empty Cache configured by opts. It panics if opts.Fetch
// is nil.
func NewCache(opts Options) *Cache {
	if opts.Fetch == nil {
		panic("robots: NewCache with a nil Options.Fetch")
	}
	c := &Cache{
		agent:    productToken(crawlerName(opts.Agent)),
		fetch:    opts.Fetch,
		retryMin: opts.RetryMin,
		retryMax: opts.RetryMax,
		maxAge:   opts.MaxAge,
		now:      opts.Now,
		hosts:    make(map[string]*entry),
	}
	if c.retryMin <= 0 {
		c.retryMin = DefaultRetryMin
	}
	if c.retryMax <= 0 {
		c.retryMax = DefaultRetryMax
	}
	c.retryMax = max(c.retryMax, c.retryMin)
	if c.maxAge <= 0 {
		c.maxAge = DefaultMaxAge
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.attempts = max(opts.Attempts, 1)
	c.wait, c.waitMax = opts.RetryWait, opts.RetryWaitMax
	if c.wait <= 0 {
		c.wait = DefaultRetryWait
	}
	if c.waitMax <= 0 {
		c.waitMax = DefaultRetryWaitMax
	}
	c.sleep = opts.Sleep
	if c.sleep == nil {
		c.sleep = sleep.Sleep
	}
	return c
}

// Check reports whether u may be fetched, fetching u's robots.txt first if
// the cache has no current copy. Only one fetch per host runs at a time:
// concurrent callers for the same host wait for it. Failing to fetch
// robots.txt is not an error but a Decision that disallows the URL.
//
// Check returns an error only when u is not an absolute http or https URL
// (wrapping ErrUnsupportedURL) or when ctx is done before the answer is known
// (wrapping ctx.Err()); the Decision is then the zero value, which disallows.
// A fetch cancelled with its caller's context is not recorded, and the
// callers waiting for it fetch again.
func (c *Cache) Check(ctx context.Context, u *url.URL) (Decision, error) {
	e, err := c.entry(ctx, u)
	if err != nil {
		return Decision{}, err
	}
	c.mu.Lock()
	rules, reason, status, attempts := e.rules, e.unreachable, e.status, e.attempts
	c.mu.Unlock()
	switch {
	case rules != nil:
		return rules.Check(u), nil
	case isRobotsPath(matchTarget(u)):
		return Decision{Allowed: true}, nil
	}
	return Decision{Reason: reason, Unavailable: true, Status: status, Attempts: attempts}, nil
}

// Sitemaps returns the Sitemap URLs of u's host's robots.txt, fetching the
// file first as Check does. It returns nil when the file has none or could
// not be read. Its errors are those of Check. The caller must not modify the
// slice.
func (c *Cache) Sitemaps(ctx context.Context, u *url.URL) ([]string, error) {
	e, err := c.entry(ctx, u)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return e.rules.Sitemaps(), nil
}

// Paths returns the paths of the Allow and Disallow rules that apply to
// u's host (Rules.Paths), fetching its robots.txt first as Check does. Its
// errors are those of Check.
func (c *Cache) Paths(ctx context.Context, u *url.URL) ([]string, error) {
	e, err := c.entry(ctx, u)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return e.rules.Paths(), nil
}

// entry returns u's host entry once it is current, fetching its robots.txt if
// needed or waiting for the fetch another goroutine has started.
func (c *Cache) entry(ctx context.Context, u *url.URL) (*entry, error) {
	key, robotsURL, err := hostKey(u)
	if err != nil {
		return nil, err
	}
	for {
		c.mu.Lock()
		e := c.hosts[key]
		if e == nil {
			e = &entry{}
			c.hosts[key] = e
		}
		if wait := e.fetching; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, fmt.Errorf("wait for %s: %w", robotsURL, ctx.Err())
			}
		}
		if !e.expires.IsZero() && c.now().Before(e.expires) {
			c.mu.Unlock()
			return e, nil
		}
		done := make(chan struct{})
		e.fetching = done
		c.mu.Unlock()

		err := c.refresh(ctx, e, robotsURL, done)
		if err != nil {
			return nil, err
		}
		return e, nil
	}
}

// refresh fetches robotsURL and records the outcome in e, then closes done.
// It returns an error, and records nothing, only when ctx is done.
func (c *Cache) refresh(ctx context.Context, e *entry, robotsURL string, done chan struct{}) error {
	defer func() {
		// Runs even if the Fetcher panics, so that waiters are released
		// and one of them fetches again.
		c.mu.Lock()
		e.fetching = nil
		c.mu.Unlock()
		close(done)
	}()

	var (
		rules    *Rules
		reason   string
		status   int
		attempts int
	)
	wait := min(c.wait, c.waitMax)
	for attempts < c.attempts {
		if attempts > 0 {
			if err := c.sleep(ctx, wait); err != nil {
				return fmt.Errorf("wait to fetch %s again: %w", robotsURL, err)
			}
			wait = min(2*wait, c.waitMax)
		}
		attempts++
		var body []byte
		var err error
		status, body, err = c.fetch(ctx, robotsURL)
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("fetch %s: %w", robotsURL, ctx.Err())
		}
		rules, reason = c.read(status, body, err)
		if rules != nil {
			break
		}
	}
	if attempts > 1 && rules == nil {
		reason += " after " + strconv.Itoa(attempts) + " attempts"
	}

	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e.status, e.attempts = status, attempts
	if rules != nil {
		e.rules, e.unreachable = rules, ""
		e.failures = 0
		e.expires = now.Add(c.maxAge)
		return nil
	}
	// Unreachable. Rules read before stay in force (RFC 9309 section 2.4:
	// a cached copy may outlive its age while the file is unreachable).
	e.failures++
	e.expires = now.Add(c.backoff(e.failures))
	e.unreachable = reason
	return nil
}

// read says what one fetch of a robots.txt means: its rules, empty rules
// when it is "unavailable" (3xx after too many redirects, 4xx: everything
// is allowed), or nil and why it is unreachable (5xx, no response, a body
// cut short), which disallows the host.
func (c *Cache) read(status int, body []byte, err error) (*Rules, string) {
	switch {
	case status >= 200 && status < 300 && err == nil:
		return Parse(body, c.agent), ""
	case status >= 300 && status < 500:
		return &Rules{}, "" // "unavailable": no rules apply
	case status != 0 && err != nil:
		return nil, "robots.txt unreachable (" + strconv.Itoa(status) + ": " + err.Error() + ")"
	case status != 0:
		return nil, "robots.txt unreachable (" + strconv.Itoa(status) + ")"
	case err != nil:
		return nil, "robots.txt unreachable (" + err.Error() + ")"
	}
	return nil, "robots.txt unreachable (no response)"
}

// backoff returns the wait after the n-th failure in a row: retryMin doubled
// n-1 times, at most retryMax.
func (c *Cache) backoff(n int) time.Duration {
	d := c.retryMin
	for i := 1; i < n && d < c.retryMax; i++ {
		d *= 2
	}
	return min(d, c.retryMax)
}

// hostKey returns the cache key of u's host, scheme://host:port with the
// default port filled in, and the URL of its robots.txt.
func hostKey(u *url.URL) (key, robotsURL string, err error) {
	if u == nil {
		return "", "", fmt.Errorf("robots.txt for a nil url: %w", ErrUnsupportedURL)
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if scheme != "http" && scheme != "https" || host == "" {
		return "", "", fmt.Errorf("robots.txt for %q: %w", u.Redacted(), ErrUnsupportedURL)
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	hostPort := net.JoinHostPort(host, port)
	key = scheme + "://" + hostPort
	if scheme == "http" && port == "80" || scheme == "https" && port == "443" {
		hostPort = host
		if strings.Contains(host, ":") {
			hostPort = "[" + host + "]"
		}
	}
	return key, scheme + "://" + hostPort + "/robots.txt", nil
}
