package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	crawl "github.com/crawl-go/crawl"
	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier/redisfrontier"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/ratelimit/redisrate"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/store"
	"golang.org/x/net/publicsuffix"
)

// config turns the options and arguments into a crawl configuration.
func (o *crawlOptions) config(args []string, stdin io.Reader, stdout io.Writer) (crawl.Config, error) {
	cfg := crawl.Config{
		OutDir:             o.out,
		Workers:            o.workers,
		Parsers:            o.parsers,
		Depth:              o.depth,
		Requisites:         o.requisites,
		MaxPages:           o.maxPages,
		RespectNoFollow:    o.respectNoFollow,
		Fsync:              o.fsync,
		Traps:              o.traps,
		WARC:               o.warc,
		WARCMaxSize:        int64(o.warcMaxSize),
		WACZ:               o.wacz,
		Links:              o.links,
		KeepSessionIDs:     o.keepSessionIDs,
		Discover:           parse.Mode(o.discover),
		NoMirror:           o.noMirror,
		Update:             o.update,
		AdjustExtension:    o.adjustExt,
		ConvertLinks:       o.convertLinks,
		Prune:              o.prune,
		ContentDisposition: o.disposition,
		NoHostDirs:         o.noHostDirs,
		NoDirs:             o.noDirs,
		SaveHeaders:        o.saveHeaders,
		Continue:           o.cont,
		Robots:             o.robots,
		Sitemaps:           o.sitemaps,
		FollowSitemaps:     o.followSitemaps,
	}
	if o.workers < 1 || o.parsers < 1 {
		return cfg, errors.New("--workers and --parsers must be at least 1")
	}
	if o.depth < 0 || o.maxPages < 0 || o.retries < 0 || o.perHost < 0 || o.rate < 0 ||
		o.traps.MaxURLLength < 1 || o.traps.MaxPagesPerHost < 0 || o.traps.MaxQueryVariants < 1 {
		return cfg, errors.New("--depth, --max-pages, --max-pages-per-host, --retries, --per-host and --rate cannot be negative, --max-url-length and --max-query-variants must be positive")
	}
	switch {
	case o.prune && !o.update:
		return cfg, errors.New("--prune works with --update")
	case o.convertLinks && o.noMirror:
		return cfg, errors.New("--convert-links rewrites the mirror; it cannot go with --no-mirror")
	case o.update && o.noMirror:
		return cfg, fmt.Errorf("%s re-crawls a mirror; it cannot go with --no-mirror", o.updateFlag())
	case o.update && o.fresh:
		return cfg, fmt.Errorf("%s re-crawls what an earlier crawl saved; --fresh forgets it", o.updateFlag())
	case o.cont && (o.warc != "" || o.wacz != ""):
		return cfg, errors.New("-c continues downloads with Range requests, whose 206 answers an archive cannot replay as whole responses; give -c or --warc/--wacz, not both")
	case o.update && isRedis(o.state):
		return cfg, fmt.Errorf("%s works with the state on disk or in memory, not with --state redis://", o.updateFlag())
	}
	var err error
	if cfg.Scope, err = scope.ParseMode(o.scope); err != nil {
		return cfg, fmt.Errorf("--scope: %w", err)
	}
	if err := o.readSeeds(&cfg, args, stdin); err != nil {
		return cfg, err
	}
	if err := o.outputDocument(&cfg, stdout); err != nil {
		return cfg, err
	}
	for _, p := range []struct {
		flag string
		src  []string
		dst  *[]*regexp.Regexp
	}{{"--include", o.include, &cfg.Include}, {"--exclude", o.exclude, &cfg.Exclude}} {
		for _, s := range p.src {
			re, err := regexp.Compile(s)
			if err != nil {
				return cfg, fmt.Errorf("%s: %w", p.flag, err)
			}
			*p.dst = append(*p.dst, re)
		}
	}
	for _, s := range o.selects {
		f, err := parse.ParseField(s)
		if err != nil {
			return cfg, fmt.Errorf("--select %s: %w", s, err)
		}
		cfg.Select = append(cfg.Select, f)
	}
	header := http.Header{}
	for _, h := range o.hdrs {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") {
			return cfg, fmt.Errorf("-H %q: want 'Name: value'", h)
		}
		header.Add(name, strings.TrimSpace(value))
	}
	cfg.Fetch.Header = header
	if err := o.identity(&cfg); err != nil {
		return cfg, err
	}
	cfg.Fetch.UserAgent = o.userAgent
	cfg.Fetch.Retries = o.retries
	cfg.Fetch.Timeout = o.timeout
	cfg.ReadTimeout = o.readTimeout
	cfg.Fetch.MaxSize = int64(o.maxSize)
	cfg.Fetch.RetryWaitMax = o.retryWait
	cfg.RateLimit.Rate = o.rate
	cfg.RateLimit.Burst = o.burst
	cfg.RateLimit.PerHost = o.perHost
	cfg.RateLimit.Adaptive = o.throttle
	cfg.RateLimit.MaxPause = o.retryWait
	cfg.RateLimit.RandomWait = o.randomWait
	cfg.LimitRate = int64(o.limitRate)

	cfg.NoParent, cfg.Accept, cfg.Reject = o.noParent, o.accept, o.reject
	return cfg, nil
}

