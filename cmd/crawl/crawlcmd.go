package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"runtime"
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
	"golang.org/x/net/publicsuffix"
)

// crawlOptions holds the flags of a crawl.
type crawlOptions struct {
	input, out, scope, userAgent     string
	workers, parsers, perHost, burst int
	retries, depth, maxPages         int
	rate                             float64
	timeout, retryWait, readTimeout  time.Duration
	maxSize                          sizeFlag
	include, exclude, selects, hdrs  stringsFlag
	respectNoFollow, requisites      bool
	throttle, robots, followSitemaps bool
	sitemaps                         stringsFlag
	quiet, fsync                     bool
	cpuProfile, state, crawlID       string
	memProfile                       string
	lease                            time.Duration
	fresh, noMirror, disposition     bool
	update, prune, adjustExt         bool
	convertLinks                     bool
	warc, wacz                       string
	warcMaxSize                      sizeFlag
	resolve                          stringsFlag
	traps                            scope.TrapLimits
	insecure                         bool
	proxy, user, cookies             string
}

func (o *crawlOptions) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.input, "i", "", "read URLs from `FILE`, one per line (- for stdin)")
	fs.StringVar(&o.out, "o", "crawl-out", "write the mirror and manifest.jsonl under `DIR`")
	fs.IntVar(&o.depth, "depth", 0, "follow links this many levels from the given URLs (0: fetch only them)")
	fs.BoolVar(&o.requisites, "p", false, "with --depth 0, also fetch the given pages' requisites (images, CSS, scripts)")
	fs.IntVar(&o.maxPages, "max-pages", 0, "fetch at most `N` URLs (0: no limit)")
	fs.IntVar(&o.traps.MaxURLLength, "max-url-length", 8192, "do not follow URLs longer than `N` bytes (8192: the request line Apache and nginx accept)")
	fs.IntVar(&o.traps.MaxPagesPerHost, "max-pages-per-host", 0, "fetch at most `N` URLs of one host (0: no limit)")
	fs.IntVar(&o.traps.MaxQueryVariants, "max-query-variants", 1000, "follow at most `N` query strings of one path (calendars, session IDs)")
	fs.StringVar(&o.scope, "scope", "host", "follow links to the same `host`, the same domain, or any host")
	fs.Var(&o.include, "include", "follow only URLs matching this `regexp` (repeatable)")
	fs.Var(&o.exclude, "exclude", "do not follow URLs matching this `regexp` (repeatable)")
	fs.BoolVar(&o.respectNoFollow, "respect-nofollow", false, "do not follow links marked rel=nofollow")
	fs.Var(&o.selects, "select", "extract `NAME=SELECTOR[@attr]` from every HTML page into records.jsonl; NAME[]=... for all matches (repeatable)")
	fs.IntVar(&o.workers, "workers", 16, "concurrent fetches")
	fs.IntVar(&o.parsers, "parsers", runtime.GOMAXPROCS(0), "concurrent parsers")
	fs.IntVar(&o.perHost, "per-host", 8, "concurrent requests to one host (0: no limit)")
	fs.Float64Var(&o.rate, "rate", 0, "requests per second to one host (0: no limit)")
	fs.IntVar(&o.burst, "burst", 1, "requests one host may get at once above --rate")
	fs.BoolVar(&o.robots, "robots", true, "obey robots.txt (RFC 9309), and its Crawl-delay")
	fs.Var(&o.sitemaps, "sitemap", "read the sitemap at `URL` (XML, gzipped or not, or text) and fetch its URLs at depth 1 (repeatable)")
	fs.BoolVar(&o.followSitemaps, "follow-sitemaps", true, "with --depth 1 or more, also read the sitemaps robots.txt names")
	fs.BoolVar(&o.throttle, "throttle", true, "slow down hosts that answer 429 or 503, pause them for Retry-After, and stop sending to hosts that keep failing to connect")
	fs.IntVar(&o.retries, "retries", 3, "retries of a URL after a connection error, 429 or 5xx")
	fs.DurationVar(&o.retryWait, "max-retry-wait", 30*time.Second, "longest wait before a retry, Retry-After included")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "time limit of one request, body included (raise it for big downloads)")
	fs.DurationVar(&o.readTimeout, "read-timeout", 20*time.Second, "give up a request when no data arrives for this long")
	o.maxSize = 1 << 30
	fs.Var(&o.maxSize, "max-size", "largest body to download, like 10M or 2G (0: no limit)")
	fs.StringVar(&o.userAgent, "user-agent", "crawl/"+crawl.Version, "User-Agent header")
	fs.Var(&o.hdrs, "H", "add the request header `'Name: value'` (repeatable)")
	fs.StringVar(&o.cookies, "cookies", "", "load cookies from `FILE` (Netscape cookies.txt, as curl and wget write it)")
	fs.StringVar(&o.user, "user", "", "send `USER:PASSWORD` as basic credentials to the given URLs' hosts, and no other host")
	fs.Var(&o.resolve, "resolve", "connect to `HOST:PORT:ADDR` for HOST:PORT, like curl (repeatable)")
	fs.StringVar(&o.proxy, "proxy", "", "use the proxy at `URL` (default: HTTP_PROXY, HTTPS_PROXY, NO_PROXY)")
	fs.BoolVar(&o.insecure, "insecure", false, "do not verify TLS certificates")
	fs.StringVar(&o.warc, "warc", "", "also write every exchange, as it went over the wire, to WARC 1.1 files `NAME`-00000.warc.gz, NAME-00001.warc.gz..., indexed in NAME.cdxj")
	fs.Var(&o.warcMaxSize, "warc-max-size", "start a new WARC file before one would pass `SIZE`, like 1G (0: one file)")
	fs.StringVar(&o.wacz, "wacz", "", "package the crawl's WARC files, index and pages as the WACZ 1.1.1 file `FILE.wacz` (for ReplayWeb.page)")
	fs.BoolVar(&o.disposition, "content-disposition", false, "name files as the server's Content-Disposition suggests (sanitized, in the URL's folder)")
	fs.BoolVar(&o.convertLinks, "convert-links", false, "when the crawl is over, rewrite the links of the saved HTML and CSS so the mirror browses offline: to local files where saved, to the web elsewhere")
	fs.BoolVar(&o.convertLinks, "k", false, "same as --convert-links")
	fs.BoolVar(&o.adjustExt, "adjust-extension", false, "save HTML as NAME.html and CSS as NAME.css when the URL's name ends otherwise (page.php becomes page.php.html)")
	fs.BoolVar(&o.adjustExt, "E", false, "same as --adjust-extension")
	fs.BoolVar(&o.noMirror, "no-mirror", false, "save no files, only the manifest (with --warc: only the WARC files)")
	fs.BoolVar(&o.fsync, "fsync", false, "fsync every file before it is renamed into place (safe against power loss, slower)")
	fs.BoolVar(&o.quiet, "q", false, "print no progress and no summary, only errors")
	fs.StringVar(&o.state, "state", "", "keep the crawl's queue and seen set in `FILE` (default DIR/.crawl/state.db), so that running the same command again resumes it; memory keeps them in memory only")
	fs.StringVar(&o.crawlID, "crawl-id", "", "with --state redis://..., the `NAME` of the crawl that several processes share")
	fs.DurationVar(&o.lease, "lease", redisfrontier.DefaultLease, "with --state redis://..., how long a URL stays with a process before another may take it (longer than a fetch)")
	fs.BoolVar(&o.fresh, "fresh", false, "start over: forget the state and the manifest of an earlier crawl into the same directory")
	fs.BoolVar(&o.update, "update", false, "re-crawl into DIR: ask for each saved URL with its ETag and date, keep the files that did not change (304), replace the ones that did, record pages that are gone")
	fs.BoolVar(&o.update, "N", false, "same as --update")
	fs.BoolVar(&o.prune, "prune", false, "with --update, delete the files of pages that now answer 404 or 410")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the crawl to `FILE` (for go tool pprof)")
	fs.StringVar(&o.memProfile, "memprofile", "", "write a heap profile to `FILE` when the crawl is interrupted, or else when it ends (for go tool pprof)")
}

