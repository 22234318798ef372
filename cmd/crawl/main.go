// Command crawl downloads lists of URLs and crawls web sites to a depth
// limit, writing a mirror of what it fetched and a manifest of every URL.
//
//	crawl [flags] URL...          download URLs, or crawl from them (-r, --depth)
//	crawl [flags] -i FILE         read the URLs from FILE (- for stdin)
//	crawl status DIR              how the crawl into DIR is doing
//	crawl status --state redis://HOST:PORT/DB --crawl-id NAME
//	                              the same for a crawl shared through Redis
//	crawl serve DIR [--addr A]    serve a directory over HTTP, to crawl offline
//	crawl help [TOPIC]            the flags, all or one group of them
//	crawl version
//
// Run "crawl --help" for the flags. Exit status: 0 when every URL was
// fetched, 1 when some failed, 2 for a usage error, 130 when interrupted
// (SIGINT, SIGTERM or SIGHUP).
//
// The files: main.go dispatches the subcommands; cli.go is the flag layer,
// flagvalues.go its value types, help.go the help, suggest.go what it
// says of a flag it does not take and maskargs.go the secrets it hides
// in the command line the WARC files record; options.go defines
// the crawl's flags, wget.go maps wget's spellings on them, downloads.go
// holds those of single downloads (-O, -c, --limit-rate); config.go turns
// them into the engine's configuration and crawlcmd.go runs it;
// progress.go formats the progress line (and downloadprogress.go the row
// of a large download under way), monitor.go draws it and writes
// DIR/.crawl/status.json, which `crawl status` (status.go) reads and
// prints (statusreport.go); format.go writes numbers for people; serve.go
// serves a mirror.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailures    = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// defaultGCPercent is the garbage collector's target when GOGC is not set.
// A crawl allocates briskly on a small heap (about 30 MB for the benchmark
// site), so Go's default of 100 collects very often; 200 saved about a
// tenth of the CPU time there for 9 MB more memory.
const defaultGCPercent = 200

// defaultMemoryLimit is the soft memory limit when GOMEMLIMIT is not set:
// past it the collector works harder instead of letting GOGC's headroom
// triple a heap whose live part grew (a big crawl's frontier commits).
// It is not a cap: a crawl that needs more live memory gets it.
const defaultMemoryLimit = 160 << 20

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	// net/http's client logs a server's protocol slips through the
	// standard logger ("Unsolicited response received on idle HTTP
	// channel" for a 204 with a body), with a timestamp and under -q
	// too. They change no outcome, which the manifest records: drop them.
	// crawl serve's server logs through its own ErrorLog.
	log.SetOutput(io.Discard)
	// go-redis logs its failed dials and retries raw, under -q too; a
	// failure of the shared state that outlasts the retries is reported
	// by crawl's own message. Process-wide, hence here, not in a library.
	redis.SetLogger(quietRedis{})
	ctx, stop := interruptContext(os.Stderr)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// quietRedis is a go-redis logger that drops what it is given.
type quietRedis struct{}

// Printf drops the message.
func (quietRedis) Printf(context.Context, string, ...any) {}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			return runServe(ctx, args[1:], stdout, stderr)
		case "status":
			return runStatus(ctx, args[1:], stdout, stderr)
		case "version":
			printVersion(stdout)
			return exitOK
		case "help":
			return runHelp(args[1:], stdout, stderr)
		}
	}
	return runCrawl(ctx, args, stdin, stdout, stderr)
}

// subcommands are the words that name a subcommand in first place.
var subcommands = []string{"help", "serve", "status", "version"}

// usageFailed prints a usage error, with the hint to the help, and returns
// exitUsage.
func usageFailed(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for usage.\n", cmd, err, cmd)
	return exitUsage
}

func printVersion(w io.Writer) {
	fmt.Fprintf(w, "crawl %s\n", version())
}

func printCrawlHelp(w io.Writer, s *flagSet) {
	topics := "Topics of crawl help TOPIC: " + strings.Join(append(s.topics(), "serve", "status"), ", ") + "."
	s.printHelp(w, crawlUsage, fmt.Sprintf(crawlHelpEnd, strings.Join(wrap(topics, helpWidth-1), "\n")))
}

// runHelp prints crawl's help, or the flags of one group, or a
// subcommand's help.
func runHelp(args []string, stdout, stderr io.Writer) int {
	var o crawlOptions
	s := newCrawlFlags(&o)
	if len(args) == 0 {
		printCrawlHelp(stdout, s)
		return exitOK
	}
	topics := append(s.topics(), "serve", "status")
	if len(args) > 1 || !slices.Contains(topics, strings.TrimLeft(args[0], "-")) {
		msg := "one topic at a time"
		if len(args) == 1 {
			msg = fmt.Sprintf("no topic %q", args[0])
			for _, t := range topics {
				if editDistance(strings.ToLower(args[0]), t) <= 2 {
					msg += "; did you mean " + t + "?"
					break
				}
			}
		}
		fmt.Fprintf(stderr, "crawl help: %s\nTopics: %s.\n", msg, strings.Join(topics, ", "))
		return exitUsage
	}
	switch t := strings.TrimLeft(args[0], "-"); t {
	case "serve":
		newServeFlags(new(string)).printHelp(stdout, serveUsage, "")
	case "status":
		newStatusFlags(new(statusOptions)).printHelp(stdout, statusUsage, "")
	default:
		s.printGroup(stdout, s.topic(t))
	}
	return exitOK
}

// interruptContext returns a context cancelled by the first SIGINT,
// SIGTERM or SIGHUP (the terminal or the ssh session that ran the crawl
// closed; not when started under nohup, which ignores it). A second
// signal exits at once: files being written are still only temporary
// files, so no partial file is left under a final name.
func interruptContext(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	if !signal.Ignored(syscall.SIGHUP) {
		// Notify would undo nohup's ignoring it.
		signal.Notify(sigs, syscall.SIGHUP)
	}
	// A reader that goes away (crawl -O - URL | head -c 10) makes writes
	// to it fail with EPIPE, which the crawl reports and records, instead
	// of the signal killing it silently.
	pipes := make(chan os.Signal, 1)
	signal.Notify(pipes, syscall.SIGPIPE)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintln(stderr, "\ncrawl: interrupted: stopping (interrupt again to quit at once)")
		cancel()
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "crawl: interrupted twice: quitting")
			os.Exit(exitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(pipes)
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