// updateFlag names the flag that asked for an update, for messages.
func (o *crawlOptions) updateFlag() string {
	if o.mirror {
		return "-m (which is -r -l inf -N)"
	}
	return "--update"
}

// readSeeds reads the URLs of the arguments and of -i into cfg.
func (o *crawlOptions) readSeeds(cfg *crawl.Config, args []string, stdin io.Reader) error {
	for i, a := range args {
		cfg.Seeds = append(cfg.Seeds, crawl.Seed{URL: a, Source: fmt.Sprintf("argument %d", i+1)})
	}
	if o.input != "" {
		r, name := stdin, "stdin"
		if o.input != "-" {
			f, err := os.Open(o.input)
			if err != nil {
				return fmt.Errorf("-i: %w", err)
			}
			defer f.Close()
			r, name = f, o.input
		}
		seeds, err := readURLList(r, name)
		if err != nil {
			return err
		}
		cfg.Seeds = append(cfg.Seeds, seeds...)
	}
	if len(cfg.Seeds) == 0 && len(cfg.Sitemaps) == 0 {
		return errors.New("no URLs given (name them as arguments, with -i FILE or with --sitemap)")
	}
	return nil
}

// identity sets the connection and identity options: --resolve, --proxy,
// --insecure, --user and --cookies.
func (o *crawlOptions) identity(cfg *crawl.Config) error {
	cfg.Transport.Insecure = o.insecure
	for _, r := range o.resolve {
		key, addr, err := fetch.ParseResolve(r)
		if err != nil {
			return fmt.Errorf("--resolve: %w", err)
		}
		if cfg.Transport.Resolve == nil {
			cfg.Transport.Resolve = map[string]string{}
		}
		cfg.Transport.Resolve[key] = addr
	}
	if o.proxy != "" {
		u, err := url.Parse(o.proxy)
		if err != nil || u.Host == "" {
			return fmt.Errorf("--proxy %q: want a URL like http://proxy:3128", o.proxy)
		}
		cfg.Transport.Proxy = u
	}
	if o.user != "" {
		name, pass, ok := strings.Cut(o.user, ":")
		if !ok || name == "" {
			return errors.New("--user: want USER:PASSWORD")
		}
		cfg.User = url.UserPassword(name, pass)
	}
	if o.cookies != "" {
		jar, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
		f, err := os.Open(o.cookies)
		if err != nil {
			return fmt.Errorf("--cookies: %w", err)
		}
		defer f.Close()
		if _, err := fetch.LoadCookies(jar, f, o.cookies, time.Now()); err != nil {
			return fmt.Errorf("--cookies: %w", err)
		}
		cfg.Jar = jar
	}
	return nil
}

