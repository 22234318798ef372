package crawl

import (
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/sitemap"
	"github.com/crawl-go/crawl/store"
)

// The store stage receives the jobs of the parse stage and sends nothing:
// for each it writes the body to its file (or keeps or replaces the file
// of an earlier run), archives the exchanges, writes the URL's manifest
// line and the --select record, and then ends the URL's lease in the
// frontier (Done), or gives an abandoned URL back (Release). A file is
// always in place before its manifest line says so. It owns the outputs:
// the mirror, the manifest, the records and the archive.

// storeStage is the store stage's state, shared by its workers.
type storeStage struct {
	out      *outputs
	rec      *recorder
	frontier frontier.Frontier
	known    *frontier.SeenCache // the admitter's: release forgets in it
	stats    *stats
	fail     func(error)
	log      io.Writer
	// finishing bounds the frontier's calls once the crawl is stopped
	// (Crawler.run sets it before the stage runs).
	finishing context.Context

	noMirror, update, prune bool              // Config.NoMirror, Update, Prune
	disposition, adjustExt  bool              // Config.ContentDisposition, AdjustExtension
	paths                   store.PathOptions // Config.NoHostDirs, NoDirs
	saveHeaders             bool              // Config.SaveHeaders
	// sync, with Config.Fsync, makes the lines written durable before a
	// URL is done in the frontier (outputs.sync); nil without.
	sync         func() error
	output       string    // Config.Output
	outputWriter io.Writer // Config.OutputWriter
}

// run is one store worker: it stores each job of in until in is closed.
func (s *storeStage) run(in <-chan *job) {
	for j := range in {
		s.storeJob(j)
	}
}

// saveAction is what the store stage does with a job's body.
type saveAction int

const (
	saveNothing saveAction = iota // no body: a failure, or a redirect handled on its own
	keepFile                      // a re-crawl's 304: the earlier file stays
	putFile                       // a new file, named after the final URL
	replaceFile                   // a re-crawl's new body: the earlier file is replaced, under its name
	recordOnly                    // a body, but no mirror (Config.NoMirror)
)

// saveActionOf decides what becomes of j's body.
func saveActionOf(j *job, noMirror bool) saveAction {
	switch {
	case j.err != nil || j.notSitemap != nil:
		return saveNothing
	case j.notModified:
		return keepFile
	case j.resp == nil || j.resp.Body == nil:
		return saveNothing
	case j.dup || noMirror:
		return recordOnly
	case j.prev != nil:
		return replaceFile
	}
	return putFile
}

func (s *storeStage) storeJob(j *job) {
	if j.abandoned() {
		s.release(j)
		return
	}
	if j.earlier != nil {
		// Done by an earlier run, whose line stands. Its page gets the
		// record it lacks (saved without --select, or with other
		// fields).
		if j.data != nil && s.out.recorded.claim(j.item.URL) {
			s.writeRecord(j)
		}
		s.stats.inFlight.Add(-1)
		s.stats.reused.Add(1)
		s.done(j)
		return
	}
	rec := store.Record{
		URL:       j.item.URL,
		Depth:     j.item.Depth,
		Parent:    j.item.Parent,
		FetchedAt: time.Now().UTC(),
	}
	var body *fetch.Body
	if r := j.resp; r != nil {
		body = r.Body
		if n := len(r.Exchanges); n > 0 {
			// The time of the last request, which its WARC records
			// carry as WARC-Date: a later revisit refers to it.
			rec.FetchedAt = r.Exchanges[n-1].Date.UTC()
		}
		rec.Status = r.Status
		rec.ContentType = r.ContentType
		rec.Attempts = r.Attempts
		rec.DurationMS = r.Duration.Milliseconds()
		rec.Redirects = r.Redirects
		if r.FinalURL != "" && r.FinalURL != j.item.URL {
			rec.FinalURL = r.FinalURL
		}
		if r.Header != nil {
			v := fetch.ValidatorsOf(r.Header)
			rec.ETag, rec.LastModified = v.ETag, v.LastModified
			if s.saveHeaders {
				rec.Headers = r.Header
			}
		}
		rec.IP, rec.TTFBMS = r.RemoteIP, ceilMS(r.TTFB)
	}
	act := saveActionOf(j, s.noMirror)
	if act == putFile || act == replaceFile || act == recordOnly {
		// One title, for the manifest and the WACZ's list of pages.
		if rec.Title = j.title; !j.titled {
			rec.Title = title(body, rec.ContentType)
		}
	}
	if r := j.resp; r != nil {
		if err := s.out.archiveResponse(r, j.prev, rec.Title); errors.Is(err, errNotArchived) {
			// The URL's failure: nothing saved, and the next run
			// fetches it again, into the archive too.
			j.err, act = err, saveNothing
		} else if err != nil {
			// The crawl stops; the next run fetches the URL again, into
			// the archive too.
			if diskFull(err) {
				err = diskFullError(err)
			}
			s.fail(err)
			s.release(j)
			return
		}
	}
	err := j.err
	if why := j.notSitemap; why != nil {
		if !errors.Is(why, sitemap.ErrNotSitemap) {
			why = fmt.Errorf("%w: %v", sitemap.ErrNotSitemap, why)
		}
		err = fmt.Errorf("fetch %s (%s): %w", j.item.URL, cmp.Or(rec.ContentType, "no content type"), why)
	}
	switch act {
	case keepFile:
		keep(j.prev, &rec)
	case putFile, replaceFile, recordOnly:
		sum := body.SHA256()
		rec.SHA256 = hex.EncodeToString(sum[:])
		rec.Bytes = body.Len()
		switch {
		case act == recordOnly:
		case s.output != "" || s.outputWriter != nil:
			rec.Output, err = s.writeOutput(body)
		default:
			rec.Path, err = s.save(j, body, act)
		}
		if err == nil {
			// A partial download an earlier run kept is stale now.
			if derr := s.out.store.DropPartial(j.item.URL); derr != nil {
				fmt.Fprintf(s.log, "crawl: %v\n", derr)
			}
		}
		if s.update && err == nil && !j.dup {
			rec.Update = changeOf(j.prev, &rec)
		}
	}
	if err != nil && diskFull(err) {
		// Not the URL's outcome: the crawl stops, and the next run,
		// with room, fetches the URL again.
		s.fail(diskFullError(err))
		s.release(j)
		return
	}
	if err != nil {
		s.keepPartial(j)
		rec.Error = err.Error()
		rec.ErrorKind = errorKind(err)
		if wellKnownItem(j.item) && (rec.ErrorKind == outcome.HTTP4xx || errors.Is(err, sitemap.ErrNotSitemap)) {
			rec.ErrorKind = outcome.Missing
		}
		if re := (*robotsError)(nil); errors.As(err, &re) {
			rec.Attempts = re.attempts
		}
		if j.prev != nil && isGone(err) {
			s.gone(j, &rec)
		}
	}
	if j.data != nil && err == nil {
		if !s.out.recorded.claim(j.item.URL) {
			// A page fetched again: its record replaces the earlier one.
			s.out.recorded.superseded.Store(true)
		}
		s.writeRecord(j)
	}
	if err := s.rec.write(&rec); err != nil {
		// The outcome is not recorded (the crawl stops): the next run
		// fetches the URL again.
		s.release(j)
		return
	}
	if s.sync != nil {
		if err := s.sync(); err != nil {
			// Not durable: the crawl stops, and the URL is not done.
			s.fail(fmt.Errorf("syncing the manifest of %s: %w", j.item.URL, err))
			s.release(j)
			return
		}
	}
	s.stats.done(&rec)
	s.stats.inFlight.Add(-1)
	s.done(j)
	if body != nil {
		body.Release()
	}
}

