package main

import (
	"runtime"
	"time"

	crawl "github.com/crawl-go/crawl"
	"github.com/crawl-go/crawl/frontier/redisfrontier"
	"github.com/crawl-go/crawl/scope"
)

// crawlOptions holds the flags of a crawl.
type crawlOptions struct {
	input, out, scope, userAgent     string
	workers, parsers, perHost, burst int
	retries, depth, maxPages         int
	rate                             float64
	timeout, retryWait, readTimeout  time.Duration
	maxSize                          sizeFlag
	include, exclude, selects, hdrs  stringsValue
	respectNoFollow, requisites      bool
	throttle, robots, followSitemaps bool
	sitemaps                         stringsValue
	quiet, fsync                     bool
	cpuProfile, state, crawlID       string
	memProfile                       string
	lease                            time.Duration
	fresh, noMirror, disposition     bool
	update, prune, adjustExt         bool
	convertLinks                     bool
	warc, wacz, links                string
	warcMaxSize                      sizeFlag
	keepSessionIDs                   bool
	discover                         discoverValue
	resolve                          stringsValue
	traps                            scope.TrapLimits
	insecure                         bool
	proxy, user, password, cookies   string

	// userAgentGiven: -U was given (an empty one sends none); without
	// it, a -H User-Agent is sent.
	userAgentGiven bool

	// wget's spellings that are resolved into the options above once
	// the command line is read (see wget.go).
	recursive, mirror, noParent bool
	level                       int // -l: 0 means no limit, as in wget
	accept, reject              listValue
	wait                        time.Duration
	randomWait                  bool

	// Downloads (downloads.go).
	limitRate          rateValue
	noHostDirs, noDirs bool
	saveHeaders        bool
	cont               bool
	output             string

	// shared is the frontier of a crawl shared through Redis, once
	// opened, for the progress.
	shared *redisfrontier.Frontier
}

