package crawl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/mirror"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/ratelimit"
	"github.com/crawl-go/crawl/robots"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/store"
	"github.com/crawl-go/crawl/urlnorm"
	"golang.org/x/net/publicsuffix"
)

// Seed is a URL the crawl starts from, as the user gave it.
type Seed struct {
	URL string
	// Source says where the URL came from ("urls.txt:12", "argument 2"),
	// for error messages.
	Source string
	// Err, when set, says why the seed could not be read; the crawl
	// records it as a bad URL.
	Err error
}

// Config configures a crawl. The zero value of each field is replaced by
// the default documented with it.
type Config struct {
	Seeds  []Seed
	OutDir string // default "crawl-out"

	Workers   int // fetch workers; default 16
	Parsers   int // parse workers; default GOMAXPROCS
	Writers   int // store workers; default 4
	QueueSize int // capacity of each channel between stages; default 64

	Depth      int  // links followed from a seed; 0 fetches only the seeds
	Requisites bool // with Depth 0, also fetch the seeds' page requisites
	MaxPages   int  // URLs fetched at most, seeds included; 0 = no limit
	Scope      scope.Mode
	Include    []*regexp.Regexp
	Exclude    []*regexp.Regexp
	// Traps bounds URL length, path depth and repetition, URLs per host
	// and query strings per path; URLs over a limit get a manifest line
	// saying so and are not fetched.
	Traps scope.TrapLimits

	RespectNoFollow bool
	Select          []parse.Field // data written to records.jsonl

	// ReadTimeout cuts a request off when no data arrives for that long
	// (headers, then each part of the body); zero means none.
	ReadTimeout time.Duration

	// Transport configures the connections of the default transport
	// (used when Fetch.Transport is nil): --resolve, --insecure,
	// --proxy. Its Conns defaults to Workers.
	Transport fetch.TransportOptions
	// User, when set, is sent as basic credentials to the seeds' hosts,
	// and to no other host.
	User *url.Userinfo
	// Jar holds the crawl's cookies; nil means a new in-memory jar that
	// applies the public suffix list.
	Jar http.CookieJar

	// Fetch configures the HTTP client. The crawler wraps Transport (nil:
	// fetch.NewTransport) in the rate limiter, applies Timeout to each
	// request from when it is sent (the wait for a host's turn is not
	// counted), and sets TempFile and FollowRedirect.
	Fetch     fetch.Options
	RateLimit ratelimit.Options
	Fsync     bool // fsync every file before it is renamed into place

	// WARC, when set, writes every exchange also to WARC 1.1 files named
	// WARC-00000.warc.gz, WARC-00001.warc.gz... (a trailing .warc.gz is
	// dropped from the name), rotated at WARCMaxSize bytes (0: one file):
	// each redirect hop, every status, robots.txt, as the bytes went over
	// the connection (the default transport then captures them and speaks
	// HTTP/1.1 only).
	WARC        string
	WARCMaxSize int64
	// CommandLine is the command that started the crawl, with credentials
	// and header values masked, for the WARC files' warcinfo records.
	CommandLine []string
	// WACZ, when set, packages the crawl's WARC files, their CDXJ index
	// and its HTML pages as a WACZ file at this path when the crawl ends
	// (the WARC files go to a temporary folder unless WARC names them).
	WACZ string
	// ContentDisposition names a saved file as the response's
	// Content-Disposition suggests (made safe, in the URL's own folder)
	// instead of after the URL.
	ContentDisposition bool
	// AdjustExtension names HTML files that do not end in .html or .htm
	// NAME.html, and CSS files that do not end in .css NAME.css
	// (store.AdjustExtension), so that they open with the right type from
	// disk.
	AdjustExtension bool
	// ConvertLinks rewrites, once the crawl has finished, the links of
	// every saved HTML and CSS file so that the mirror browses offline
	// (see package mirror). An interrupted crawl converts nothing; the
	// run that finishes it converts everything.
	ConvertLinks bool
	// NoMirror saves no files, only the manifest (and the WARC files).
	NoMirror bool

	// Grace is how long in-flight fetches may go on once Run's context is
	// cancelled before they are abandoned; default 3s.
	Grace time.Duration

	// Robots obeys each host's robots.txt (RFC 9309): disallowed URLs are
	// recorded, not fetched, and a Crawl-delay caps the host's rate.
	Robots bool
	// Sitemaps are sitemap URLs to read, like seeds; with FollowSitemaps,
	// the Sitemap lines of the robots.txt of every host crawled are read
	// too. Their URLs are at depth 1.
	Sitemaps       []string
	FollowSitemaps bool

	// State is where the crawl's queue and seen set are kept: a file
	// (default OutDir/.crawl/state.db), or StateMemory for none. With a
	// file, running the same crawl again resumes it, and what the run
	// does depends on what the file says of the earlier crawl (see Plan
	// and New). Ignored when Frontier is set.
	State string
	// Fresh forgets an earlier crawl into OutDir first: its state, its
	// manifest and its records (not the files of its mirror).
	Fresh bool

	// Update re-crawls into an OutDir that an earlier crawl filled, like
	// wget -N with ETags: a URL whose file the manifest names is asked for
	// with If-None-Match and If-Modified-Since; a 304 keeps the file (and
	// its links are read from it), a new body replaces it atomically under
	// the same name, and a 404 or 410 leaves it in place unless Prune is
	// set. Lines say how each URL changed (Record.Update).
	Update bool
	// Prune, with Update, deletes the file of a URL that now answers 404
	// or 410.
	Prune bool

	// Frontier, when set, is the crawl's queue instead of State: a state
	// shared with other processes. The run resumes when OutDir has a
	// manifest (this process's own). The crawler closes it.
	Frontier frontier.Frontier

	// Log receives warnings (bad seeds, write failures); nil discards them.
	Log io.Writer
}