// done ends j's lease in the frontier.
func (s *storeStage) done(j *job) {
	if err := s.frontier.Done(s.finishing, j.item); err != nil {
		s.frontierFailed(j, fmt.Errorf("finishing %s in the frontier: %w", j.item.URL, err))
	}
}

// frontierFailed reports that the frontier could not be told what became
// of j: a failure of the crawl, unless the crawl is stopped and its state
// (shared, in Redis) did not answer in time, when j's lease is left to run
// out: the URL is then fetched again, by another process or the next run.
func (s *storeStage) frontierFailed(j *job, err error) {
	if s.finishing.Err() == nil {
		s.fail(err)
		return
	}
	fmt.Fprintf(s.log, "crawl: %s is left to its lease, the shared state not answering: it is fetched again (%v)\n", j.item.URL, err)
}

// release gives an abandoned job's URL back to the frontier, with the
// redirect targets it claimed: nothing of it is recorded, so the next run
// fetches it.
func (s *storeStage) release(j *job) {
	s.stats.inFlight.Add(-1)
	s.stats.released.Add(1)
	if err := s.frontier.Release(s.finishing, j.item, j.claimed...); err != nil {
		s.frontierFailed(j, fmt.Errorf("giving %s back to the frontier: %w", j.item.URL, err))
	}
	s.known.Forget(j.claimed...)
	if j.resp != nil {
		s.keepPartial(j)
		// Not archived either: the next run fetches the URL again.
		j.resp.ReleaseExchanges()
		if j.resp.Body != nil {
			j.resp.Body.Release()
		}
	}
}

// recordBadSeed records a seed that is not a valid URL.
func (s *storeStage) recordBadSeed(b badSeed) {
	// Its password is not written down, as a valid URL's is not.
	shown, why := b.seed.URL, b.err.Error()
	if user, masked := splitUserinfo(b.seed.URL); user != nil && masked != shown {
		why = strings.ReplaceAll(why, shown, masked)
		if pass, _ := user.Password(); pass != "" {
			why = strings.ReplaceAll(why, pass, "***")
		}
		shown = masked
	}
	msg := fmt.Sprintf("%s: %v %q: %s", b.seed.Source, errBadURL, shown, why)
	fmt.Fprintf(s.log, "crawl: %s\n", msg)
	rec := store.Record{URL: shown, Error: msg, ErrorKind: outcome.BadURL, FetchedAt: time.Now().UTC()}
	if s.rec.write(&rec) == nil {
		s.stats.done(&rec)
	}
}

// title returns the <title> of body when it is HTML, from its first
// titleScan bytes decoded to UTF-8 from the charset the page declares.
func title(body *fetch.Body, contentType string) string {
	var head []byte
	if b := body.Bytes(); b != nil {
		head = b[:min(len(b), titleScan)]
	} else if f := body.File(); f != nil {
		head = make([]byte, min(body.Len(), titleScan))
		n, _ := f.ReadAt(head, 0)
		head = head[:n]
	}
	if len(head) == 0 || parse.ClassifyBody(contentType, head) != parse.TypeHTML {
		return ""
	}
	return parse.DocTitle(head, contentType)
}

// ceilMS returns d in milliseconds, rounded up.
func ceilMS(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

// writeRecord writes the --select record of j's page.
func (s *storeStage) writeRecord(j *job) {
	j.data["url"] = j.item.URL
	if err := s.out.records.Write(j.data); err != nil {
		s.fail(fmt.Errorf("writing %s: %w", store.RecordsName, err))
	}
}
