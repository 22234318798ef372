package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"time"

	"github.com/crawl-go/crawl/frontier/redisfrontier"
	"github.com/crawl-go/crawl/store"
)

const statusUsage = `Usage: crawl status [DIR]
       crawl status --state redis://HOST:PORT/DB --crawl-id NAME

Shows how the crawl into DIR (default crawl-out) is doing, running or not:
URLs fetched, failed, queued (per host) and in flight, the last activity,
whether it finished. With --state redis://..., the same for a crawl shared
through Redis. Exit status: 0, or 1 when there is no such crawl.
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

// errNoCrawl is a status asked of something that holds no crawl.
var errNoCrawl = errors.New("no crawl")

// runStatus prints the state of a crawl: the local one in a directory, or
// one shared through Redis.
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o statusOptions
	s := newStatusFlags(&o)
	pos, err := s.parse(args)
	switch {
	case errors.Is(err, errHelp):
		s.printHelp(stdout, statusUsage, "")
		return exitOK
	case errors.Is(err, errVersion):
		printVersion(stdout)
		return exitOK
	case err != nil:
		return usageFailed(stderr, "crawl status", err)
	case len(pos) > 1:
		return usageFailed(stderr, "crawl status", errors.New("give one directory"))
	case isRedis(o.state) && o.crawlID == "":
		return usageFailed(stderr, "crawl status", errors.New("--state redis://... needs --crawl-id NAME"))
	case o.crawlID != "" && !isRedis(o.state):
		return usageFailed(stderr, "crawl status", errors.New("--crawl-id goes with --state redis://..."))
	case len(pos) == 1 && o.state != "":
		return usageFailed(stderr, "crawl status", errors.New("give a directory or --state, not both"))
	}
	if isRedis(o.state) {
		err = sharedStatus(ctx, stdout, o.state, o.crawlID)
	} else {
		dir, state := "crawl-out", ""
		if len(pos) == 1 {
			dir = pos[0]
		}
		if o.state != "" {
			state = o.state
			// DIR/.crawl/state.db: the status file and the manifest
			// are in DIR.
			dir = filepath.Dir(filepath.Dir(state))
			if filepath.Base(filepath.Dir(state)) != store.WorkDir {
				dir = ""
			}
		}
		err = localStatus(stdout, dir, state, time.Now())
	}
	if err != nil {
		fmt.Fprintf(stderr, "crawl status: %v\n", err)
		return exitFailures
	}
	return exitOK
}

// sharedStatus prints the counts of a crawl shared through Redis.
func sharedStatus(ctx context.Context, w io.Writer, state, id string) error {
	f, err := redisfrontier.Open(ctx, redisfrontier.Options{URL: state, CrawlID: id})
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stats(ctx)
	if err != nil {
		return err
	}
	var queued int64
	for _, n := range st.Queued {
		queued += n
	}
	if st.Seen == 0 && st.Done == 0 && st.Leased == 0 && queued == 0 {
		where := state
		if u, err := url.Parse(state); err == nil {
			where = u.Redacted()
		}
		return fmt.Errorf("%w named %q in %s", errNoCrawl, id, where)
	}
	fmt.Fprintf(w, "crawl %s: %s queued, %s in flight, %s done, %s seen, %s leases expired\n",
		id, groupDigits(queued), groupDigits(st.Leased), groupDigits(st.Done), groupDigits(st.Seen), groupDigits(st.Reclaimed))
	var rows [][]string
	for _, h := range slices.Sorted(maps.Keys(st.Queued)) {
		rows = append(rows, []string{h, groupDigits(st.Queued[h])})
	}
	if len(rows) > 0 {
		printTable(w, []string{"host", "queued"}, rows)
	}
	return nil
}

// localStatus prints the status of the crawl into dir, whose state is the
// file state (default dir/.crawl/state.db). dir may be empty when only
// the state is known.
func localStatus(w io.Writer, dir, state string, now time.Time) error {
	r, err := inspectLocal(dir, state)
	if err != nil {
		return err
	}
	r.print(w, now)
	return nil
}