// StateMemory is the Config.State that keeps the crawl's state in memory
// only: faster, and nothing to resume.
const StateMemory = "memory"

// maxParseBytes is the largest body the parse stage reads back from a spill
// file to find links in.
const maxParseBytes = 32 << 20

func (c *Config) setDefaults() {
	if c.OutDir == "" {
		c.OutDir = "crawl-out"
	}
	if c.Workers <= 0 {
		c.Workers = 16
	}
	if c.Parsers <= 0 {
		c.Parsers = runtime.GOMAXPROCS(0)
	}
	if c.Writers <= 0 {
		c.Writers = 4
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 64
	}
	if c.Grace <= 0 {
		c.Grace = 3 * time.Second
	}
	if c.Fetch.UserAgent == "" {
		c.Fetch.UserAgent = "crawl/" + Version
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// Crawler runs one crawl. Stats may be called from any goroutine while Run
// is running.
type Crawler struct {
	cfg      Config
	frontier frontier.Frontier
	scope    *scope.Scope
	store    *store.Store
	manifest *store.ManifestWriter
	records  *store.JSONLWriter
	fetcher  *fetch.Fetcher
	limiter  *ratelimit.Limiter
	warc     *archiver     // nil without Config.WARC or Config.WACZ
	robots   *robots.Cache // nil when robots.txt is not obeyed
	// sitemapURLs holds the URLs queued as sitemaps (from robots.txt,
	// --sitemap, or sitemap indexes), string keys.
	sitemapURLs sync.Map
	// sitemapHosts holds the scheme://host of every host whose robots.txt
	// sitemaps were queued.
	sitemapHosts sync.Map
	stats        stats
	converted    mirror.Stats // set by Run, after the crawl
	seeds        []frontier.Item
	bad          []badSeed

	traps    *scope.Traps
	admitted atomic.Int64 // URLs admitted, counted against MaxPages

	// state is what this run does with OutDir, and its state files.
	state *runState
	// runNo is the number of this run into OutDir, written on every line.
	runNo int
	// history is what earlier runs recorded; read-only once New returns.
	history history
	// saved holds, with Update, the latest saved file of each URL
	// according to the manifest; read-only once New returns.
	saved store.Saved

	// finished is set when the frontier said the crawl is over: nothing
	// queued, nothing leased.
	finished atomic.Bool

	fatalOnce sync.Once
	fatal     error
	stop      context.CancelFunc // stops the intake after a fatal error
}

type badSeed struct {
	seed Seed
	err  error
}

// New checks cfg and prepares a crawl: it opens the output directory and
// the manifest. Seeds that are not valid URLs do not stop it: Run records
// them in the manifest as failures.
func New(cfg Config) (*Crawler, error) {
	cfg.setDefaults()
	c := &Crawler{cfg: cfg, frontier: cfg.Frontier}
	var seedURLs []*url.URL
	for _, s := range cfg.Seeds {
		u, err := urlnorm.Parse(s.URL)
		if s.Err != nil {
			err = s.Err
		}
		if err != nil {
			c.bad = append(c.bad, badSeed{s, err})
			continue
		}
		seedURLs = append(seedURLs, u)
		c.seeds = append(c.seeds, frontier.Item{URL: u.String(), Host: u.Host})
	}
	for _, f := range cfg.Select {
		if f.Name == "url" {
			return nil, errors.New(`--select: the name "url" is taken by the page's URL`)
		}
	}
	c.traps = scope.NewTraps(cfg.Traps)
	c.scope = scope.New(scope.Rules{
		Mode: cfg.Scope, Include: cfg.Include, Exclude: cfg.Exclude,
		MaxDepth: cfg.Depth, Requisites: cfg.Requisites,
	}, seedURLs)

	st, err := store.Open(cfg.OutDir, store.Options{Fsync: cfg.Fsync})
	if err != nil {
		return nil, fmt.Errorf("opening output directory: %w", err)
	}
	c.store = st
	rs, err := openState(context.Background(), &cfg, c.seeds)
	if err != nil {
		c.closeOutputs()
		return nil, err
	}
	c.state, c.frontier = rs, rs.frontier
	c.history, c.runNo = rs.history, rs.runNumber()
	c.saved = rs.history.saved
	for _, r := range c.saved {
		st.Keep(r.Path) // the names stay with their URLs
	}
	if c.manifest, err = st.OpenManifest(); err != nil {
		c.closeAll()
		return nil, err
	}
	if len(cfg.Select) > 0 {
		if c.records, err = st.OpenJSONL(store.RecordsName); err != nil {
			c.closeAll()
			return nil, err
		}
	}
	fo := cfg.Fetch
	base := fo.Transport
	if base == nil {
		to := cfg.Transport
		if to.Conns <= 0 {
			to.Conns = cfg.Workers
		}
		to.Capture = cfg.archiving()
		base = fetch.NewTransportWith(to)
	}
	if cfg.User != nil {
		hosts := make([]string, len(c.seeds))
		for i, s := range c.seeds {
			hosts[i] = s.Host
		}
		base = fetch.AuthTransport(base, cfg.User, hosts)
	}
	fo.KeepExchange = cfg.archiving()
	fo.Jar = cfg.Jar
	if fo.Jar == nil {
		fo.Jar, _ = cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	}
	// The timeout applies under the limiter, so that it times each request
	// and not the wait for the host's turn.
	c.limiter = ratelimit.New(cfg.RateLimit)
	fo.Transport = c.limiter.Transport(fetch.TimeoutTransport(base, fo.Timeout, cfg.ReadTimeout))
	fo.Timeout = 0
	fo.TempFile = st.TempFile
	// A host given up by the circuit breaker fails at once; retrying
	// would only fail again. Nor is anything retried once the crawl has
	// stopped taking new work. The rest is the caller's policy.
	policy := fo.CheckRetry
	if policy == nil {
		policy = fetch.DefaultRetryPolicy
	}
	fo.CheckRetry = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if errors.Is(err, ratelimit.ErrHostUnreachable) {
			return false, err
		}
		retry, perr := policy(ctx, resp, err)
		if start := ratelimit.StartContext(ctx); retry && start != nil && start.Err() != nil {
			// The URL is abandoned, to be fetched by the next run.
			return false, start.Err()
		}
		return retry, perr
	}
	fo.FollowRedirect = c.followRedirect
	c.fetcher = fetch.New(fo)
	if cfg.archiving() {
		if c.warc, err = openArchive(cfg, time.Now()); err != nil {
			c.closeAll()
			return nil, err
		}
	}
	if cfg.Robots {
		c.robots = newRobots(fo, c.archiveResponse)
	}
	return c, nil
}

// closeAll closes what New opened, when New fails half way: the frontier
// (the caller's too: New takes it over) and the outputs.
func (c *Crawler) closeAll() {
	c.frontier.Close()
	c.closeOutputs()
}

// Plan says what Run will do, as New decided from OutDir and its state:
// for the command to tell the user before the crawl starts.
func (c *Crawler) Plan() Plan { return c.state.plan }

// job is one URL travelling through the pipeline. Each stage owns it in
// turn; the store stage releases its body.
type job struct {
	item  frontier.Item
	resp  *fetch.Response
	err   error
	final *url.URL // the URL the body came from, after redirects
	dup   bool     // a redirect to a URL handled on its own: nothing to save
	// prev is, in a re-crawl, the URL's latest line that names a file.
	prev *store.Record
	// notModified says the server answered 304 to a re-crawl's
	// conditional request: prev's file stays.
	notModified bool
	data        map[string]any
	// claimed lists the redirect targets the fetch claimed in the
	// frontier.
	claimed []string
	// earlier is the URL's line from an earlier run, when it was not
	// fetched again: its saved file is the body, unless skip says there
	// is nothing to do at all.
	earlier *earlierLine
	skip    bool
	// unfinished says the URL's work could not be completed (its links
	// could not be queued): it is released, not done, so that a later
	// run does it again.
	unfinished bool
}

// abandoned reports whether the job's URL was not fetched to the end
// because the crawl is stopping: it is then released in the frontier, to
// be fetched by the next run, and gets no manifest line.
func (j *job) abandoned() bool {
	return j.unfinished || errors.Is(j.err, context.Canceled)
}

// Run crawls until nothing is queued and nothing is in flight, or until ctx
// is cancelled: then no new URL is fetched, fetches in flight get
// Config.Grace to finish, and everything fetched is stored and recorded
// before Run returns ctx's error. Run returns an error for what stops the
// whole crawl (the manifest cannot be written); failures of single URLs
// are in the manifest and the summary.
func (c *Crawler) Run(ctx context.Context) (Summary, error) {
	c.stats.start = time.Now()
	if c.state.plan.Kind == PlanNothing {
		return c.summary(ctx), c.close()
	}
	err := c.run(ctx)
	if err == nil && c.finished.Load() {
		err = c.state.finish(c.history.urls + int(c.stats.newURLs.Load()))
	}
	if err == nil && c.cfg.ConvertLinks && !c.cfg.NoMirror {
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

func (c *Crawler) run(ctx context.Context) error {
	// intake stops handing out URLs: on ctx's end or a fatal error.
	intake, stopIntake := context.WithCancel(ctx)
	defer stopIntake()
	c.stop = stopIntake
	// fetching outlives ctx by the grace period, so requests in flight
	// can finish and be stored.
	fetching, stopFetching := context.WithCancel(context.WithoutCancel(ctx))
	defer stopFetching()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-intake.Done():
		case <-finished:
			return
		}
		t := time.NewTimer(c.cfg.Grace)
		defer t.Stop()
		select {
		case <-t.C:
			stopFetching()
		case <-finished:
		}
	}()

	// A resumed frontier starts with queued items.
	if n, err := c.frontier.Counts(ctx); err == nil {
		c.stats.queued.Add(int64(n.Queued + n.Leased))
	}
	for _, b := range c.bad {
		c.recordBadSeed(b)
	}
	if err := c.admit(ctx, c.seeds, nil); err != nil {
		return err
	}
	if err := c.queueSitemaps(ctx, c.cfg.Sitemaps, ""); err != nil {
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
		fetchers.Go(func() { c.fetchLoop(intake, fetching, parsed) })
	}
	// The links of a page fetched in the grace period are still queued:
	// the page is done only with its links.
	admitting := context.WithoutCancel(ctx)
	for range c.cfg.Parsers {
		parsers.Go(func() { c.parseLoop(admitting, parsed, stored) })
	}
	for range c.cfg.Writers {
		writers.Go(func() { c.storeLoop(stored) })
	}
	fetchers.Wait()
	close(parsed)
	parsers.Wait()
	close(stored)
	writers.Wait()

	// What is left for the next run: queued, or released by this one.
	if n, err := c.frontier.Counts(context.WithoutCancel(ctx)); err == nil {
		c.stats.left.Store(int64(n.Queued + n.Leased))
	}
	if c.fatal != nil {
		return c.fatal
	}
	return ctx.Err()
}

// fail records an error that stops the crawl: the intake stops, and what
// is in flight is still drained.
func (c *Crawler) fail(err error) {
	c.fatalOnce.Do(func() {
		c.fatal = err
		if c.stop != nil { // nil before Run
			c.stop()
		}
	})
}

// close closes the crawl's frontier, WARC writer and output files, and
// returns what went wrong: a manifest or archive that could not be
// flushed, an output directory that could not be synced.
func (c *Crawler) close() error {
	var errs []error
	if err := c.frontier.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing the frontier: %w", err))
	}
	if c.warc != nil {
		if err := c.warc.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing the WARC file: %w", err))
		}
	}
	return errors.Join(append(errs, c.closeOutputs())...)
}

