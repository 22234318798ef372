// Command crawl downloads lists of URLs and crawls web sites to a depth
// limit, writing a mirror of what it fetched and a manifest of every URL.
//
//	crawl [flags] URL...          download URLs, or crawl from them with --depth
//	crawl [flags] -i FILE         read the URLs from FILE (- for stdin)
//	crawl serve DIR [--addr A]    serve a directory over HTTP, to crawl offline
//	crawl status --state redis://HOST:PORT/DB --crawl-id NAME
//	                              show a shared crawl's queues
//
// Run "crawl -h" for the flags. Exit status: 0 when every URL was fetched,
// 1 when some failed, 2 for a usage error, 130 when interrupted.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
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
	ctx, stop := interruptContext(os.Stderr)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			return runServe(ctx, args[1:], stdout, stderr)
		case "status":
			return runStatus(ctx, args[1:], stdout, stderr)
		case "version":
			fmt.Fprintln(stdout, "crawl", version())
			return exitOK
		}
	}
	return runCrawl(ctx, args, stdin, stderr)
}

// interruptContext returns a context cancelled by the first SIGINT or
// SIGTERM. A second signal exits at once: files being written are still
// only temporary files, so no partial file is left under a final name.
func interruptContext(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
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
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