// defineFlags defines the flags of a crawl on s, in the groups of the help.
func (o *crawlOptions) defineFlags(s *flagSet) {
	s.group("input", "Input")
	s.stringVar(&o.input, "", "FILE", "read URLs from FILE, one per line (- for stdin)", "-i", "--input-file")
	s.add(&o.sitemaps, "URL", "", "read the sitemap at URL (XML or text, gzipped or not) and fetch its URLs at depth 1 (repeatable)", "--sitemap")

	s.group("scope", "Crawl scope")
	s.boolVar(&o.recursive, false, "crawl from the URLs, following links 5 levels deep (or -l)", "-r", "--recursive")
	s.add(depthValue{&o.depth}, "N", "0", "follow links N levels from the URLs; inf: no limit; 0: fetch only them", "--depth")
	s.add(levelValue{&o.level}, "N", "", "as wget: crawl N levels deep (0 or inf: no limit)", "-l", "--level")
	s.boolVar(&o.mirror, false, "mirror a site: -r -l inf -N (run it again to update the mirror)", "-m", "--mirror")
	s.boolVar(&o.requisites, false, "also fetch the pages' requisites (images, CSS, scripts) at --depth 0; a crawl always does", "-p", "--page-requisites")
	s.boolVar(&o.noParent, false, "do not follow links above the URLs' folders (page requisites still are)", "-np", "--no-parent")
	s.stringVar(&o.scope, "host", "S", "follow links to the same host, the same domain, or any host", "--scope")
	s.add(&o.include, "RE", "", "follow only URLs matching this regexp (repeatable)", "--include")
	s.add(&o.exclude, "RE", "", "do not follow URLs matching this regexp (repeatable)", "--exclude")
	s.add(&o.accept, "LIST", "", "fetch only files whose names end in or match one of these (pdf,*.jpg); pages are still followed", "-A", "--accept")
	s.add(&o.reject, "LIST", "", "do not fetch files whose names end in or match one of these", "-R", "--reject")
	s.intVar(&o.maxPages, 0, "N", "fetch at most N URLs (0: no limit)", "--max-pages")
	s.intVar(&o.traps.MaxPagesPerHost, 0, "N", "fetch at most N URLs of one host (0: no limit)", "--max-pages-per-host")
	s.intVar(&o.traps.MaxURLLength, 8192, "N", "do not follow URLs longer than N bytes (8 KiB: what Apache and nginx accept)", "--max-url-length")
	s.intVar(&o.traps.MaxQueryVariants, 1000, "N", "follow at most N query strings of one path", "--max-query-variants")
	s.boolVar(&o.respectNoFollow, false, "do not follow links marked rel=nofollow", "--respect-nofollow")
	s.add(&o.discover, "MODE", "page", "which links to find: page (what a mirror needs), or all (every URL a browser or a scanner would try: scripts, text, comments, robots.txt paths...)", "--discover")
	s.boolVar(&o.keepSessionIDs, false, "keep session ids (jsessionid, PHPSESSID, sid...) in URLs instead of removing them", "--keep-session-ids")
	s.boolVar(&o.followSitemaps, true, "with a depth, also read the sitemaps robots.txt names", "--follow-sitemaps")
	s.boolVar(&o.robots, true, "obey robots.txt and its Crawl-delay", "--robots")
	s.add(funcValue{set: o.execute}, "robots=off", "", "as wget: the same as --robots=false", "-e", "--execute")

	s.group("politeness", "Politeness and speed")
	s.floatVar(&o.rate, 0, "R", "requests per second to one host (0: no limit)", "--rate")
	s.durationVar(&o.wait, 0, "SECONDS", "as wget: wait between requests to one host (a --rate of 1/SECONDS)", "-w", "--wait")
	s.boolVar(&o.randomWait, false, "as wget: vary each wait between 0.5 and 1.5 times -w", "--random-wait")
	s.intVar(&o.burst, 1, "N", "requests one host may get at once above --rate", "--burst")
	s.add(&o.limitRate, "RATE", "", "read at most RATE bytes per second in all, like 200k or 1.5M (wget's --limit-rate)", "--limit-rate", "|", "--max-overall-download-limit")
	s.intVar(&o.perHost, 8, "N", "concurrent requests to one host (0: no limit)", "--per-host")
	s.boolVar(&o.throttle, true, "slow down hosts that answer 429 or 503, and pause hosts that keep failing", "--throttle")
	s.intVar(&o.workers, 16, "N", "concurrent fetches", "--workers", "|", "-j")
	s.intVar(&o.parsers, runtime.GOMAXPROCS(0), "N", "concurrent parsers", "--parsers").def = "the CPUs"

	s.group("requests", "Requests")
	s.intVar(&o.retries, 3, "N", "retries of a URL after a connection error, a timeout, 429 or 5xx", "--retries", "|", "--retry")
	s.add(triesValue{&o.retries}, "N", "", "as wget: N tries in all (--retries N-1)", "-t", "--tries", "|", "--max-tries")
	s.durationVar(&o.retryWait, 30*time.Second, "D", "longest wait before a retry, Retry-After included", "--max-retry-wait")
	s.durationVar(&o.timeout, 2*time.Minute, "D", "time limit of one request, body included (raise it for big downloads)", "--timeout", "|", "--max-time")
	s.durationVar(&o.readTimeout, 20*time.Second, "SECONDS", "give up a request when no data comes for this long (wget's -T)", "-T", "--read-timeout")
	o.maxSize = 1 << 30
	s.add(&o.maxSize, "SIZE", "1G", "largest body to download, like 10M (0: no limit)", "--max-size", "|", "--max-filesize")
	s.stringVar(&o.userAgent, "crawl/"+crawl.Version, "UA", "the User-Agent header", "-U", "--user-agent").def = "crawl/VERSION"
	s.boolVar(&o.cont, false, "continue the partial downloads a run cut off kept (Range, If-Range)", "-c", "--continue")
	s.add(funcValue{set: o.continueAt}, "-", "", "as curl: -C - is -c", "-C", "--continue-at")
	s.add(&o.hdrs, "'Name: value'", "", "add a request header (repeatable; wget's -H is --scope any)", "-H", "--header").mask = maskHeader
	s.stringVar(&o.cookies, "", "FILE", "load cookies from FILE (Netscape cookies.txt, as curl and wget write it)", "--cookies", "|", "--load-cookies")
	s.stringVar(&o.user, "", "USER:PASS", "basic credentials, sent to the URLs' hosts and no other", "--user", "|", "-u", "--http-user").mask = maskUser
	s.stringVar(&o.password, "", "PASS", "the password, when --user gives only the user name", "--password", "|", "--http-password").mask = maskAll
	s.add(&o.resolve, "HOST:PORT:ADDR", "", "connect to ADDR for HOST:PORT, like curl (repeatable)", "--resolve")
	s.stringVar(&o.proxy, "", "URL", "use this proxy (default: HTTP_PROXY, HTTPS_PROXY, NO_PROXY)", "--proxy")
	s.boolVar(&o.insecure, false, "do not verify TLS certificates", "--insecure", "|", "--no-check-certificate")

	s.group("output", "Output")
	s.stringVar(&o.output, "", "FILE", "write the body of the one URL to FILE, or to stdout for - (the manifest still goes to DIR)", "-O", "--output-document")
	s.stringVar(&o.out, "crawl-out", "DIR", "write the mirror and manifest.jsonl under DIR (wget's -o is a log)", "-o", "-P", "|", "--directory-prefix", "--output-dir")
	s.boolVar(&o.convertLinks, false, "when the crawl is over, rewrite the links of the saved pages to browse offline", "-k", "--convert-links")
	s.boolVar(&o.adjustExt, false, "save HTML as NAME.html and CSS as NAME.css (page.php becomes page.php.html)", "-E", "--adjust-extension", "|", "--html-extension")
	s.boolVar(&o.noHostDirs, false, "no folder per host: save the URL's path at the top of DIR", "-nH", "--no-host-directories")
	s.boolVar(&o.noDirs, false, "no folders at all: save every file at the top of DIR (file~2.html when a name repeats)", "-nd", "--no-directories")
	s.boolVar(&o.disposition, false, "name files as the server's Content-Disposition suggests", "--content-disposition")
	s.boolVar(&o.saveHeaders, false, "record each response's header fields in its line of manifest.jsonl", "--save-headers")
	s.boolVar(&o.noMirror, false, "save no files, only the manifest (and the WARC files)", "--no-mirror")
	s.stringVar(&o.links, "", "FILE", "write the link graph to FILE: a JSON line per link found (from, to, how, followed or why not)", "--links")
	s.add(&o.selects, "NAME=SEL[@attr]", "", "extract data from every page into records.jsonl with a CSS selector; NAME[]=... for all matches (repeatable)", "--select")
	s.boolVar(&o.fsync, false, "fsync every file before it is renamed into place (safe against power loss)", "--fsync")
	s.boolVar(&o.quiet, false, "print no progress and no summary, only errors", "-q", "--quiet", "|", "--silent")

	s.group("state", "State: resuming, updating, sharing")
	s.stringVar(&o.state, "", "FILE", "keep the queue and the seen set in FILE (memory: in memory only; redis://HOST:PORT/DB: shared)", "--state").def = "DIR/.crawl/state.db"
	s.stringVar(&o.crawlID, "", "NAME", "with --state redis://..., the name of the shared crawl", "--crawl-id")
	s.durationVar(&o.lease, redisfrontier.DefaultLease, "D", "with --state redis://..., how long a URL stays with a process", "--lease")
	s.boolVar(&o.fresh, false, "start over: forget the state and the manifest of an earlier crawl into DIR", "--fresh")
	s.boolVar(&o.update, false, "re-crawl into DIR: keep what did not change (304), replace what did", "-N", "--update", "|", "--timestamping")
	s.boolVar(&o.prune, false, "with --update, delete the files of pages now answering 404 or 410", "--prune")

	s.group("archive", "Archives")
	s.stringVar(&o.warc, "", "NAME", "also write every exchange, as it went over the wire, to WARC files NAME-00000.warc.gz..., indexed in NAME.cdxj", "--warc")
	s.add(&o.warcMaxSize, "SIZE", "", "start a new WARC file before one would pass SIZE, like 1G (0: one file)", "--warc-max-size")
	s.stringVar(&o.wacz, "", "FILE", "package the crawl's WARC files, index and pages as the WACZ file FILE (.wacz added if missing; for ReplayWeb.page)", "--wacz")

	s.group("debug", "Debugging")
	s.stringVar(&o.cpuProfile, "", "FILE", "write a CPU profile of the crawl to FILE (for go tool pprof)", "--cpuprofile")
	s.stringVar(&o.memProfile, "", "FILE", "write a heap profile to FILE at the end or on an interrupt", "--memprofile")

	o.notTaken(s)
}

