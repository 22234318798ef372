package crawl

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/store"
	"github.com/crawl-go/crawl/urlnorm"
)

// admitter decides which URLs enter the frontier, and is the only way in:
// seeds, the sitemaps given and those robots.txt names, the links a page
// holds, and the targets of redirects. It owns the rules: the scope, the
// trap limits, the crawl's budget of URLs (Config.MaxPages), the lines of
// URLs not fetched by policy, and which URLs are sitemaps. It is safe for
// concurrent use.
//
// Why was a URL not fetched? A link out of scope or too deep is counted
// (stats.skip, by outcome.Reason); one over a trap limit gets a manifest
// line (outcome.Kind trap_*); one over the budget is counted as
// max_pages; one seen before is the frontier's.
type admitter struct {
	frontier frontier.Frontier
	// known holds URLs the frontier has seen: a link to one is not asked
	// of the frontier again.
	known    *frontier.SeenCache
	scope    *scope.Scope
	traps    *scope.Traps
	maxPages int64        // 0: no budget
	admitted atomic.Int64 // URLs admitted, counted against maxPages
	// shared, when set, keeps the budget instead of admitted: the
	// frontier of a shared crawl, whose budget is its processes'
	// together (frontier.Shared.AddWithin).
	shared frontier.Shared
	rec    *recorder // the lines of URLs skipped by policy
	stats  *stats
	log    io.Writer
	norm   urlnorm.Normalizer
	// fetched holds what earlier runs recorded: a redirect to a URL they
	// fetched is not followed.
	fetched *history
	// graph, when set, receives every link with what became of it
	// (Config.Links).
	graph *linkGraph

	// probeSitemaps asks for each host's /sitemap.xml, once
	// (Config.FollowSitemaps, with a depth to follow its URLs to).
	probeSitemaps bool

	// sitemapURLs holds the URLs queued as sitemaps (given, named by
	// robots.txt, or in a sitemap index); sitemapHosts the origins
	// whose robots.txt sitemaps were queued; probed the origins whose
	// /sitemap.xml was. String keys.
	sitemapURLs  sync.Map
	sitemapHosts sync.Map
	probed       sync.Map
}

// seeds admits the seeds, whatever the budgets.
func (a *admitter) seeds(ctx context.Context, items []frontier.Item) error {
	n, err := a.frontier.Add(ctx, items...)
	a.stats.queued.Add(int64(n))
	a.admitted.Add(int64(n))
	return err
}

// linkBuffers are a parse worker's slices for links, reused from page to
// page.
type linkBuffers struct {
	links []parse.Link
	items []frontier.Item
	urls  []*url.URL
	idx   []int // the index in links of each of items
	// decisions are what became of each link, with a link graph.
	decisions []decision
	// occurrences are every occurrence of the links of the page, for
	// the link graph.
	occurrences []parse.Link
}

// links admits the links found in the page of item from: those in scope,
// within the trap limits and the budget. With a link graph, it writes a
// line for each link, with what became of it. An error (from the
// frontier, or writing a skip line) means the links could not all be
// queued.
func (a *admitter) links(ctx context.Context, from frontier.Item, links []parse.Link, b *linkBuffers) error {
	parent := scope.Parent{Depth: from.Depth, Requisite: from.Requisite, Given: a.givenSitemap(from)}
	b.items, b.urls, b.idx = b.items[:0], b.urls[:0], b.idx[:0]
	b.decisions = append(b.decisions[:0], make([]decision, len(links))...)
	for i, l := range links {
		req := l.Kind == parse.Requisite
		if r := a.scope.Check(parent, l.URL, req); r != scope.Follow {
			a.stats.skip(r.Outcome(), 1)
			b.decisions[i] = decision{why: string(r.Outcome())}
			continue
		}
		it := frontier.Item{
			URL:       l.URL.String(),
			Host:      l.URL.Host,
			Depth:     from.Depth + 1,
			Parent:    from.URL,
			Requisite: req,
		}
		if kind, why, ok := a.traps.Static(l.URL, it.URL); !ok {
			b.decisions[i] = decision{why: string(kind)}
			if err := a.skip(ctx, it, kind, why); err != nil {
				return fmt.Errorf("recording a skipped link of %s: %w", from.URL, err)
			}
			continue
		}
		b.items = append(b.items, it)
		b.urls = append(b.urls, l.URL)
		b.idx = append(b.idx, i)
	}
	for k, it := range b.items {
		d := &b.decisions[b.idx[k]]
		if !a.reserve() {
			a.stats.skip(outcome.MaxPages, 1)
			d.why = string(outcome.MaxPages)
			continue
		}
		if kind, why, ok := a.traps.Reserve(b.urls[k]); !ok {
			a.unreserve()
			d.why = string(kind)
			if err := a.skip(ctx, it, kind, why); err != nil {
				return fmt.Errorf("recording a skipped link of %s: %w", from.URL, err)
			}
			continue
		}
		n, over, err := a.add(ctx, it)
		if err != nil {
			return fmt.Errorf("queuing the links of %s: %w", from.URL, err)
		}
		if over { // the shared crawl's budget is spent
			a.traps.Unreserve(b.urls[k])
			a.stats.skip(outcome.MaxPages, 1)
			d.why = string(outcome.MaxPages)
			continue
		}
		d.followed = true
		if n == 0 { // seen before: give the reservations back
			d.why = seenBefore
			a.traps.Unreserve(b.urls[k])
			a.unreserve()
		}
		a.stats.queued.Add(int64(n))
	}
	if a.graph != nil {
		return a.graph.page(from.URL, links, b.decisions, b.occurrences)
	}
	return nil
}

