package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"time"

	crawl "github.com/crawl-go/crawl"
	"github.com/crawl-go/crawl/fetch"
)

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
		warn:         stderr,
	})
	cfg.Log = stderr
	cfg.Transfers = new(fetch.Transfers)
	mon.opts.transfers = cfg.Transfers.Snapshot
	cfg.CommandLine = append([]string{"crawl"}, s.masked(args)...)
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
		sum, err := c.Run(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "crawl: %v\n", err)
			return exitFailures
		}
		if cv := sum.Converted; (cv.Files > 0 || cv.Failed > 0) && !o.quiet {
			fmt.Fprintf(stderr, "crawl: links converted in %d files: %d to local files, %d to the web\n", cv.Files, cv.Local, cv.Remote)
		}
		more, n := o.continueFinished(cfg)
		if n == 0 {
			if sum.FailedEarlier > 0 {
				// The plan's message named them: the crawl the
				// command asks for has failures.
				return exitFailures
			}
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
	if o.shared == nil {
		// A shared crawl's queue by host comes with its counts from
		// Redis (mon.opts.shared): one query a tick.
		mon.opts.hosts = c.QueuedByHost
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
		switch {
		case o.output != "":
			// -O keeps no state (the partials note said how to go on).
		case o.state == crawl.StateMemory:
			fmt.Fprintf(stderr, "crawl: %s not fetched; with --state memory there is nothing to resume\n", plural(int(sum.Left), "URL"))
		default:
			fmt.Fprintf(stderr, "crawl: %s left: run the same command again to resume\n", plural(int(sum.Left), "URL"))
		}
	}
	switch {
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(stderr, "crawl: %v\n", err)
		return exitFailures
	case sum.Failed > 0 || sum.FailedEarlier > 0:
		return exitFailures
	case o.output != "" && sum.Declined > 0:
		// The one file asked for is not there: a script must know.
		fmt.Fprintf(stderr, "crawl: nothing written to %s: robots.txt disallows the URL\n", o.outputName())
		return exitFailures
	}
	return exitOK
}

// outputName is how messages name -O's file: its name, or the standard
// output.
func (o *crawlOptions) outputName() string {
	if o.output == "-" {
		return "the standard output"
	}
	return o.output
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
