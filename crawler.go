package crawl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/mirror"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/ratelimit"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/store"
	"github.com/crawl-go/crawl/urlnorm"
)

// This file holds the Crawler: it builds the stages, wires them with
// channels (Run, run), keeps the stats and the first error that stops the
// crawl, and closes everything at the end.

// Crawler runs one crawl. Stats may be called from any goroutine while Run
// is running.
type Crawler struct {
	cfg   Config
	state *runState // what this run does with OutDir; its frontier
	out   *outputs  // the output directory, the manifest, records, archive

	admit *admitter
	fetch *fetchStage
	parse *parseStage
	store *storeStage

	seeds []frontier.Item // the valid seeds, normalized
	bad   []badSeed       // the seeds that are not URLs
	// creds are the credentials the seeds and sitemaps gave in their
	// URLs ("user:password@"), by host: normalized URLs carry none.
	creds map[string]*url.Userinfo

	stats     stats
	converted mirror.Stats // set by Run, after the crawl
	// finished is set when the frontier said the crawl is over: nothing
	// queued, nothing leased.
	finished atomic.Bool
	fatal    fatal
}

// badSeed is a seed that is not a valid URL, recorded as such.
type badSeed struct {
	seed Seed
	err  error
}

// seenCacheSize is the number of URLs the admitter remembers as seen by
// the frontier (frontier.SeenCache), in 128 KB.
const seenCacheSize = 16384

// New checks cfg and prepares a crawl: it opens the output directory, the
// crawl's state and the manifest, and decides what the run will do with
// what an earlier crawl left in OutDir (Plan). Seeds that are not valid
// URLs do not stop it: Run records them in the manifest as failures. New
// takes over cfg.Frontier: it is closed by Run, or by New if it fails.
func New(cfg Config) (*Crawler, error) {
	cfg.setDefaults()
	if err := cfg.check(); err != nil {
		if cfg.Frontier != nil {
			cfg.Frontier.Close()
		}
		return nil, err
	}
	c := &Crawler{cfg: cfg}
	norm := urlnorm.Normalizer{KeepSessionIDs: cfg.KeepSessionIDs}
	var seedURLs []*url.URL
	for _, s := range cfg.Seeds {
		u, err := norm.Parse(s.URL)
		if s.Err != nil {
			err = s.Err
		}
		if err != nil {
			c.bad = append(c.bad, badSeed{s, err})
			continue
		}
		seedURLs = append(seedURLs, u)
		c.seeds = append(c.seeds, frontier.Item{URL: u.String(), Host: u.Host})
		c.addCreds(s.URL, u.Host)
	}
	for _, raw := range cfg.Sitemaps {
		if u, err := norm.Parse(raw); err == nil {
			c.addCreds(raw, u.Host)
		}
	}

	out, err := openOutputs(&cfg)
	if err != nil {
		if cfg.Frontier != nil {
			cfg.Frontier.Close()
		}
		return nil, err
	}
	c.out = out
	if c.state, err = openState(context.Background(), &cfg, c.seeds); err != nil {
		out.close()
		out.removeCreated(cfg.OutDir)
		return nil, err
	}
	h := &c.state.history
	c.stats.earlierFailed = int64(h.failures)
	// The names stay with their URLs: no URL of this run takes the file
	// an earlier line names for another (/a saved as a.html, then the
	// URL /a.html, in a later run or after an interruption).
	for _, r := range h.saved {
		out.store.Keep(r.Path)
	}
	for _, l := range h.lines {
		if l.ok && l.path != "" {
			out.store.Keep(l.path)
		}
	}
	// The --max-pages budget is the crawl's, not the process's: what a
	// resumed run admitted before its interruption is spent. A shared
	// frontier keeps the budget of all the crawl's processes itself.
	var spent int64
	shared, _ := c.state.frontier.(frontier.Shared)
	if c.state.resumed && cfg.MaxPages > 0 && shared == nil {
		n, err := c.state.frontier.Counts(context.Background())
		if err != nil {
			c.state.frontier.Close()
			out.close()
			return nil, fmt.Errorf("counting the queue of the crawl to resume: %w", err)
		}
		spent = int64(h.lastRunOutcomes + n.Queued + n.Leased)
	}
	if err := out.openFiles(&cfg, c.state.plan.Kind, c.state.resumed, c.state.selectChanged, c.state.runNumber()); err != nil {
		c.state.frontier.Close()
		if out.archive != nil {
			out.archive.abort() // no package of a crawl that did not start
			out.archive = nil
		}
		out.close()
		return nil, err
	}

	front := c.state.frontier
	sc := scope.New(scope.Rules{
		Mode: cfg.Scope, Include: cfg.Include, Exclude: cfg.Exclude,
		MaxDepth: cfg.Depth, Requisites: cfg.Requisites,
		NoParent: cfg.NoParent, Accept: cfg.Accept, Reject: cfg.Reject,
	}, seedURLs)
	for _, raw := range cfg.Sitemaps {
		// A sitemap's URLs are of its site: in scope as a seed's.
		if u, err := norm.Parse(raw); err == nil {
			sc.AddHost(u)
		}
	}
	rec := &recorder{manifest: out.manifest, run: c.state.runNumber(), history: h, stats: &c.stats, fail: c.fail}
	known := frontier.NewSeenCache(seenCacheSize)
	c.admit = &admitter{
		frontier: front, known: known, scope: sc, traps: scope.NewTraps(cfg.Traps), maxPages: int64(cfg.MaxPages),
		rec: rec, stats: &c.stats, log: cfg.Log, norm: norm, fetched: h,
		probeSitemaps: cfg.FollowSitemaps && cfg.Depth > 0, graph: out.graph, shared: shared,
	}
	c.admit.admitted.Store(spent)
	limiter := ratelimit.New(cfg.RateLimit)
	fo := c.fetchOptions(limiter)
	var polite *politeness
	paths := cfg.Discover == parse.ModeAll && cfg.Depth > 0
	if cfg.Robots || paths {
		polite = &politeness{
			robots: newRobots(fo, func(resp *fetch.Response) {
				if err := out.archiveResponse(resp, nil, ""); err != nil {
					c.fail(err)
				}
			}),
			limiter: limiter, admit: c.admit, obey: cfg.Robots,
			sitemaps: cfg.FollowSitemaps && cfg.Depth > 0, paths: paths, log: cfg.Log, fail: c.fail,
		}
	}
	c.fetch = &fetchStage{
		frontier: front, fetcher: fetch.New(fo), polite: polite, admit: c.admit,
		history: h, store: out.store, stats: &c.stats, fail: c.fail, finished: &c.finished,
		cont: cfg.Continue,
	}
	c.parse = &parseStage{
		scope: sc, admit: c.admit, store: out.store, selects: cfg.Select,
		opts: parseOptions(&cfg), norm: norm, log: cfg.Log, fail: c.fail,
	}
	c.store = &storeStage{
		out: out, rec: rec, frontier: front, known: known, stats: &c.stats, fail: c.fail, log: cfg.Log, finishing: context.Background(),
		noMirror: cfg.NoMirror, update: cfg.Update, prune: cfg.Prune,
		disposition: cfg.ContentDisposition, adjustExt: cfg.AdjustExtension, paths: cfg.paths(),
		saveHeaders: cfg.SaveHeaders, output: cfg.Output, outputWriter: cfg.OutputWriter,
	}
	if cfg.Fsync {
		c.store.sync = out.sync
	}
	return c, nil
}