// newCrawlFlags returns the flags of a crawl, bound to o.
func newCrawlFlags(o *crawlOptions) *flagSet {
	s := newFlagSet("crawl")
	o.defineFlags(s)
	return s
}

func runCrawl(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o crawlOptions
	s := newCrawlFlags(&o)
	pos, err := s.parse(args)
	switch {
	case errors.Is(err, errHelp):
		printCrawlHelp(stdout, s)
		return exitOK
	case errors.Is(err, errVersion):
		printVersion(stdout)
		return exitOK
	case err != nil:
		return usageFailed(stderr, "crawl", err)
	}
	warnings, err := o.resolveWget(s)
	if err == nil {
		err = checkArgs(pos)
	}
	var cfg crawl.Config
	if err == nil {
		cfg, err = o.config(pos, stdin, stdout)
	}
	if err != nil {
		return usageFailed(stderr, "crawl", err)
	}
	if !o.quiet {
		for _, w := range warnings {
			fmt.Fprintf(stderr, "crawl: %s\n", w)
		}
	}
	// The monitor draws the progress and writes DIR/.crawl/status.json;
	// the crawl's messages clear its live line first.
	var c *crawl.Crawler
	width := terminalWidth(stderr)
	mon := newMonitor(monitorOptions{
		stats:        func() crawl.Summary { return c.Stats() },
		live:         width > 0,
		width:        func() int { return max(terminalWidth(stderr), 1) },
		statusPath:   statusPath(o.out),
		removeStatus: o.state == crawl.StateMemory,
		status:       statusFile{PID: os.Getpid(), State: o.stateName(), CrawlID: o.crawlID, Started: time.Now().UTC()},
	})
	cfg.Log = stderr
	cfg.Transfers = new(fetch.Transfers)
	mon.opts.transfers = cfg.Transfers.Snapshot
	cfg.CommandLine = append([]string{"crawl"}, maskArgs(args)...)
	if !o.quiet {
		mon.opts.out = stderr
		if width > 0 {
			cfg.Log = mon.logWriter(stderr)
		}
	}
	if err := o.openState(ctx, &cfg); err != nil {
		fmt.Fprintf(stderr, "crawl: %v\n", err)
		return exitFailures
	}
	if o.shared != nil {
		mon.opts.shared = o.sharedCounts
	}
	c, err = crawl.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "crawl: %v\n", err)
		return exitFailures
	}
	plan := c.Plan()
	if plan.Message != "" && !o.quiet {
		fmt.Fprintf(stderr, "crawl: %s\n", plan.Message)
	}
	if plan.Kind == crawl.PlanNothing {
		if _, err := c.Run(ctx); err != nil {
			fmt.Fprintf(stderr, "crawl: %v\n", err)
			return exitFailures
		}
		more, n := o.continueFinished(cfg)
		if n == 0 {
			return exitOK
		}
		if !o.quiet {
			fmt.Fprintf(stderr, "crawl: continuing %s of the finished crawl (-c)\n", plural(n, "partial download"))
		}
		if c, err = crawl.New(more); err != nil {
			fmt.Fprintf(stderr, "crawl: %v\n", err)
			return exitFailures
		}
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "crawl: --cpuprofile: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "crawl: --cpuprofile: %v\n", err)
			return exitUsage
		}
		defer pprof.StopCPUProfile()
	}
	if o.memProfile != "" {
		// On an interrupt the profile is taken at once, while the crawl's
		// state is still in memory.
		ran := make(chan struct{})
		wrote := make(chan struct{})
		defer func() { close(ran); <-wrote }()
		go func() {
			defer close(wrote)
			select {
			case <-ctx.Done():
			case <-ran:
			}
			if err := writeHeapProfile(o.memProfile); err != nil {
				fmt.Fprintf(stderr, "crawl: --memprofile: %v\n", err)
			}
		}()
	}
	if hc, ok := any(c).(hostCounter); ok {
		mon.opts.hosts = hc.QueuedByHost
	}
	mon.start(ctx)
	sum, err := c.Run(ctx)
	mon.stop(runOutcome(sum, err))
	if !o.quiet {
		fmt.Fprintf(stderr, "crawl: %s\n", sum)
	} else if problems := sum.Problems(); problems != "" {
		// -q silences progress and the summary, never errors.
		fmt.Fprintf(stderr, "crawl: %s\n", problems)
	}
	if sum.Interrupted || sum.Failed > 0 {
		o.partialsNote(stderr)
	}
	if sum.Interrupted && sum.Left > 0 {
		if o.state == "memory" {
			fmt.Fprintf(stderr, "crawl: %d URLs were not fetched; with --state memory there is nothing to resume\n", sum.Left)
		} else {
			fmt.Fprintf(stderr, "crawl: %d URLs left: run the same command again to resume\n", sum.Left)
		}
	}
	switch {
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(stderr, "crawl: %v\n", err)
		return exitFailures
	case sum.Failed > 0:
		return exitFailures
	}
	return exitOK
}