// reserve takes a URL from the budget of this process (admitted), and
// reports whether there was one left; always true without a budget, or
// when a shared frontier keeps it (add asks it then).
func (a *admitter) reserve() bool {
	if a.maxPages == 0 || a.shared != nil {
		return true
	}
	if a.admitted.Add(1) > a.maxPages {
		a.admitted.Add(-1)
		return false
	}
	return true
}

// unreserve gives back a URL that reserve took.
func (a *admitter) unreserve() {
	if a.maxPages > 0 && a.shared == nil {
		a.admitted.Add(-1)
	}
}

// add adds it to the frontier, and reports whether it was new (1) or
// seen before (0), which a.known may tell without the frontier. With a
// budget kept by a shared frontier, it reports over when the crawl's
// budget is spent: it was not queued.
func (a *admitter) add(ctx context.Context, it frontier.Item) (n int, over bool, err error) {
	if a.known.Seen(it.URL) {
		return 0, false, nil
	}
	if a.shared != nil && a.maxPages > 0 {
		var refused int
		n, refused, err = a.shared.AddWithin(ctx, a.maxPages, it)
		over = refused > 0
	} else {
		n, err = a.frontier.Add(ctx, it)
	}
	if err == nil && !over {
		a.known.Put(it.URL)
	}
	return n, over, err
}

// skip records a URL that the crawl decided not to fetch, once: the URL is
// claimed in the frontier so that later links to it are ignored.
func (a *admitter) skip(ctx context.Context, it frontier.Item, kind outcome.Kind, why string) error {
	a.stats.skip(outcome.Skip(kind), 1)
	isNew, err := a.frontier.Claim(ctx, it.URL)
	if err != nil || !isNew {
		return err
	}
	return a.rec.write(&store.Record{URL: it.URL, Depth: it.Depth, Parent: it.Parent,
		Error: why, ErrorKind: kind, FetchedAt: time.Now().UTC()})
}

// sitemaps admits sitemap URLs found in from (a sitemap index), at its
// depth: their URLs are then one deeper. With a zero from they are the
// crawl's own (Config.Sitemaps), at depth 0 like seeds; from a robots.txt
// (parent its URL, depth 0), or an index, those out of scope are skipped,
// as a link would be.
func (a *admitter) sitemaps(ctx context.Context, raws []string, from frontier.Item) error {
	var items []frontier.Item
	for _, raw := range raws {
		u, err := a.norm.Parse(raw)
		if err != nil {
			fmt.Fprintf(a.log, "crawl: sitemap %q: %v\n", raw, err)
			continue
		}
		if from.URL != "" && a.scope.Allows(u) != scope.Follow {
			continue
		}
		s := u.String()
		a.sitemapURLs.Store(s, true)
		items = append(items, frontier.Item{URL: s, Host: u.Host, Depth: from.Depth, Parent: from.URL})
	}
	n, err := a.frontier.Add(ctx, items...)
	a.stats.queued.Add(int64(n))
	a.admitted.Add(int64(n))
	return err
}