// QueuedByHost counts the URLs queued for each host, when the crawl's
// frontier can say (frontier.HostCounter); it may take time in the number
// of URLs queued. It may be called while Run runs.
func (c *Crawler) QueuedByHost(ctx context.Context) (map[string]int64, error) {
	hc, ok := c.state.frontier.(frontier.HostCounter)
	if !ok {
		return nil, errors.New("the frontier cannot count its queue by host")
	}
	return hc.QueuedByHost(ctx)
}

// Plan says what Run will do, as New decided from OutDir and its state:
// for the command to tell the user before the crawl starts.
func (c *Crawler) Plan() Plan { return c.state.plan }

// Run crawls until nothing is queued and nothing is in flight, or until ctx
// is cancelled: then no new URL is taken and no request starts, fetches in
// flight get Config.Grace to finish, everything fetched is stored and
// recorded, and what is left stays queued in the state for the next run;
// Run then returns ctx's error. Run returns an error for what stops the
// whole crawl (the manifest cannot be written); failures of single URLs
// are in the manifest and the summary.
func (c *Crawler) Run(ctx context.Context) (Summary, error) {
	c.stats.start = time.Now()
	if c.state.plan.Kind == PlanNothing {
		// Nothing to fetch; but links to convert when the run asks
		// for it (-k added to a finished crawl's command).
		var err error
		if c.cfg.ConvertLinks {
			err = c.convertLinks(ctx)
		}
		if cerr := c.close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
		return c.summary(ctx), err
	}
	err := c.run(ctx)
	if err == nil && c.finished.Load() {
		err = c.state.finish(c.state.history.urls + int(c.stats.newURLs.Load()))
	}
	if err == nil && c.cfg.ConvertLinks {
		err = c.convertLinks(ctx)
	}
	// Closing flushes the manifest and the archive and syncs the output
	// directory: its failure (a full disk) is the crawl's failure too.
	if cerr := c.close(); cerr != nil {
		err = errors.Join(err, cerr)
		c.fail(cerr) // the summary reports the crawl as interrupted
	}
	return c.summary(ctx), err
}

