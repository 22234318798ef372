package crawl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/store"
	"github.com/crawl-go/crawl/urlnorm"
)

// parseLoop is one parse worker: it finds the links of each fetched body,
// adds those in scope to the frontier, extracts --select data, and passes
// the job on to the store stage.
func (c *Crawler) parseLoop(ctx context.Context, parsed <-chan *job, stored chan<- *job) {
	var b parseBuffers
	for j := range parsed {
		if j.err == nil {
			c.parse(ctx, j, &b)
		}
		stored <- j
	}
}

// parseBuffers are a parse worker's slices, reused from page to page.
type parseBuffers struct {
	links []parse.Link
	items []frontier.Item
	urls  []*url.URL
}

func (c *Crawler) parse(ctx context.Context, j *job, b *parseBuffers) {
	links := b.links[:0]
	defer func() { b.links = links }()
	parent := scope.Parent{Depth: j.item.Depth, Requisite: j.item.Requisite}
	follow := c.scope.MayFollow(parent) // else every link would be too deep
	var (
		contentType, finalURL string
		header                http.Header
		body                  []byte
		kept                  *store.Record // the saved file is the body
	)
	switch resp := j.resp; {
	case j.skip:
		return
	case j.earlier != nil:
		// Saved by an earlier run: the file is the body.
		l := j.earlier
		contentType, finalURL = l.contentType, l.finalURL
		kept = &store.Record{URL: j.item.URL, Path: l.path, SHA256: l.digest, ContentType: l.contentType}
	case resp.Status == http.StatusNotModified && j.prev != nil:
		// The file saved by the earlier run is the body, for its links.
		j.notModified = true
		contentType, finalURL, header = j.prev.ContentType, resp.FinalURL, resp.Header
		kept = j.prev
	case resp.Status >= 300 && resp.Status < 400:
		// A redirect the fetcher did not follow because its target is
		// (or will be) fetched under its own name.
		j.dup = true
		return
	default:
		contentType, finalURL, header, body = resp.ContentType, resp.FinalURL, resp.Header, resp.Body.Bytes()
	}
	final, err := urlnorm.Parse(finalURL)
	if finalURL == "" || err != nil {
		final, _ = url.Parse(j.item.URL) // normalized when queued
	}
	j.final = final
	if kept != nil {
		if !follow && len(c.cfg.Select) == 0 {
			return
		}
		if body, err = c.keptBody(kept); err != nil {
			fmt.Fprintf(c.cfg.Log, "crawl: reading the kept copy of %s to parse it: %v\n", j.item.URL, err)
			body = nil
		}
	}
	if follow && header != nil {
		links = parse.Headers(j.final, header, links)
	}
	typ := parse.ClassifyBody(contentType, body)
	wantBody := typ == parse.TypeCSS && follow ||
		typ == parse.TypeHTML && (follow || len(c.cfg.Select) > 0) ||
		typ == parse.TypeOther && follow && c.maybeSitemap(j.item.URL, contentType)
	if wantBody {
		data := body
		if kept == nil {
			if data, err = c.bodyBytes(j); err != nil {
				fmt.Fprintf(c.cfg.Log, "crawl: reading back %s to parse it: %v\n", j.item.URL, err)
			}
		}
		if typ == parse.TypeHTML && data != nil {
			data = parse.ToUTF8(data, contentType) // the saved file keeps its bytes
		}
		if typ == parse.TypeHTML && data != nil && len(c.cfg.Select) > 0 {
			if j.data, err = parse.Extract(data, c.cfg.Select); err != nil {
				fmt.Fprintf(c.cfg.Log, "crawl: extracting data from %s: %v\n", j.item.URL, err)
			}
		}
		switch {
		case !follow || data == nil:
		case typ == parse.TypeHTML:
			links = parse.HTML(j.final, data, parse.Options{RespectNoFollow: c.cfg.RespectNoFollow}, links)
		case typ == parse.TypeCSS:
			links = parse.CSS(j.final, data, links)
		default:
			links = c.sitemapLinks(ctx, j, data, links)
		}
	}
	b.items, b.urls = b.items[:0], b.urls[:0]
	for _, l := range links {
		req := l.Kind == parse.Requisite
		if r := c.scope.Check(parent, l.URL, req); r != scope.Follow {
			c.stats.skip(r.String(), 1)
			continue
		}
		it := frontier.Item{
			URL:       l.URL.String(),
			Host:      l.URL.Host,
			Depth:     j.item.Depth + 1,
			Parent:    j.item.URL,
			Requisite: req,
		}
		if reason, why, ok := c.traps.Static(l.URL, it.URL); !ok {
			if err := c.skipURL(ctx, it, reason, why); err != nil {
				c.fail(fmt.Errorf("recording a skipped link of %s: %w", j.item.URL, err))
				j.unfinished = true
			}
			continue
		}
		b.items = append(b.items, it)
		b.urls = append(b.urls, l.URL)
	}
	if err := c.admit(ctx, b.items, b.urls); err != nil {
		c.fail(fmt.Errorf("queuing the links of %s: %w", j.item.URL, err))
		j.unfinished = true
	}
}

// bodyBytes returns the body of j in memory: as fetched, or read back from
// its spill file when it is not larger than maxParseBytes (nil then).
func (c *Crawler) bodyBytes(j *job) ([]byte, error) {
	body := j.resp.Body
	if data := body.Bytes(); data != nil {
		return data, nil
	}
	f := body.File()
	if f == nil || body.Len() > maxParseBytes {
		return nil, nil
	}
	return io.ReadAll(io.NewSectionReader(f, 0, body.Len()))
}

// keptBody returns the body of prev's file as it was fetched: the file
// itself, or the original kept when --convert-links rewrote it; a file
// edited by hand since is the best guess there is of its links.
func (c *Crawler) keptBody(prev *store.Record) ([]byte, error) {
	body, current, _, err := c.store.ReadAsFetched(prev.Path, prev.SHA256, maxParseBytes)
	if errors.Is(err, store.ErrEdited) {
		return current, nil
	}
	return body, err
}
