package crawl

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/ratelimit"
	"github.com/crawl-go/crawl/store"
)

// storeLoop is one store worker: it writes each fetched body to its file,
// then the URL's manifest line, then ends the URL's lease in the frontier.
// A file is always in place before its manifest line says so.
func (c *Crawler) storeLoop(stored <-chan *job) {
	for j := range stored {
		c.storeJob(j)
	}
}

func (c *Crawler) storeJob(j *job) {
	if j.abandoned() {
		c.release(j)
		return
	}
	if j.earlier != nil {
		// Done by an earlier run, whose line stands.
		c.stats.inFlight.Add(-1)
		c.stats.reused.Add(1)
		if err := c.frontier.Done(context.Background(), j.item); err != nil {
			c.fail(fmt.Errorf("finishing %s in the frontier: %w", j.item.URL, err))
		}
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
		}
	}
	c.archive(j)
	err := j.err
	switch {
	case err == nil && j.notModified:
		c.keep(j, &rec)
	case err == nil && body != nil:
		sum := body.SHA256()
		rec.SHA256 = hex.EncodeToString(sum[:])
		rec.Bytes = body.Len()
		if !j.dup && !c.cfg.NoMirror {
			rec.Path, err = c.save(j, body)
		}
		if c.cfg.Update && err == nil && !j.dup {
			rec.Update = changeOf(j.prev, &rec)
		}
	}
	if err != nil {
		rec.Error = err.Error()
		rec.ErrorKind = errorKind(err)
		if re := (*robotsError)(nil); errors.As(err, &re) {
			rec.Attempts = re.attempts
		}
		if j.prev != nil && isGone(err) {
			c.gone(j, &rec)
		}
	}
	if j.data != nil && err == nil {
		j.data["url"] = j.item.URL
		if werr := c.records.Write(j.data); werr != nil {
			c.fail(fmt.Errorf("writing records.jsonl: %w", werr))
		}
	}
	c.writeRecord(&rec)
	c.stats.done(&rec)
	c.stats.inFlight.Add(-1)
	if derr := c.frontier.Done(context.Background(), j.item); derr != nil {
		c.fail(fmt.Errorf("finishing %s in the frontier: %w", j.item.URL, derr))
	}
	if body != nil {
		body.Release()
	}
}

// release gives an abandoned job's URL back to the frontier, with the
// redirect targets it claimed: nothing of it is recorded, so the next run
// fetches it.
func (c *Crawler) release(j *job) {
	c.stats.inFlight.Add(-1)
	c.stats.released.Add(1)
	if err := c.frontier.Release(context.Background(), j.item, j.claimed...); err != nil {
		c.fail(fmt.Errorf("giving %s back to the frontier: %w", j.item.URL, err))
	}
	if j.resp != nil {
		// Not archived either: the next run fetches the URL again.
		j.resp.ReleaseExchanges()
		if j.resp.Body != nil {
			j.resp.Body.Release()
		}
	}
}

// errStore marks failures to write a body to disk.
var errStore = errors.New("saving file")

// keep records a URL whose server answered a re-crawl's conditional
// request with 304: the earlier file stays as it is.
func (c *Crawler) keep(j *job, rec *store.Record) {
	p := j.prev
	rec.Path, rec.SHA256, rec.Bytes, rec.ContentType = p.Path, p.SHA256, p.Bytes, p.ContentType
	if rec.ETag == "" && rec.LastModified == "" {
		rec.ETag, rec.LastModified = p.ETag, p.LastModified
	}
	rec.Update = store.UpdateNotModified
}

// gone records a URL that a re-crawl found removed (404, 410): its earlier
// file stays, and the line names it, unless Config.Prune deletes it.
func (c *Crawler) gone(j *job, rec *store.Record) {
	rec.Update = store.UpdateRemoved
	if !c.cfg.Prune {
		rec.Path = j.prev.Path
		return
	}
	if err := c.store.Remove(j.prev.Path); err != nil {
		fmt.Fprintf(c.cfg.Log, "crawl: --prune: %v\n", err)
		rec.Path = j.prev.Path // still there
	}
}

// isGone reports whether err is a 404 Not Found or a 410 Gone.
func isGone(err error) bool {
	var se *fetch.StatusError
	return errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone)
}

// changeOf says how a body fetched by a re-crawl compares with the URL's
// earlier file.
func changeOf(prev, rec *store.Record) string {
	switch {
	case prev == nil:
		return store.UpdateNew
	case prev.SHA256 == rec.SHA256:
		return store.UpdateUnchanged
	default:
		return store.UpdateChanged
	}
}

// save writes body to its file and returns the path used. In a re-crawl,
// a URL that has a file already replaces it under the same name.
func (c *Crawler) save(j *job, body *fetch.Body) (string, error) {
	put, putFile := c.store.Put, c.store.PutFile
	var rel string
	if j.prev != nil {
		rel = j.prev.Path
		put, putFile = c.store.Replace, c.store.ReplaceFile
	} else {
		rel = store.Path(j.final, j.resp.ContentType)
		if c.cfg.ContentDisposition {
			if name := store.DispositionName(j.resp.Header.Get("Content-Disposition")); name != "" {
				rel = store.WithName(rel, name)
			}
		}
		if c.cfg.AdjustExtension {
			rel = store.AdjustExtension(rel, j.resp.ContentType)
		}
	}
	var path string
	var err error
	if body.File() != nil {
		path, err = putFile(rel, body.TakeFile())
	} else {
		path, err = put(rel, body.Bytes())
	}
	if err != nil {
		return "", fmt.Errorf("%w of %s as %s: %w", errStore, j.item.URL, rel, err)
	}
	return path, nil
}

// errorKind labels an error for the manifest and the summary.
func errorKind(err error) string {
	switch {
	case errors.Is(err, errStore):
		return "store"
	case errors.Is(err, errBadURL):
		return "bad_url"
	case errors.Is(err, errRobots):
		return "robots"
	case errors.Is(err, errRobotsUnavailable):
		return "robots_unavailable"
	case errors.Is(err, ratelimit.ErrHostUnreachable):
		return "host_unreachable"
	}
	return fetch.ErrorKind(err)
}

// errBadURL marks seeds that are not valid URLs.
var errBadURL = errors.New("bad url")
