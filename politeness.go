package crawl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/ratelimit"
	"github.com/crawl-go/crawl/robots"
)

// Limits of robots.txt handling.
const (
	// robotsMaxSize bounds a robots.txt download; the parser reads 500 KiB.
	robotsMaxSize = 1 << 20
	// maxCrawlDelay caps a robots.txt Crawl-delay, so that one host
	// asking for an hour between requests does not hold a crawl for days.
	maxCrawlDelay = time.Minute
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
	url      string // the URL not fetched
	reason   string
	attempts int
	kind     error
}

func (e *robotsError) Error() string { return "fetch " + e.url + ": " + e.reason }
func (e *robotsError) Unwrap() error { return e.kind }

// newRobots returns a robots.txt cache whose fetches go through the crawl's
// transport (so the host's rate limit applies to them too), follow at most
// five redirects, as RFC 9309 asks, and are not retried: the cache has its
// own retries for a robots.txt that cannot be read. Every fetch's response
// goes to archive, which archives its exchanges (with fo.KeepExchange) and
// releases them.
func newRobots(fo fetch.Options, archive func(*fetch.Response)) *robots.Cache {
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
			archive(resp)
			if err != nil {
				return resp.Status, nil, robotsCause(err)
			}
			body := bytes.Clone(resp.Body.Bytes())
			resp.Body.Release()
			return resp.Status, body, nil
		},
	})
}

// politeness applies each host's robots.txt to the URLs of the fetch
// stage: it decides whether a URL may be fetched, caps the host's rate at
// its Crawl-delay, and admits the sitemaps robots.txt names, once per
// host. It is safe for concurrent use.
type politeness struct {
	robots  *robots.Cache
	limiter *ratelimit.Limiter
	admit   *admitter
	// obey says robots.txt's rules and Crawl-delay apply (Config.Robots);
	// without, robots.txt is read only for paths.
	obey bool
	// sitemaps says robots.txt's Sitemap lines are followed
	// (Config.FollowSitemaps, with a depth to follow them to); paths
	// that the paths of its Allow and Disallow lines are tried
	// (Config.Discover parse.ModeAll, with a depth).
	sitemaps, paths bool
	log             io.Writer
	fail            func(error)
}

// check applies the robots.txt of it's host (u is it.URL, parsed): it
// returns an error wrapping errRobots when the URL is disallowed, a
// *robotsError when the file could not be read, and ctx's error when ctx
// ends first.
func (p *politeness) check(ctx context.Context, it *frontier.Item, u *url.URL) error {
	d, err := p.robots.Check(ctx, u)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("checking robots.txt: %w", ctx.Err())
		}
		return nil // not an http URL: the fetch reports it
	}
	if origin := u.Scheme + "://" + u.Host; (p.sitemaps || p.paths) && p.admit.firstVisit(origin) {
		p.wellKnown(ctx, u, origin)
	}
	if !p.obey {
		return nil
	}
	if d.CrawlDelay > 0 {
		p.limiter.SetMaxRate(u.Host, rate.Limit(1/min(d.CrawlDelay, maxCrawlDelay).Seconds()))
	}
	switch {
	case d.Allowed:
		return nil
	case d.Unavailable:
		kind := errRobotsUnavailable
		if d.Status == 0 {
			kind = ratelimit.ErrHostUnreachable
		}
		return &robotsError{url: it.URL, reason: d.Reason, attempts: d.Attempts, kind: kind}
	}
	if it.Depth == 0 {
		// A URL the user asked for: say so, whatever else is quiet.
		fmt.Fprintf(p.log, "crawl: %s is disallowed by %s (--robots=false ignores robots.txt, for your own sites)\n",
			it.URL, strings.TrimPrefix(d.Reason, "disallowed by "))
	}
	return fmt.Errorf("%w: %s", errRobots, strings.TrimPrefix(d.Reason, "disallowed by robots.txt: "))
}

// redirect applies robots.txt to target, a redirect hop of it, as to any
// URL the crawl asks for (its host's robots.txt is read first when it is
// another host): the hop is not followed when robots.txt disallows it,
// and it then ends with the error of check.
func (p *politeness) redirect(ctx context.Context, it *frontier.Item, target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return nil // the fetch reports it
	}
	hop := *it
	hop.URL, hop.Depth = target, max(it.Depth, 1) // check speaks of given URLs
	err = p.check(ctx, &hop, u)
	if errors.Is(err, errRobots) && it.Depth == 0 {
		fmt.Fprintf(p.log, "crawl: %s redirects to %s, which robots.txt disallows (--robots=false ignores robots.txt, for your own sites)\n", it.URL, target)
	}
	return err // the fetcher names the hop
}

// wellKnown admits what the robots.txt of u's host names, the first time
// the host is visited: its sitemaps, and the paths of its rules as links
// of the robots.txt at depth 1 (a path robots.txt disallows is then
// recorded as such, unless the rules are not obeyed).
func (p *politeness) wellKnown(ctx context.Context, u *url.URL, origin string) {
	robotsTxt := frontier.Item{URL: origin + robotsPath}
	if p.sitemaps && p.obey {
		if maps, err := p.robots.Sitemaps(ctx, u); err == nil {
			if err := p.admit.sitemaps(ctx, maps, robotsTxt); err != nil {
				p.fail(fmt.Errorf("queuing the sitemaps of %s: %w", robotsTxt.URL, err))
			}
		}
	}
	if !p.paths {
		return
	}
	paths, err := p.robots.Paths(ctx, u)
	if err != nil || len(paths) == 0 {
		return
	}
	base, _ := url.Parse(robotsTxt.URL)
	var links []parse.Link
	for _, path := range paths {
		if l, err := p.admit.norm.Resolve(base, path); err == nil {
			links = append(links, parse.Link{URL: l, Kind: parse.Page, Source: parse.Source{Kind: parse.SourceRobots}})
		}
	}
	if err := p.admit.links(ctx, robotsTxt, links, &linkBuffers{}); err != nil {
		p.fail(fmt.Errorf("queuing the paths of %s: %w", robotsTxt.URL, err))
	}
}

// robotsCause returns what went wrong with a robots.txt fetch, for the
// reason the robots.txt cache gives: the network's error ("connection
// refused") without the fetch's own wrapping, which names the URL and the
// attempts the cache counts itself.
func robotsCause(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op
	}
	return err
}