// notTaken records the spellings of wget, curl and aria2 that crawl does
// not take, with what to write instead.
func (o *crawlOptions) notTaken(s *flagSet) {
	s.notTaken("is crawl -nd -P . URL: the file named after the URL, in the current folder (crawl's -O FILE is curl's -o FILE)", "--remote-name")
	s.notTaken("is --limit-rate in crawl: a limit for the whole crawl, not for each download", "--max-download-limit")
	s.notTaken("is not taken by crawl: -nH leaves out the host folder, -nd every folder", "--cut-dirs")
	s.notTaken("is not needed: --save-headers records each response's header fields in manifest.jsonl", "-S", "--server-response")
	s.notTaken("is --scope any in crawl (or --scope domain); crawl's -H adds a header", "--span-hosts")
	s.notTaken("is --scope domain in crawl (the URLs' registrable domains)", "-D", "--domains")
	s.notTaken("is --include or --exclude in crawl, with a regexp", "-I", "--include-directories", "-X", "--exclude-directories", "--accept-regex", "--reject-regex")
	s.notTaken("is not needed: crawl prints one progress line, not one per file; -q prints only errors", "-nv", "--no-verbose", "-v", "--verbose")
	s.notTaken("is not needed: run crawl in the background with your shell, and see its progress with crawl status DIR", "-b", "--background")
	s.notTaken("is not needed: crawl never overwrites another URL's file, and running it again skips what was saved", "-nc", "--no-clobber")
	s.notTaken("is not needed: crawl follows redirects (up to 10)", "-L", "--location")
	s.notTaken("is not needed: crawl asks for compressed bodies and saves them decompressed", "--compressed")
	s.notTaken("is -q in crawl", "-s")
	s.notTaken("is not a flag of crawl: write the mirror under -o DIR; messages go to stderr", "-a", "--append-output", "--output-file")
}
