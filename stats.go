package crawl

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crawl-go/crawl/internal/human"
	"github.com/crawl-go/crawl/mirror"
	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/store"
)

// stats counts what the crawl has done. It is safe for concurrent use.
type stats struct {
	start    time.Time
	queued   atomic.Int64
	inFlight atomic.Int64
	ok       atomic.Int64
	failed   atomic.Int64
	bytes    atomic.Int64
	declined atomic.Int64 // queued URLs recorded as not fetched by policy
	released atomic.Int64 // URLs given back to the frontier unfinished
	left     atomic.Int64 // URLs queued or leased when the run ended
	reused   atomic.Int64 // URLs done by an earlier run, not fetched again
	newURLs  atomic.Int64 // URLs given their first manifest line
	// earlierFailed is the number of URLs whose latest line, from before
	// this run, is a failure; retried those of them given a new line.
	earlierFailed int64
	retried       atomic.Int64

	mu       sync.Mutex
	updates  map[string]int64 // URLs of an --update run, by how they changed
	errors   map[outcome.Kind]int64
	skipped  map[outcome.Reason]int64
	failures []Failure // the first few failures, for the summary
}

// Failure is a failed URL, as the summary names it.
type Failure struct {
	URL        string
	Error      string // it names the URL
	LinkedFrom string // the page the URL was found in first; empty for a given URL
}

// maxListedFailures is how many failed URLs the summary names.
const maxListedFailures = 10

func (s *stats) done(r *store.Record) {
	if r.Update != "" {
		s.mu.Lock()
		if s.updates == nil {
			s.updates = make(map[string]int64)
		}
		s.updates[r.Update]++
		s.mu.Unlock()
	}
	if r.Error == "" {
		s.ok.Add(1)
		if r.Update != store.UpdateNotModified { // a 304 has no body
			s.bytes.Add(r.Bytes)
		}
		return
	}
	if !r.ErrorKind.Failure() {
		// Not fetched by policy, or a well-known URL missing.
		s.declined.Add(1)
		s.skip(outcome.Skip(r.ErrorKind), 1)
		return
	}
	s.failed.Add(1)
	s.mu.Lock()
	if s.errors == nil {
		s.errors = make(map[outcome.Kind]int64)
	}
	s.errors[r.ErrorKind]++
	if len(s.failures) < maxListedFailures {
		s.failures = append(s.failures, Failure{Error: r.Error, URL: r.URL, LinkedFrom: r.Parent})
	}
	s.mu.Unlock()
}

func (s *stats) skip(reason outcome.Reason, n int) {
	s.mu.Lock()
	if s.skipped == nil {
		s.skipped = make(map[outcome.Reason]int64)
	}
	s.skipped[reason] += int64(n)
	s.mu.Unlock()
}

// Summary is a snapshot of a crawl's progress, and its outcome once Run
// has returned.
type Summary struct {
	Queued   int64 // URLs added to the frontier, seeds included
	InFlight int64 // URLs fetched or being fetched, not yet recorded
	OK       int64 // URLs fetched and saved (or found not modified by --update)
	Failed   int64 // URLs recorded with an error (bad seeds included)
	// FailedEarlier counts the URLs of the crawl whose failure an earlier
	// run (or this one, before an interruption) recorded and this run did
	// not try again: they stay failed (a 404 until --update re-checks it,
	// or a failure tried again by a run not reaching its URL). They count
	// in the exit status as Failed does.
	FailedEarlier int64
	Bytes         int64 // body bytes transferred
	Declined      int64 // URLs queued, then not fetched because of robots.txt
	Released      int64 // URLs given back unfinished on an interrupt
	// Reused counts URLs that an earlier run had fetched: not fetched
	// again, their links read from the saved files.
	Reused int64
	// Updates counts the URLs of an --update run by how they compare with
	// the earlier run (store.UpdateNew, UpdateChanged, ...).
	Updates map[string]int64
	// Errors counts failures by kind (outcome.HTTP4xx, ...).
	Errors map[outcome.Kind]int64
	// Skipped counts links not followed, by reason (outcome.OffSite,
	// ...), and URLs not fetched by policy (robots, trap_*).
	Skipped map[outcome.Reason]int64
	// Failures holds the first few failed URLs, with their errors and
	// the page that links to each (a broken link).
	Failures []Failure
	// Converted counts what link conversion did, with ConvertLinks.
	Converted   mirror.Stats
	Elapsed     time.Duration
	Interrupted bool // the crawl was stopped before it was finished
	// Fatal reports that an error stopped it (a full disk), not the
	// caller's context.
	Fatal bool
	// Left is the number of URLs still queued when Run returned: the
	// work of the next run into the same state, which fetches them
	// (unless the state is in memory only); -1 when the state could not
	// count them (it could not be written).
	Left int64
}