// closeOutputs closes the output files opened by New; the ones not opened
// (New failed half way) are skipped.
func (c *Crawler) closeOutputs() error {
	var errs []error
	if c.records != nil {
		if err := c.records.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing records.jsonl: %w", err))
		}
	}
	if c.manifest != nil {
		if err := c.manifest.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing manifest.jsonl: %w", err))
		}
	}
	if c.store != nil {
		if err := c.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing the output directory: %w", err))
		}
	}
	return errors.Join(errs...)
}

// admit adds items to the frontier. Seeds (urls nil) are always admitted;
// links (urls[i] the parsed items[i].URL) are counted against MaxPages and
// the trap budgets, and a link over a budget is recorded as skipped.
func (c *Crawler) admit(ctx context.Context, items []frontier.Item, urls []*url.URL) error {
	if urls == nil {
		n, err := c.frontier.Add(ctx, items...)
		c.stats.queued.Add(int64(n))
		c.admitted.Add(int64(n))
		return err
	}
	for i, it := range items {
		if max := int64(c.cfg.MaxPages); max > 0 && c.admitted.Add(1) > max {
			c.admitted.Add(-1)
			c.stats.skip("max_pages", 1)
			continue
		}
		if reason, why, ok := c.traps.Reserve(urls[i]); !ok {
			if c.cfg.MaxPages > 0 {
				c.admitted.Add(-1)
			}
			if err := c.skipURL(ctx, it, reason, why); err != nil {
				return err
			}
			continue
		}
		n, err := c.frontier.Add(ctx, it)
		if err != nil {
			return err
		}
		if n == 0 { // seen before: give the reservations back
			c.traps.Unreserve(urls[i])
			if c.cfg.MaxPages > 0 {
				c.admitted.Add(-1)
			}
		}
		c.stats.queued.Add(int64(n))
	}
	return nil
}