// givenSitemap reports whether it is a sitemap the crawl was given
// (Config.Sitemaps), or one that such a sitemap index names: those are at
// depth 0, as seeds; robots.txt's are read only with a depth.
func (a *admitter) givenSitemap(it frontier.Item) bool {
	return it.Depth == 0 && a.isSitemap(it.URL)
}

// isSitemap reports whether u was queued as a sitemap.
func (a *admitter) isSitemap(u string) bool {
	_, ok := a.sitemapURLs.Load(u)
	return ok
}

// wellKnown admits, the first time a URL of u's host is fetched, the
// host's /sitemap.xml, as a sitemap found through its robots.txt: a
// sitemap answering 4xx is then recorded as missing, not as a failure.
func (a *admitter) wellKnown(ctx context.Context, u *url.URL) error {
	if !a.probeSitemaps {
		return nil
	}
	origin := u.Scheme + "://" + u.Host
	if _, seen := a.probed.LoadOrStore(origin, true); seen {
		return nil
	}
	return a.sitemaps(ctx, []string{origin + "/sitemap.xml"}, frontier.Item{URL: origin + robotsPath})
}

// robotsPath is the path of a host's robots.txt, the parent of what the
// crawl finds there or asks the host for on its own.
const robotsPath = "/robots.txt"

// wellKnownItem reports whether it is a URL the crawl found in, or asks a
// host for beside, its robots.txt: not a link of a page, nor a URL the
// user gave.
func wellKnownItem(it frontier.Item) bool {
	return strings.HasSuffix(it.Parent, robotsPath) && strings.Count(it.Parent, "/") == 3
}

// firstVisit reports whether origin (scheme://host) is seen for the first
// time, to read its robots.txt's sitemaps once.
func (a *admitter) firstVisit(origin string) bool {
	_, seen := a.sitemapHosts.LoadOrStore(origin, true)
	return !seen
}

// fetchState is what the admitter knows and records of one fetch: the
// frontier item being fetched and the redirect targets it claimed. It is
// used by one fetch at a time: the fetcher follows redirects in order.
type fetchState struct {
	item    frontier.Item
	claimed []string
}

// redirect decides whether the fetch of fs.item follows a redirect to
// target (it is the fetch.Request's FollowRedirect). The target of a
// seed's redirect joins the scope (the site moved: http to https,
// example.com to www.example.com); any other URL's redirect out of scope
// is counted and not followed, as its link would not have been. The target
// is claimed in the frontier, so that a body is fetched once: it is not
// followed when it was seen already (queued, fetched, or claimed by
// another redirect, in this run or an earlier one). The claims are kept
// with the fetch, so that a fetch abandoned on an interrupt gives them
// back.
func (a *admitter) redirect(ctx context.Context, fs *fetchState, target string) error {
	u, err := a.norm.Parse(target)
	if err != nil {
		return err
	}
	s := u.String()
	if s == fs.item.URL {
		// The item's own URL once normalized: a redirect that adds a
		// session id (/a to /a;jsessionid=...). Its body is the item's.
		return nil
	}
	allows := a.scope.Allows
	if fs.item.Requisite {
		allows = a.scope.AllowsRequisite // above the start folder too
	}
	from := fs.item.URL
	if n := len(fs.claimed); n > 0 {
		from = fs.claimed[n-1] // the hop before
	}
	if fs.item.Depth == 0 {
		a.scope.AddSeed(u)
	} else if r := allows(u); r != scope.Follow {
		a.stats.skip(r.Outcome().Redirect(), 1)
		return a.graph.redirect(from, s, decision{why: string(r.Outcome().Redirect())}, fetch.ErrSkipRedirect)
	}
	if l := a.fetched.line(s); l != nil && l.outcome() {
		// An earlier run has it.
		return a.graph.redirect(from, s, decision{followed: true, why: seenBefore}, fetch.ErrSkipRedirect)
	}
	isNew, err := a.frontier.Claim(ctx, s)
	if err != nil {
		return err
	}
	if !isNew {
		return a.graph.redirect(from, s, decision{followed: true, why: seenBefore}, fetch.ErrSkipRedirect)
	}
	fs.claimed = append(fs.claimed, s)
	return a.graph.redirect(from, s, decision{followed: true}, nil)
}
