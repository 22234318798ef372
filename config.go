package crawl

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"time"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/ratelimit"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/store"
)

// UnlimitedDepth is the Config.Depth of a crawl without a depth limit:
// more levels than any site has (the trap limits end paths long before).
const UnlimitedDepth = math.MaxInt32

// Defaults of the zero fields of Config. The command's flags show them.
const (
	DefaultOutDir    = "crawl-out"
	DefaultWorkers   = 16
	DefaultWriters   = 4
	DefaultQueueSize = 64
	DefaultGrace     = 3 * time.Second
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
// the default documented with it (a negative count too); New checks the
// rest and says what does not go together.
type Config struct {
	Seeds  []Seed
	OutDir string // default DefaultOutDir

	Workers   int // fetch workers; default DefaultWorkers
	Parsers   int // parse workers; default GOMAXPROCS
	Writers   int // store workers; default DefaultWriters
	QueueSize int // capacity of each channel between stages; default DefaultQueueSize

	Depth      int  // links followed from a seed; 0 fetches only the seeds; UnlimitedDepth for no limit
	Requisites bool // with Depth 0, also fetch the seeds' page requisites
	MaxPages   int  // URLs fetched at most, seeds included; 0 = no limit
	Scope      scope.Mode
	Include    []*regexp.Regexp
	Exclude    []*regexp.Regexp
	// NoParent keeps the crawl under the seeds' folders on their hosts,
	// as wget's --no-parent: page requisites above them are still
	// fetched. Accept and Reject are wget's -A and -R lists of file
	// names (suffixes or globs; see scope.Rules).
	NoParent       bool
	Accept, Reject []string
	// Traps bounds URL length, path depth and repetition, URLs per host
	// and query strings per path; URLs over a limit get a manifest line
	// saying so and are not fetched.
	Traps scope.TrapLimits

	RespectNoFollow bool
	// Discover is which links pages are read for (parse.ModePage, the
	// default: what a mirror needs; parse.ModeAll: every URL a browser
	// could request or a scanner would test, scripts and the paths
	// robots.txt names included).
	Discover parse.Mode
	Select   []parse.Field // data written to records.jsonl
	// KeepSessionIDs keeps session ids in URLs (jsessionid, PHPSESSID,
	// sid...), which URL normalization otherwise removes so that the
	// variants of a page are one URL (urlnorm.Normalizer).
	KeepSessionIDs bool

	// ReadTimeout cuts a request off when no data arrives for that long
	// (headers, then each part of the body); zero means none.
	ReadTimeout time.Duration

	// Transport configures the connections of the default transport
	// (used when Fetch.Transport is nil): names resolved to other
	// addresses, TLS verification, the proxy. Its Conns defaults to
	// Workers; Capture is set when the crawl writes an archive.
	Transport fetch.TransportOptions
	// User, when set, is sent as basic credentials to the seeds' hosts,
	// and to no other host.
	User *url.Userinfo
	// Jar holds the crawl's cookies; nil means a new in-memory jar that
	// applies the public suffix list.
	Jar http.CookieJar

	// Output, when set, is the file that receives the body of the crawl's
	// one URL instead of the mirror, as wget's -O FILE: written
	// atomically (a temporary file beside it, renamed over it), and named
	// in the manifest line's output field. OutputWriter, when set,
	// receives the body instead, once it is whole and checked (-O -). A
	// crawl with either has one seed, no sitemaps, Depth 0 and no
	// Requisites (ErrOutputOne), and a mirror to write to
	// (ErrOutputMirror); the rest of OutDir is as for any crawl: the
	// manifest, and the partial downloads of Continue.
	Output       string
	OutputWriter io.Writer
	// Continue continues the partial downloads that earlier runs kept in
	// OutDir (a body of fetch.DefaultSpillThreshold bytes or more cut off
	// by an interrupt, a timeout or a lost connection is always kept):
	// each is asked for from where it ends, with Range and If-Range, and
	// finished in place if the server answers with the rest of the same
	// body, or fetched again whole if not. A URL whose earlier fetch
	// failed with a partial download kept is fetched again. It cannot go
	// with an archive, which records whole responses (ErrContinueArchive).
	Continue bool
	// Transfers, when set, lists the large bodies being read, for a
	// progress display (fetch.Options.Transfers).
	Transfers *fetch.Transfers
	// LimitRate caps the bytes per second read from all response bodies
	// together, as wget's --limit-rate (see fetch.LimitRate); zero means
	// no cap. Robots.txt and error pages count too.
	LimitRate int64

	// Fetch configures the HTTP requests.
	Fetch     FetchOptions
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
	// Links, when set, is a file to write the link graph to: a JSON line
	// for every link found (from, to, how it was found, and whether it
	// was followed or why not).
	Links string
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
	// SaveHeaders records the header fields of each URL's final response
	// in its manifest line (store.Record.Headers).
	SaveHeaders bool
	// NoHostDirs saves the mirror without a folder per host, and NoDirs
	// without any folder (every file at the top of OutDir), as wget's -nH
	// and -nd (see store.PathOptions). Their names are not unique to their
	// URLs, so a file an earlier run saved is then never replaced by
	// another URL's: the new file gets the next "~2" suffix
	// (store.Options.NoClobber).
	NoHostDirs, NoDirs bool

	// Grace is how long in-flight fetches may go on once Run's context is
	// cancelled before they are abandoned; default DefaultGrace.
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

// output reports whether the body goes to Output or OutputWriter.
func (c *Config) output() bool { return c.Output != "" || c.OutputWriter != nil }

// paths returns the layout of the mirror's files.
func (c *Config) paths() store.PathOptions {
	return store.PathOptions{NoHostDirs: c.NoHostDirs, NoDirs: c.NoDirs}
}

// StateMemory is the Config.State that keeps the crawl's state in memory
// only: faster, and nothing to resume.
const StateMemory = "memory"

// FetchOptions configures the crawl's HTTP requests: the part of
// fetch.Options that is the caller's to set. The engine sets the rest: the
// temporary files of large bodies (in the output directory), the cookie
// jar (Config.Jar), the capture of exchanges (for an archive) and the
// redirect hook (which claims targets in the frontier).
type FetchOptions struct {
	// Retries, Timeout, MaxSize, MaxRedirects, UserAgent (default
	// Header's User-Agent, else "crawl/" + Version), Header, RetryWaitMin,
	// RetryWaitMax and Backoff are as in fetch.Options. Timeout applies
	// to each request from when it is sent: the wait for a host's turn is
	// not counted.
	Retries                    int
	Timeout                    time.Duration
	MaxSize                    int64
	MaxRedirects               int
	UserAgent                  string
	Header                     http.Header
	RetryWaitMin, RetryWaitMax time.Duration
	Backoff                    fetch.Backoff
	// CheckRetry decides whether to retry (nil: fetch.DefaultRetryPolicy).
	// The engine asks it after its own two rules: a host given up by the
	// circuit breaker is not retried, and nothing is retried once the
	// crawl has stopped taking work.
	CheckRetry fetch.RetryPolicy
	// Transport performs the requests (nil: fetch.NewTransportWith of
	// Config.Transport). The engine wraps it: the rate limiter, the
	// timeouts and, with Config.User, the credentials.
	Transport http.RoundTripper
}

// setDefaults fills the zero fields of c with their defaults: the one place
// they are chosen.
func (c *Config) setDefaults() {
	if c.OutDir == "" {
		c.OutDir = DefaultOutDir
	}
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.Parsers <= 0 {
		c.Parsers = runtime.GOMAXPROCS(0)
	}
	if c.Writers <= 0 {
		c.Writers = DefaultWriters
	}
	if c.QueueSize <= 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.Grace <= 0 {
		c.Grace = DefaultGrace
	}
	if c.Fetch.UserAgent == "" {
		if vs, ok := c.Fetch.Header["User-Agent"]; ok {
			// Given as a header: that one (empty: none at all).
			if len(vs) > 0 {
				c.Fetch.UserAgent = vs[0]
			}
		} else {
			c.Fetch.UserAgent = "crawl/" + Version
		}
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// Errors of Config.check: options that do not go together.
var (
	ErrPruneWithoutUpdate = errors.New("config: Prune deletes what an Update finds gone; it needs Update")
	ErrNoMirror           = errors.New("config: Update and ConvertLinks work on the mirror; they cannot go with NoMirror")
	ErrUpdateFresh        = errors.New("config: Update re-crawls what an earlier crawl saved; Fresh forgets it")
	ErrUpdateShared       = errors.New("config: Update works with a state of this process (State), not a shared Frontier")
	ErrNegative           = errors.New("config: Depth and MaxPages cannot be negative")
	ErrSelectURL          = errors.New(`config: the Select name "url" is taken by the page's URL`)
	ErrOutputOne          = errors.New("config: Output and OutputWriter take the body of one URL: one seed, no sitemaps, Depth 0, no Requisites")
	ErrOutputMirror       = errors.New("config: Output and OutputWriter save the body elsewhere; they cannot go with NoMirror, Update or ConvertLinks")
	ErrContinueArchive    = errors.New("config: Continue continues downloads with Range requests, whose 206 answers an archive cannot replay as whole responses; it cannot go with WARC or WACZ")
)

// check reports what in c does not go together.
func (c *Config) check() error {
	switch {
	case c.Depth < 0 || c.MaxPages < 0:
		return ErrNegative
	case c.Prune && !c.Update:
		return ErrPruneWithoutUpdate
	case c.NoMirror && (c.Update || c.ConvertLinks):
		return ErrNoMirror
	case c.Update && c.Fresh:
		return ErrUpdateFresh
	case c.Update && c.Frontier != nil:
		return ErrUpdateShared
	case c.Continue && c.archiving():
		return ErrContinueArchive
	case c.output() && (len(c.Seeds) != 1 || len(c.Sitemaps) > 0 || c.Depth > 0 || c.Requisites):
		return ErrOutputOne
	case c.output() && (c.NoMirror || c.Update || c.ConvertLinks):
		return ErrOutputMirror
	}
	for _, f := range c.Select {
		if f.Name == "url" {
			return ErrSelectURL
		}
	}
	for _, l := range [][]string{c.Accept, c.Reject} {
		if err := scope.ValidateNames(l); err != nil {
			return fmt.Errorf("config: Accept or Reject: %w", err)
		}
	}
	return nil
}
