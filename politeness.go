package crawl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/ratelimit"
	"github.com/crawl-go/crawl/robots"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/sitemap"
	"github.com/crawl-go/crawl/store"
	"github.com/crawl-go/crawl/urlnorm"
)

// Limits of robots.txt handling and sitemaps.
const (
	// robotsMaxSize bounds a robots.txt download; the parser reads 500 KiB.
	robotsMaxSize = 1 << 20
	// maxCrawlDelay caps a robots.txt Crawl-delay, so that one host
	// asking for an hour between requests does not hold a crawl for days.
	maxCrawlDelay = time.Minute
	// sitemapMaxBytes bounds a sitemap, decompressed (the protocol's 50 MB).
	sitemapMaxBytes = 50 << 20
)

// errRobots marks URLs that robots.txt disallows.
var errRobots = errors.New("disallowed by robots.txt")

// errRobotsUnavailable marks URLs whose host's robots.txt answered 5xx
// through all its attempts: the host may not be crawled.
var errRobotsUnavailable = errors.New("robots.txt unavailable")

// robotsError is the failure of a URL whose robots.txt could not be read.
// It wraps errRobotsUnavailable, or ratelimit.ErrHostUnreachable when no
// answer came at all.
type robotsError struct {
	reason   string
	attempts int
	kind     error
}

func (e *robotsError) Error() string { return e.reason }
func (e *robotsError) Unwrap() error { return e.kind }

// newRobots returns a robots.txt cache whose fetches go through the crawl's
// transport (so the host's rate limit applies to them too), follow at most
// five redirects, as RFC 9309 asks, and are not retried: the cache has its
// own backoff for hosts whose robots.txt cannot be read. Every fetch's
// response goes to archive, which archives its exchanges (with
// fo.KeepExchange) and releases them.
func newRobots(fo fetch.Options, archive func(*fetch.Response, *store.Record)) *robots.Cache {
	retries := fo.Retries
	ro := fetch.Options{
		Transport:    fo.Transport,
		MaxRedirects: 5,
		MaxSize:      robotsMaxSize,
		UserAgent:    fo.UserAgent,
		Header:       fo.Header,
		Jar:          fo.Jar,
		KeepExchange: fo.KeepExchange,
		TempFile:     fo.TempFile,
	}
	f := fetch.New(ro)
	return robots.NewCache(robots.Options{
		Agent: fo.UserAgent,
		// A robots.txt answering 5xx or nothing is tried as often as a
		// page would be, with the same waits, before its host is given
		// up.
		Attempts:     retries + 1,
		RetryWait:    fo.RetryWaitMin,
		RetryWaitMax: fo.RetryWaitMax,
		Fetch: func(ctx context.Context, u string) (int, []byte, error) {
			resp, err := f.Get(ctx, u)
			archive(resp, nil)
			if err != nil {
				return resp.Status, nil, err
			}
			body := bytes.Clone(resp.Body.Bytes())
			resp.Body.Release()
			return resp.Status, body, nil
		},
	})
}

// checkRobots applies it's host's robots.txt: it returns an error wrapping
// errRobots when the URL is disallowed, applies the host's Crawl-delay to
// the rate limiter, and queues the host's sitemaps the first time.
func (c *Crawler) checkRobots(ctx context.Context, it *frontier.Item) error {
	u, err := url.Parse(it.URL)
	if err != nil {
		return nil // the fetch reports it
	}
	d, err := c.robots.Check(ctx, u)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("checking robots.txt: %w", ctx.Err())
		}
		return nil // not an http URL: the fetch reports it
	}
	if d.CrawlDelay > 0 {
		c.limiter.SetMaxRate(u.Host, rate.Limit(1/min(d.CrawlDelay, maxCrawlDelay).Seconds()))
	}
	if c.cfg.FollowSitemaps && c.cfg.Depth > 0 {
		origin := u.Scheme + "://" + u.Host
		if _, seen := c.sitemapHosts.LoadOrStore(origin, true); !seen {
			if maps, err := c.robots.Sitemaps(ctx, u); err == nil {
				if err := c.queueSitemaps(ctx, maps, origin+"/robots.txt"); err != nil {
					c.fail(err)
				}
			}
		}
	}
	switch {
	case d.Allowed:
		return nil
	case d.Unavailable:
		kind := errRobotsUnavailable
		if d.Status == 0 {
			kind = ratelimit.ErrHostUnreachable
		}
		return &robotsError{reason: d.Reason, attempts: d.Attempts, kind: kind}
	}
	if it.Depth == 0 {
		// A URL the user asked for: say so, whatever else is quiet.
		fmt.Fprintf(c.cfg.Log, "crawl: %s is disallowed by %s (--robots=false ignores robots.txt, for your own sites)\n",
			it.URL, strings.TrimPrefix(d.Reason, "disallowed by "))
	}
	return fmt.Errorf("%w: %s", errRobots, strings.TrimPrefix(d.Reason, "disallowed by robots.txt: "))
}

// queueSitemaps queues sitemap URLs at depth 0, as seeds: their URLs are
// then at depth 1. Sitemaps out of scope are skipped, as a link would be.
func (c *Crawler) queueSitemaps(ctx context.Context, raws []string, parent string) error {
	var items []frontier.Item
	for _, raw := range raws {
		u, err := urlnorm.Parse(raw)
		if err != nil {
			fmt.Fprintf(c.cfg.Log, "crawl: sitemap %q: %v\n", raw, err)
			continue
		}
		if parent != "" && c.scope.Allows(u) != scope.Follow {
			continue
		}
		s := u.String()
		c.sitemapURLs.Store(s, true)
		items = append(items, frontier.Item{URL: s, Host: u.Host, Parent: parent})
	}
	return c.admit(ctx, items, nil)
}

// maybeSitemap reports whether the body of u, of the given content type,
// may be a sitemap: u was queued as one, or it is any XML document
// (sitemapLinks then checks its root element).
func (c *Crawler) maybeSitemap(u, contentType string) bool {
	_, known := c.sitemapURLs.Load(u)
	return known || strings.Contains(strings.ToLower(contentType), "xml")
}

// sitemapLinks reads data as a sitemap, if it is one: a urlset or
// sitemapindex, gzipped or not, or a text sitemap queued as such. The
// sitemap's URLs are returned as page links; child sitemaps of an index
// are queued at the index's own depth.
func (c *Crawler) sitemapLinks(ctx context.Context, j *job, data []byte, links []parse.Link) []parse.Link {
	res, err := sitemap.Parse(bytes.NewReader(data), sitemapMaxBytes)
	if errors.Is(err, sitemap.ErrNotSitemap) {
		return links
	}
	if err != nil {
		fmt.Fprintf(c.cfg.Log, "crawl: reading sitemap %s: %v\n", j.item.URL, err)
	}
	for _, e := range res.URLs {
		if u, err := urlnorm.Parse(e.URL); err == nil {
			links = append(links, parse.Link{URL: u, Kind: parse.Page})
		}
	}
	if len(res.Sitemaps) > 0 {
		var items []frontier.Item
		for _, s := range res.Sitemaps {
			u, err := urlnorm.Parse(s)
			if err != nil || c.scope.Allows(u) != scope.Follow {
				continue
			}
			c.sitemapURLs.Store(u.String(), true)
			items = append(items, frontier.Item{URL: u.String(), Host: u.Host, Depth: j.item.Depth, Parent: j.item.URL})
		}
		if err := c.admit(ctx, items, nil); err != nil {
			c.fail(fmt.Errorf("queuing the sitemaps of %s: %w", j.item.URL, err))
		}
	}
	return links
}
