package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
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

// This file holds how the command's options become the engine's
// Config: the seeds, the identity (credentials, cookies, proxies) and the
// state.

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
		WACZ:               waczName(o.wacz),
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
	names := map[string]bool{}
	for _, s := range o.selects {
		f, err := parse.ParseField(s)
		if err != nil {
			return cfg, fmt.Errorf("--select %s: %w", s, err)
		}
		switch {
		case f.Name == "url":
			return cfg, fmt.Errorf("--select %s: the name url is taken by the page's URL in each record", s)
		case names[f.Name]:
			return cfg, fmt.Errorf("--select %s: the name %s is given twice", s, f.Name)
		}
		names[f.Name] = true
		cfg.Select = append(cfg.Select, f)
	}
	header := http.Header{}
	for _, h := range o.hdrs {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if u, err := url.Parse(h); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			// wget's -H (span hosts) before a URL.
			return cfg, fmt.Errorf("-H %q: crawl's -H adds a request header ('Name: value'); wget's -H (--span-hosts) is --scope any (or --scope domain)", h)
		}
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") {
			return cfg, fmt.Errorf("-H %q: want 'Name: value'", h)
		}
		header.Add(name, strings.TrimSpace(value))
	}
	cfg.Fetch.Header = header
	if err := o.identity(&cfg); err != nil {
		return cfg, err
	}
	if o.userAgentGiven {
		cfg.Fetch.UserAgent = o.userAgent
		if o.userAgent == "" {
			header.Set("User-Agent", "") // -U '': no User-Agent at all
		}
	} // else a -H User-Agent, or the default (crawl.Config)
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

// waczName is the package's file name for --wacz NAME: NAME, with the
// .wacz that ReplayWeb.page and other viewers expect added when missing.
func waczName(name string) string {
	if name == "" || strings.HasSuffix(strings.ToLower(name), ".wacz") {
		return name
	}
	return name + ".wacz"
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
		if o.input != "" && len(args) == 0 {
			from := o.input
			if from == "-" {
				from = "the standard input"
			}
			return fmt.Errorf("no URLs in %s (one http:// or https:// URL a line; # starts a comment)", from)
		}
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
		raw := o.proxy
		if !strings.Contains(raw, "://") {
			raw = "http://" + raw // host:port, as curl takes it
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return fmt.Errorf("--proxy %q: want a URL like http://proxy:3128", o.proxy)
		}
		switch u.Scheme {
		case "http", "https", "socks5", "socks5h":
		default:
			return fmt.Errorf("--proxy %q: a %s proxy is not supported (http, https, socks5 are)", o.proxy, u.Scheme)
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

// stateName says where the crawl's state is, for status.json: a file,
// memory, or a Redis URL without its password.
func (o *crawlOptions) stateName() string {
	switch {
	case o.state == "":
		return crawl.DefaultState(o.out)
	case isRedis(o.state):
		if u, err := url.Parse(o.state); err == nil {
			return u.Redacted()
		}
		return "redis"
	}
	return o.state
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
	// A brief outage of Redis (a restart) is retried, for up to
	// redisRetry and within half the lease, so that a URL whose lease
	// is being ended here is not handed out elsewhere meanwhile.
	lease := cmp.Or(o.lease, redisfrontier.DefaultLease)
	retry := min(redisRetry, lease/2)
	f, err := redisfrontier.Open(ctx, redisfrontier.Options{URL: o.state, CrawlID: o.crawlID, Lease: o.lease, RetryFor: retry})
	if err != nil {
		return fmt.Errorf("opening the shared crawl: %w", err)
	}
	// Every process of the crawl draws from one rate limit per host
	// (its --rate, or the Crawl-delay of its robots.txt).
	cfg.RateLimit.Shared = redisrate.New(f.Client(), f.KeyPrefix()+"rate:").WithBurst(o.burst).WithRetry(retry)
	cfg.Frontier = f
	o.shared = f
	return nil
}

// redisRetry is how long a call to the shared crawl's Redis is retried
// while the server cannot be reached, at most (see openState).
const redisRetry = 30 * time.Second

// isRedis reports whether the --state value names a Redis server.
func isRedis(state string) bool {
	return strings.HasPrefix(state, "redis://") || strings.HasPrefix(state, "rediss://")
}
