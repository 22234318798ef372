package crawl

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/urlnorm"
)

// parseLoop is one parse worker: it finds the links of each fetched body,
// adds those in scope to the frontier, extracts --select data, and passes
// the job on to the store stage.
func (c *Crawler) parseLoop(ctx context.Context, parsed <-chan *job, stored chan<- *job) {
	var links []parse.Link
	var items []frontier.Item
	for j := range parsed {
		if j.err == nil {
			links, items = c.parse(ctx, j, links[:0], items[:0])
		}
		stored <- j
	}
}

func (c *Crawler) parse(ctx context.Context, j *job, links []parse.Link, items []frontier.Item) ([]parse.Link, []frontier.Item) {
	resp := j.resp
	final, err := urlnorm.Parse(resp.FinalURL)
	if err != nil {
		final, _ = url.Parse(j.item.URL) // normalized when queued
	}
	j.final = final
	if resp.Status >= 300 && resp.Status < 400 {
		// A redirect the fetcher did not follow because its target is
		// (or will be) fetched under its own name.
		j.dup = true
		return links, items
	}
	body := j.resp.Body
	typ := parse.ClassifyBody(resp.ContentType, body.Bytes())
	if typ != parse.TypeHTML && typ != parse.TypeCSS {
		return links, items
	}
	data := body.Bytes()
	if data == nil {
		// Spilled to disk: read it back if it is not too big to parse.
		f := body.File()
		if f == nil || body.Len() > maxParseBytes {
			return links, items
		}
		data, err = io.ReadAll(io.NewSectionReader(f, 0, body.Len()))
		if err != nil {
			fmt.Fprintf(c.cfg.Log, "crawl: reading back %s to parse it: %v\n", j.item.URL, err)
			return links, items
		}
	}
	if typ == parse.TypeHTML && len(c.cfg.Select) > 0 {
		if j.data, err = parse.Extract(data, c.cfg.Select); err != nil {
			fmt.Fprintf(c.cfg.Log, "crawl: extracting data from %s: %v\n", j.item.URL, err)
		}
	}
	parent := scope.Parent{Depth: j.item.Depth, Requisite: j.item.Requisite}
	if !c.scope.MayFollow(parent) {
		return links, items // every link would be too deep
	}
	if typ == parse.TypeHTML {
		links = parse.HTML(j.final, data, parse.Options{RespectNoFollow: c.cfg.RespectNoFollow}, links)
	} else {
		links = parse.CSS(j.final, data, links)
	}

	for _, l := range links {
		req := l.Kind == parse.Requisite
		if r := c.scope.Check(parent, l.URL, req); r != scope.Follow {
			c.stats.skip(r.String(), 1)
			continue
		}
		items = append(items, frontier.Item{
			URL:       l.URL.String(),
			Host:      l.URL.Host,
			Depth:     j.item.Depth + 1,
			Parent:    j.item.URL,
			Requisite: req,
		})
	}
	if err := c.admit(ctx, items); err != nil {
		c.fail(fmt.Errorf("queuing the links of %s: %w", j.item.URL, err))
	}
	return links, items
}