// hostCounter is what the engine may offer to count the URLs queued by
// host, for status.json: the crawl's frontier is its own.
type hostCounter interface {
	QueuedByHost(context.Context) (map[string]int64, error)
}

// runOutcome says how a run ended, for status.json.
func runOutcome(sum crawl.Summary, err error) string {
	switch {
	case errors.Is(err, context.Canceled) || sum.Interrupted:
		return "interrupted"
	case err != nil:
		return "failed: " + err.Error()
	}
	return "finished"
}

// stateName says where the crawl's state is, for status.json: a file,
// memory, or a Redis URL without its password.
func (o *crawlOptions) stateName() string {
	switch {
	case o.state == "":
		return filepath.Join(o.out, store.WorkDir, "state.db")
	case isRedis(o.state):
		if u, err := url.Parse(o.state); err == nil {
			return u.Redacted()
		}
		return "redis"
	}
	return o.state
}

// sharedCounts reads the counts of the shared crawl from Redis.
func (o *crawlOptions) sharedCounts(ctx context.Context) (sharedCounts, map[string]int64, error) {
	st, err := o.shared.Stats(ctx)
	if err != nil {
		return sharedCounts{}, nil, err
	}
	c := sharedCounts{InFlight: st.Leased, Done: st.Done, Seen: st.Seen}
	for _, n := range st.Queued {
		c.Queued += n
	}
	return c, st.Queued, nil
}

// writeHeapProfile writes the heap profile to the file name.
func writeHeapProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	err = pprof.Lookup("heap").WriteTo(f, 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// openState picks the crawl's state: a shared one in Redis, opened here,
// or the engine's own (on disk or in memory), which the engine opens and
// whose earlier crawl it decides what to do with.
func (o *crawlOptions) openState(ctx context.Context, cfg *crawl.Config) error {
	cfg.Fresh = o.fresh
	if !isRedis(o.state) {
		cfg.State = o.state
		return nil
	}
	if o.crawlID == "" {
		return errors.New("--state redis://... needs --crawl-id NAME")
	}
	f, err := redisfrontier.Open(ctx, redisfrontier.Options{URL: o.state, CrawlID: o.crawlID, Lease: o.lease})
	if err != nil {
		return fmt.Errorf("opening the shared crawl: %w", err)
	}
	// Every process of the crawl draws from one rate limit per host
	// (its --rate, or the Crawl-delay of its robots.txt).
	cfg.RateLimit.Shared = redisrate.New(f.Client(), f.KeyPrefix()+"rate:").WithBurst(o.burst)
	cfg.Frontier = f
	o.shared = f
	return nil
}

// isRedis reports whether the --state value names a Redis server.
func isRedis(state string) bool {
	return strings.HasPrefix(state, "redis://") || strings.HasPrefix(state, "rediss://")
}

func version() string {
	v := crawl.Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}