// Stats returns a snapshot of the crawl's progress.
func (c *Crawler) Stats() Summary { return c.snapshot() }

func (c *Crawler) snapshot() Summary {
	s := &c.stats
	sum := Summary{
		Queued:   s.queued.Load(),
		InFlight: s.inFlight.Load(),
		OK:       s.ok.Load(),
		Failed:   s.failed.Load(),
		Bytes:    s.bytes.Load(),
		Declined: s.declined.Load(),
		Released: s.released.Load(),
		Reused:   s.reused.Load(),
		Elapsed:  time.Since(s.start),
	}
	sum.FailedEarlier = max(s.earlierFailed-s.retried.Load(), 0)
	s.mu.Lock()
	sum.Updates = maps.Clone(s.updates)
	sum.Errors = maps.Clone(s.errors)
	sum.Skipped = maps.Clone(s.skipped)
	sum.Failures = slices.Clone(s.failures)
	s.mu.Unlock()
	return sum
}

func (c *Crawler) summary(ctx context.Context) Summary {
	s := c.snapshot()
	s.Converted = c.converted
	s.Fatal = c.fatal.get() != nil
	s.Interrupted = ctx.Err() != nil || s.Fatal
	s.Left = c.stats.left.Load()
	return s
}

// PagesPerSecond is the rate of recorded URLs over the elapsed time.
func (s Summary) PagesPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.OK+s.Failed) / s.Elapsed.Seconds()
}

// String formats the summary for people, on a few lines.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d fetched, %d failed, %s in %.2fs (%.0f pages/s)",
		s.OK, s.Failed, human.Bytes(s.Bytes), s.Elapsed.Seconds(), s.PagesPerSecond())
	if s.Reused > 0 {
		fmt.Fprintf(&b, "; %d done by earlier runs, read from disk", s.Reused)
	}
	switch {
	case s.Fatal && s.Left < 0:
		b.WriteString("; stopped before the end")
	case s.Fatal:
		fmt.Fprintf(&b, "; stopped with %d URLs left", s.Left)
	case s.Interrupted:
		fmt.Fprintf(&b, "; interrupted with %d URLs left", s.Left)
	}
	if len(s.Updates) > 0 {
		var parts []string
		for _, k := range []string{store.UpdateNew, store.UpdateChanged, store.UpdateUnchanged, store.UpdateNotModified, store.UpdateRemoved} {
			if n := s.Updates[k]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, strings.ReplaceAll(k, "_", " ")))
			}
		}
		fmt.Fprintf(&b, "\nupdated: %s", strings.Join(parts, ", "))
	}
	if p := s.Problems(); p != "" {
		b.WriteString("\n")
		b.WriteString(p)
	}
	if len(s.Skipped) > 0 {
		fmt.Fprintf(&b, "\nlinks not followed: %s", formatCounts(s.Skipped))
	}
	if c := s.Converted; c.Files > 0 || c.Failed > 0 {
		fmt.Fprintf(&b, "\nlinks converted in %d files: %d to local files, %d to the web", c.Files, c.Local, c.Remote)
		if c.Failed > 0 {
			fmt.Fprintf(&b, "; %d files could not be converted", c.Failed)
		}
	}
	return b.String()
}

// Problems formats the failures alone, on a few lines: the errors by kind
// and the first failed URLs. It is empty when nothing failed. A quiet
// command prints it instead of String.
func (s Summary) Problems() string {
	var b strings.Builder
	if s.FailedEarlier > 0 {
		fmt.Fprintf(&b, "%d failed earlier, not tried again (the manifest says why; --update re-checks)", s.FailedEarlier)
	}
	if len(s.Errors) == 0 {
		return b.String()
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "errors: %s", formatCounts(s.Errors))
	for _, f := range s.Failures {
		fmt.Fprintf(&b, "\n  %s", f.Error)
		if f.LinkedFrom != "" {
			fmt.Fprintf(&b, "\n    linked from %s", f.LinkedFrom)
		}
	}
	if n := s.Failed - int64(len(s.Failures)); n > 0 {
		fmt.Fprintf(&b, "\n  and %d more (the manifest has them all)", n)
	}
	return b.String()
}

// Waiting is the number of URLs queued and not yet taken by a fetcher.
func (s Summary) Waiting() int64 {
	// Bad seeds are counted as failed but never entered the frontier.
	return max(s.Queued-s.OK-s.Declined-(s.Failed-s.Errors[outcome.BadURL])-s.InFlight, 0)
}

// Progress formats the summary as one line, for a progress display.
func (s Summary) Progress() string {
	return fmt.Sprintf("%d fetched, %d failed, %d queued, %d in flight, %s, %.0f pages/s",
		s.OK, s.Failed, s.Waiting(), s.InFlight, human.Bytes(s.Bytes), s.PagesPerSecond())
}

func formatCounts[K ~string](m map[K]int64) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