func usage(fs *flag.FlagSet, w io.Writer) func() {
	return func() {
		fmt.Fprint(w, `usage: crawl [flags] URL...
       crawl [flags] -i FILE       (FILE - reads standard input)
       crawl serve DIR [--addr 127.0.0.1:8080]

Downloads the URLs, or crawls from them with --depth, into a mirror under
-o DIR with one line per URL in DIR/manifest.jsonl.
Exit status: 0 all fetched, 1 some failed, 2 usage error, 130 interrupted.

Flags (-flag and --flag are the same):
`)
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// config turns the options and arguments into a crawl configuration.
func (o *crawlOptions) config(args []string, stdin io.Reader) (crawl.Config, error) {
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
		NoMirror:           o.noMirror,
		Update:             o.update,
		AdjustExtension:    o.adjustExt,
		ConvertLinks:       o.convertLinks,
		Prune:              o.prune,
		ContentDisposition: o.disposition,
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
		return cfg, errors.New("--update re-crawls a mirror; it cannot go with --no-mirror")
	case o.update && o.fresh:
		return cfg, errors.New("--update re-crawls what an earlier crawl saved; --fresh forgets it")
	case o.update && isRedis(o.state):
		return cfg, errors.New("--update works with the state on disk or in memory, not with --state redis://")
	}
	var err error
	if cfg.Scope, err = scope.ParseMode(o.scope); err != nil {
		return cfg, fmt.Errorf("--scope: %w", err)
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

	for i, a := range args {
		cfg.Seeds = append(cfg.Seeds, crawl.Seed{URL: a, Source: fmt.Sprintf("argument %d", i+1)})
	}
	if o.input != "" {
		r, name := stdin, "stdin"
		if o.input != "-" {
			f, err := os.Open(o.input)
			if err != nil {
				return cfg, fmt.Errorf("-i: %w", err)
			}
			defer f.Close()
			r, name = f, o.input
		}
		seeds, err := readURLList(r, name)
		if err != nil {
			return cfg, err
		}
		cfg.Seeds = append(cfg.Seeds, seeds...)
	}
	if len(cfg.Seeds) == 0 && len(cfg.Sitemaps) == 0 {
		return cfg, errors.New("no URLs given (name them as arguments, with -i FILE or with --sitemap)")
	}
	return cfg, nil
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

func runCrawl(ctx context.Context, args []string, stdin io.Reader, stderr io.Writer) int {
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o crawlOptions
	o.addFlags(fs)
	fs.Usage = usage(fs, stderr)
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "crawl: %v\nRun 'crawl -h' for usage.\n", err)
		return exitUsage
	}
	cfg, err := o.config(pos, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "crawl: %v\nRun 'crawl -h' for usage.\n", err)
		return exitUsage
	}
	cfg.Log = stderr
	cfg.CommandLine = append([]string{"crawl"}, maskArgs(args)...)
	if err := o.openState(ctx, &cfg); err != nil {
		fmt.Fprintf(stderr, "crawl: %v\n", err)
		return exitFailures
	}
	c, err := crawl.New(cfg)
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
		return exitOK
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
	var p *progress
	if !o.quiet {
		p = startProgress(stderr, c.Stats)
	}
	sum, err := c.Run(ctx)
	if p != nil {
		p.stop()
		fmt.Fprintf(stderr, "crawl: %s\n", sum)
	} else if problems := sum.Problems(); problems != "" {
		// -q silences progress and the summary, never errors.
		fmt.Fprintf(stderr, "crawl: %s\n", problems)
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
