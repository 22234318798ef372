package crawl

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/store"
)

// history is what earlier runs recorded in the manifest, as far as this
// run needs it. It is read by New and not changed after.
type history struct {
	// lastRun is the highest run number of the manifest's lines, 0
	// without any.
	lastRun int
	// urls is the number of URLs lines holds lines of (not counting
	// the final URLs of redirects).
	urls int
	// retry is the number of URLs whose latest line is a failure that
	// the next run tries again (see triedAgain).
	retry int
	// failures is the number of URLs whose latest line is a failure, of
	// any kind: what this run leaves failed unless it tries them again.
	failures int
	// lastRunOutcomes is the number of URLs whose latest line records
	// what became of their fetch in the last run: what a resumed run
	// (which continues the last) has spent of its --max-pages budget
	// besides what is queued.
	lastRunOutcomes int
	// lines holds the latest line of each URL that this run must not
	// repeat (see readHistory), in brief; a followed redirect's final
	// URL shares the line of the URL it was reached from.
	lines map[string]*earlierLine
	// saved holds, for --update, each URL's latest line that names its
	// file: the file a re-crawl keeps or replaces.
	saved store.Saved
}

// earlierLine is what a run needs of a URL's line from an earlier run (or
// from the same run, before an interruption).
type earlierLine struct {
	run int
	// ok: the URL was fetched; else it failed, or was skipped by policy.
	ok bool
	// policy is the error kind of a policy skip (robots.txt, a trap);
	// empty for a fetch's outcome.
	policy outcome.Kind
	// failed: the line is a failure (outcome.Kind.Failure); retry: one
	// that a later run tries again (triedAgain).
	failed, retry bool
	// status is the HTTP status: a 3xx with no path is a redirect whose
	// target was fetched on its own.
	status                              int
	path, digest, contentType, finalURL string
}

// outcome reports whether the line records what became of a fetch, as
// opposed to a decision not to fetch.
func (l *earlierLine) outcome() bool { return l.policy == "" }

// historyMode says which lines of the manifest a run must not repeat.
type historyMode int

const (
	// historyNone: none. A new crawl or a new --update run needs only
	// the last run's number.
	historyNone historyMode = iota
	// historyOwnRun: those of the last run, which this run continues. A
	// resumed --update run re-checks what its run has not done yet.
	historyOwnRun
	// historyAll: every line. URLs fetched by an earlier run are read
	// from disk instead of fetched, URLs that failed are not tried
	// again (but for those whose body could not be saved), and a URL
	// skipped by policy is not recorded twice.
	historyAll
)

// readHistory reads the manifest at path, if there is one, keeping the
// lines that mode names.
// With saved it also collects each URL's latest saved file.
func readHistory(path string, mode historyMode, saved bool) (history, error) {
	var h history
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("reading the manifest of the earlier crawl: %w", err)
	}
	defer f.Close()
	if saved {
		h.saved = make(store.Saved)
	}
	var recs []*earlierLine
	byURL := make(map[string]int) // index in recs of each URL's latest line
	keep := mode != historyNone
	err = store.ReadManifest(bufio.NewReaderSize(f, 1<<20), func(r *store.Record) error {
		run := r.RunNumber()
		h.lastRun = max(h.lastRun, run)
		if saved {
			h.saved.Add(r)
		}
		if !keep {
			return nil
		}
		l := &earlierLine{run: run, ok: r.Error == "", status: r.Status, path: r.Path, digest: r.SHA256,
			contentType: r.ContentType, finalURL: r.FinalURL}
		if r.ErrorKind.Policy() {
			l.policy = r.ErrorKind
		}
		l.failed = r.ErrorKind.Failure()
		l.retry = triedAgain(r)
		if i, ok := byURL[r.URL]; ok && recs[i].run > run {
			return nil
		}
		byURL[r.URL] = len(recs)
		recs = append(recs, l)
		if l.ok && l.finalURL != "" {
			if _, ok := byURL[l.finalURL]; !ok {
				byURL[l.finalURL] = len(recs) - 1
			}
		}
		return nil
	})
	if err != nil {
		return h, fmt.Errorf("reading the manifest of the earlier crawl: %w", err)
	}
	if !keep {
		return h, nil
	}
	h.lines = make(map[string]*earlierLine, len(byURL))
	counted := make(map[int]bool, len(recs))
	for u, i := range byURL {
		// A resumed --update run re-checks everything its own run has
		// not done yet.
		if mode == historyOwnRun && recs[i].run != h.lastRun {
			continue
		}
		h.lines[u] = recs[i]
		if !counted[i] {
			counted[i] = true
			h.urls++
			if recs[i].retry {
				h.retry++
			}
			if recs[i].failed {
				h.failures++
			}
			if recs[i].run == h.lastRun && recs[i].outcome() {
				h.lastRunOutcomes++
			}
		}
	}
	return h, nil
}

// triedAgain reports whether the failure that r records is tried again by
// a later run of the same crawl (a resume, an extension, the same command
// run again): one of this machine's (the body could not be saved), or of
// the site or the network for the moment (no answer, a timeout, a 5xx, a
// 408 or 429). A 404, a refused redirect or a TLS failure stands until
// --update re-checks it.
func triedAgain(r *store.Record) bool {
	switch r.ErrorKind {
	case outcome.Store, outcome.Timeout, outcome.Connection, outcome.HostUnreachable,
		outcome.HTTP5xx, outcome.RobotsUnavailable:
		return true
	case outcome.HTTP4xx:
		return r.Status == http.StatusRequestTimeout || r.Status == http.StatusTooManyRequests
	}
	return false
}

// line returns the earlier line of url, or nil. A nil history has none.
func (h *history) line(url string) *earlierLine {
	if h == nil {
		return nil
	}
	return h.lines[url]
}
