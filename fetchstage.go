package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/ratelimit"
	"github.com/crawl-go/crawl/store"
)

// The fetch stage receives URLs from the frontier (Next) and sends a job
// for each to the parse stage, failures included. It owns the fetcher and
// the politeness rules (robots.txt, Crawl-delay); it decides whether a URL
// is fetched at all (an earlier run may have done it) and how (a re-crawl
// asks conditionally).

// fetchStage is the fetch stage's state, shared by its workers.
type fetchStage struct {
	frontier frontier.Frontier
	fetcher  *fetch.Fetcher
	polite   *politeness // nil when robots.txt is not obeyed
	admit    *admitter   // redirect targets
	history  *history    // what earlier runs did
	store    *store.Store
	stats    *stats
	fail     func(error)
	// finished is set when the frontier says the crawl is over.
	finished *atomic.Bool
	cont     bool // Config.Continue
}

// run is one fetch worker: it leases URLs from the frontier until the
// crawl is over or intake ends, fetches each with the fetching context,
// and hands every outcome, failures included, to out. Once intake has
// ended no new URL is taken and no request starts: a URL leased just
// before is handed on as abandoned, and the store stage releases it.
func (s *fetchStage) run(intake, fetching context.Context, out chan<- *job) {
	for {
		it, err := s.frontier.Next(intake)
		if errors.Is(err, frontier.ErrDone) {
			s.finished.Store(true)
			return
		}
		if err != nil {
			if intake.Err() == nil {
				s.fail(fmt.Errorf("taking the next URL: %w", err))
			}
			return
		}
		s.stats.inFlight.Add(1)
		// The parse stage drains out until it is closed, so every send
		// completes.
		out <- s.fetchOne(intake, fetching, it)
	}
}

// fetchOne fetches one leased URL.
func (s *fetchStage) fetchOne(intake, fetching context.Context, it frontier.Item) *job {
	if err := intake.Err(); err != nil {
		return &job{item: it, err: err}
	}
	if j := s.fromEarlier(it); j != nil {
		return j
	}
	// A URL that does not parse is reported by the fetch.
	if u, err := url.Parse(it.URL); err == nil {
		if s.polite != nil {
			// robots.txt is a new request: it is not started, nor
			// waited for, once intake has ended.
			if err := s.polite.check(intake, &it, u); err != nil {
				return &job{item: it, err: err}
			}
		}
		if err := s.admit.wellKnown(intake, u); err != nil && intake.Err() == nil {
			s.fail(fmt.Errorf("queuing the sitemap of %s: %w", u.Host, err))
		}
	}
	// A re-crawl asks for a body only if it changed since the file it
	// has.
	var v fetch.Validators
	prev := s.history.saved[it.URL] // with Config.Update: the URL's file
	if prev != nil && s.store.Has(prev.Path) {
		v = fetch.Validators{ETag: prev.ETag, LastModified: prev.LastModified}
	}
	fs := &fetchState{item: it}
	// No attempt, retry or redirect hop starts once intake has ended;
	// what is under way goes on, with fetching.
	ctx := ratelimit.WithStartContext(fetching, intake)
	resp, err := s.fetcher.Do(ctx, fetch.Request{
		URL: it.URL, Validators: v, Resume: s.partial(it.URL),
		FollowRedirect: func(ctx context.Context, target string) error {
			if s.polite != nil {
				if err := s.polite.redirect(ctx, &it, target); err != nil {
					return err
				}
			}
			return s.admit.redirect(ctx, fs, target)
		},
	})
	j := &job{item: it, resp: resp, err: err, prev: prev, claimed: fs.claimed}
	if errors.Is(err, ratelimit.ErrShared) {
		// The crawl's shared state failed, not the site: the crawl
		// stops, and the URL, not done, is fetched by the next run.
		s.fail(fmt.Errorf("waiting for the turn of %s in the shared rate limit: %w", it.URL, err))
		j.unfinished = true
	}
	return j
}

// fromEarlier returns the job of a URL an earlier run (or this one, before
// an interruption) has the outcome of, which is not fetched again: a saved
// page's links are read from its file, a URL that failed is not tried
// again (--update does). It returns nil for a URL to fetch: one without
// such a line, one whose failure is tried again, or one fetched without
// a file (Config.NoMirror), whose links are only on the web.
func (s *fetchStage) fromEarlier(it frontier.Item) *job {
	l := s.history.line(it.URL)
	switch {
	case l == nil || !l.outcome():
		return nil
	case l.ok && l.path != "" && s.store.Has(l.path):
		return &job{item: it, earlier: l}
	case !l.ok && s.cont && s.store.HasPartial(it.URL):
		return nil // failed with a partial download, which -c continues
	case !l.ok && l.retry:
		return nil // a failure tried again (triedAgain)
	case !l.ok || l.path == "" && l.status >= 300 && l.status < 400:
		return &job{item: it, earlier: l, skip: true}
	}
	return nil
}

// partial returns the partial download of url that an earlier run kept,
// to continue with Config.Continue; nil when there is none, or when it
// cannot be read (the download then starts over).
func (s *fetchStage) partial(url string) *fetch.Partial {
	if !s.cont {
		return nil
	}
	f, info, err := s.store.OpenPartial(url)
	if f == nil || err != nil {
		return nil
	}
	return &fetch.Partial{File: f, ETag: info.ETag, LastModified: info.LastModified, Length: info.Length}
}
