package crawl

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/store"
)

// What the store stage records of a URL that a re-crawl (Config.Update)
// fetched again: a 304 keeps the earlier file, a 404 or 410 says it is
// gone, a new body is new, changed or unchanged.

// keep records a URL whose server answered a re-crawl's conditional
// request with 304: prev's file stays as it is.
func keep(prev *store.Record, rec *store.Record) {
	rec.Path, rec.SHA256, rec.Bytes, rec.ContentType = prev.Path, prev.SHA256, prev.Bytes, prev.ContentType
	rec.Title = prev.Title
	if rec.ETag == "" && rec.LastModified == "" {
		rec.ETag, rec.LastModified = prev.ETag, prev.LastModified
	}
	rec.Update = store.UpdateNotModified
}

// gone records a URL that a re-crawl found removed (404, 410): its earlier
// file stays, and the line names it, unless Config.Prune deletes it.
func (s *storeStage) gone(j *job, rec *store.Record) {
	rec.Update = store.UpdateRemoved
	if !s.prune {
		rec.Path = j.prev.Path
		return
	}
	if err := s.out.store.Remove(j.prev.Path); err != nil {
		fmt.Fprintf(s.log, "crawl: pruning: %v\n", err)
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
