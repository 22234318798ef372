package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/crawl-go/crawl/frontier/redisfrontier"
)

// runStatus prints the state of a crawl shared through Redis: URLs queued
// per host, leased, done and seen.
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	state := fs.String("state", "", "the shared crawl's `redis://HOST:PORT/DB`")
	id := fs.String("crawl-id", "", "the crawl's `NAME`")
	if _, err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *state == "" || *id == "" {
		fmt.Fprintln(stderr, "usage: crawl status --state redis://HOST:PORT/DB --crawl-id NAME")
		return exitUsage
	}
	f, err := redisfrontier.Open(ctx, redisfrontier.Options{URL: *state, CrawlID: *id})
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
		*id, queued, st.Leased, st.Done, st.Seen, st.Reclaimed)
	for _, h := range slices.Sorted(maps.Keys(st.Queued)) {
		fmt.Fprintf(stdout, "  %-40s %d queued\n", h, st.Queued[h])
	}
	return exitOK
}