// run wires the stages and runs them until the crawl is over or stopped.
func (c *Crawler) run(ctx context.Context) error {
	// intake stops handing out URLs and starting requests: on ctx's end
	// or a fatal error.
	intake, stopIntake := context.WithCancel(ctx)
	defer stopIntake()
	c.fatal.onFail(stopIntake)
	// fetching outlives ctx by the grace period, so requests in flight
	// can finish and be stored.
	fetching, stopFetching := context.WithCancel(context.WithoutCancel(ctx))
	defer stopFetching()
	// The links of a page fetched in the grace period are still queued,
	// and the last lines written: a page is done only with its links. A
	// shared state (Redis) that does not answer is given finishWait more
	// after the grace period, then left: its leases run out.
	finishing, stopFinishing := context.WithCancel(context.WithoutCancel(ctx))
	defer stopFinishing()
	c.store.finishing = finishing
	ended := make(chan struct{})
	defer close(ended)
	go func() {
		select {
		case <-intake.Done():
		case <-ended:
			return
		}
		t := time.NewTimer(c.cfg.Grace)
		defer t.Stop()
		select {
		case <-t.C:
			stopFetching()
		case <-ended:
			return
		}
		if c.cfg.Frontier == nil {
			return // the crawl's own state answers at once
		}
		t.Reset(finishWait)
		select {
		case <-t.C:
			stopFinishing()
		case <-ended:
		}
	}()

	// A resumed frontier starts with queued items.
	if n, err := c.state.frontier.Counts(ctx); err == nil {
		c.stats.queued.Add(int64(n.Queued + n.Leased))
	}
	for _, b := range c.bad {
		c.store.recordBadSeed(b)
	}
	if err := c.admit.seeds(ctx, c.seeds); err != nil {
		return err
	}
	if err := c.admit.sitemaps(ctx, c.cfg.Sitemaps, frontier.Item{}); err != nil {
		return err
	}

	// parsed: fetch workers send, parse workers receive; closed when the
	// last fetch worker returns.
	parsed := make(chan *job, c.cfg.QueueSize)
	// stored: parse workers send, store workers receive; closed when the
	// last parse worker returns.
	stored := make(chan *job, c.cfg.QueueSize)
	var fetchers, parsers, writers sync.WaitGroup
	for range c.cfg.Workers {
		fetchers.Go(func() { c.fetch.run(intake, fetching, parsed) })
	}
	for range c.cfg.Parsers {
		parsers.Go(func() { c.parse.run(finishing, parsed, stored) })
	}
	for range c.cfg.Writers {
		writers.Go(func() { c.store.run(stored) })
	}
	fetchers.Wait()
	close(parsed)
	parsers.Wait()
	close(stored)
	writers.Wait()

	// What is left for the next run: queued, or released by this one;
	// -1 when the frontier cannot say (its disk is full).
	if n, err := c.state.frontier.Counts(finishing); err == nil {
		c.stats.left.Store(int64(n.Queued + n.Leased))
	} else {
		c.stats.left.Store(-1)
	}
	if err := c.fatal.get(); err != nil {
		return err
	}
	return ctx.Err()
}

// finishWait is how long, after the grace period of a stopped crawl, its
// shared state is waited for to take the last pages' links and outcomes.
const finishWait = 2 * time.Second

// fail records an error that stops the crawl: the intake stops, and what
// is in flight is still drained. Any stage may call it.
func (c *Crawler) fail(err error) { c.fatal.set(err) }

// close closes the crawl's frontier and outputs, and returns what went
// wrong: a manifest or archive that could not be flushed, an output
// directory that could not be synced.
func (c *Crawler) close() error {
	var errs []error
	if err := c.state.frontier.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing the frontier: %w", err))
	}
	return errors.Join(append(errs, c.out.close())...)
}

// convertLinks makes the mirror browse offline, from what the manifest
// says was saved, in this run and earlier ones.
func (c *Crawler) convertLinks(ctx context.Context) error {
	f, err := os.Open(filepath.Join(c.cfg.OutDir, store.ManifestName))
	if err != nil {
		return fmt.Errorf("converting links: %w", err)
	}
	defer f.Close()
	c.converted, err = mirror.Convert(ctx, c.out.store, bufio.NewReaderSize(f, 1<<20), mirror.Options{
		Workers: c.cfg.Parsers, Log: c.cfg.Log, Normalizer: urlnorm.Normalizer{KeepSessionIDs: c.cfg.KeepSessionIDs},
	})
	if err != nil {
		return fmt.Errorf("converting links: %w", err)
	}
	return nil
}
