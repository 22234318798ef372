package crawl

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
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
	}
	err := j.err
	if err == nil && body != nil {
		sum := body.SHA256()
		rec.SHA256 = hex.EncodeToString(sum[:])
		rec.Bytes = body.Len()
		if c.warc != nil {
			c.archive(j, body, rec.FetchedAt)
		}
		if !j.dup && !c.cfg.NoMirror {
			rec.Path, err = c.save(j, body)
		}
	}
	if err != nil {
		rec.Error = err.Error()
		rec.ErrorKind = errorKind(err)
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

// errStore marks failures to write a body to disk.
var errStore = errors.New("saving file")

func (c *Crawler) save(j *job, body *fetch.Body) (string, error) {
	rel := store.Path(j.final, j.resp.ContentType)
	if c.cfg.ContentDisposition {
		if name := store.DispositionName(j.resp.Header.Get("Content-Disposition")); name != "" {
			rel = store.WithName(rel, name)
		}
	}
	var path string
	var err error
	if body.File() != nil {
		path, err = c.store.PutFile(rel, body.TakeFile())
	} else {
		path, err = c.store.Put(rel, body.Bytes())
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
	case errors.Is(err, ratelimit.ErrHostUnreachable):
		return "host_unreachable"
	}
	return fetch.ErrorKind(err)
}

// errBadURL marks seeds that are not valid URLs.
var errBadURL = errors.New("bad url")
