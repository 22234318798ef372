package crawl

import (
	"fmt"

	"github.com/crawl-go/crawl/store"
)

// recorder writes the manifest's lines: one per URL and run, after the
// URL's file is in place. It is safe for concurrent use.
type recorder struct {
	manifest *store.ManifestWriter
	run      int      // this run's number, written on each line
	history  *history // what earlier runs recorded
	stats    *stats
	fail     func(error)
}

// write writes rec's line, unless the manifest has it already: a resumed
// run does not repeat the outcomes of its own run, and no run repeats a
// policy skip. A line that cannot be written stops the crawl; write then
// returns the error, and the caller must not count the URL done.
func (r *recorder) write(rec *store.Record) error {
	rec.Run = r.run
	l := r.history.line(rec.URL)
	if l != nil {
		if l.failed && !rec.ErrorKind.Policy() {
			// This run counts the URL, by its new outcome: not as a
			// failure that stands from before (Summary.FailedEarlier).
			r.stats.retried.Add(1)
		}
		// A failure tried again gets a line for the new try, in the
		// same run too.
		sameOutcome := l.outcome() && !rec.ErrorKind.Policy() && l.run == r.run && !l.retry
		samePolicy := !l.outcome() && l.policy == rec.ErrorKind
		if sameOutcome || samePolicy {
			return nil
		}
	}
	if err := r.manifest.Write(rec); err != nil {
		err = fmt.Errorf("writing manifest.jsonl: %w", err)
		r.fail(err)
		return err
	}
	if l == nil {
		r.stats.newURLs.Add(1)
	}
	return nil
}
