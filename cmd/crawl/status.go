package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/crawl-go/crawl/frontier/redisfrontier"
)

const statusUsage = `Usage: crawl status DIR
       crawl status --state redis://HOST:PORT/DB --crawl-id NAME

Shows how the crawl into DIR is doing, running or not: URLs fetched, failed,
queued (per host) and in flight, the last activity, whether it finished.
With --state redis://..., the same for a crawl shared through Redis.
Exit status: 0, or 1 when there is no such crawl.
`

// statusOptions are the flags of crawl status.
type statusOptions struct {
	state, crawlID string
}

func newStatusFlags(o *statusOptions) *flagSet {
	s := newFlagSet("crawl status")
	s.group("", "Flags")
	s.stringVar(&o.state, "", "redis://HOST:PORT/DB", "the shared crawl's Redis (or the FILE of a crawl's state)", "--state")
	s.stringVar(&o.crawlID, "", "NAME", "the shared crawl's name", "--crawl-id")
	return s
}

// runStatus prints the state of a crawl shared through Redis: URLs queued
// per host, leased, done and seen.
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o statusOptions
	s := newStatusFlags(&o)
	_, err := s.parse(args)
	switch {
	case errors.Is(err, errHelp):
		s.printHelp(stdout, statusUsage, "")
		return exitOK
	case err != nil:
		return usageFailed(stderr, "crawl status", err)
	}
	if o.state == "" || o.crawlID == "" {
		fmt.Fprintln(stderr, "usage: crawl status --state redis://HOST:PORT/DB --crawl-id NAME")
		return exitUsage
	}
	f, err := redisfrontier.Open(ctx, redisfrontier.Options{URL: o.state, CrawlID: o.crawlID})
	if err != nil {
		fmt.Fprintf(stderr, "crawl status: %v\n", err)
		return exitFailures
	}
	defer f.Close()
	st, err := f.Stats(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "crawl status: %v\n", err)
		return exitFailures
	}
	var queued int64
	for _, n := range st.Queued {
		queued += n
	}
	fmt.Fprintf(stdout, "crawl %s: %d queued, %d in flight, %d done, %d seen, %d leases expired\n",
		o.crawlID, queued, st.Leased, st.Done, st.Seen, st.Reclaimed)
	for _, h := range slices.Sorted(maps.Keys(st.Queued)) {
		fmt.Fprintf(stdout, "  %-40s %d queued\n", h, st.Queued[h])
	}
	return exitOK
}
