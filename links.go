package crawl

import (
	"fmt"
	"io"
	"os"

	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/store"
)

// This file holds the link graph of Config.Links: a JSON line for every
// link the crawl found, from where, how, and what became of it.

// decision is what became of a link: followed (queued, or known already:
// why seenBefore), or not, and why (an outcome.Reason, or the
// outcome.Kind of a trap).
type decision struct {
	followed bool
	why      string
}

// seenBefore is the why of a link followed to a URL already known.
const seenBefore = "seen"

// edge is a line of the link graph.
type edge struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Source   string `json:"source"` // how it was found: "a@href", "header:Link", "redirect", "sitemap"...
	Kind     string `json:"kind"`   // "page" or "requisite"
	Followed bool   `json:"followed"`
	Why      string `json:"why,omitempty"`
}

// linkGraph writes the link graph. Its methods are safe for concurrent
// use, and do nothing on a nil *linkGraph.
type linkGraph struct {
	w *store.JSONLWriter
}

// openLinkGraph creates the file of the link graph, replacing an earlier
// one: it is the graph of this run; a resumed run (resume) appends to the
// graph of the part the interruption cut short.
func openLinkGraph(path string, resume bool) (*linkGraph, error) {
	if resume {
		// The pages done before the interruption keep their lines.
		w, err := store.AppendJSONL(path)
		if err != nil {
			return nil, fmt.Errorf("opening the link graph: %w", err)
		}
		return &linkGraph{w: w}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("creating the link graph: %w", err)
	}
	return &linkGraph{w: store.NewJSONLWriter(f)}, nil
}

// page writes the links of the page from with their decisions (ds[i] is
// that of links[i]): a line for each occurrence, when the parser reported
// them, else one for each link.
func (g *linkGraph) page(from string, links []parse.Link, ds []decision, occurrences []parse.Link) error {
	if g == nil {
		return nil
	}
	if len(occurrences) == 0 {
		occurrences = links
	}
	byURL := make(map[string]int, len(links))
	for i, l := range links {
		byURL[l.URL.String()] = i
	}
	for _, l := range occurrences {
		to := l.URL.String()
		i, ok := byURL[to]
		if !ok {
			continue // not reported: over a limit
		}
		kind := "page"
		if l.Kind == parse.Requisite {
			kind = "requisite"
		}
		e := edge{From: from, To: to, Source: l.Source.String(), Kind: kind, Followed: ds[i].followed, Why: ds[i].why}
		if err := g.w.Write(&e); err != nil {
			return fmt.Errorf("writing the link graph: %w", err)
		}
	}
	return nil
}

// redirect writes the redirect from → to, and returns ret: the redirect
// hook's answer, or the error of writing the line.
func (g *linkGraph) redirect(from, to string, d decision, ret error) error {
	if g == nil {
		return ret
	}
	e := edge{From: from, To: to, Source: "redirect", Kind: "page", Followed: d.followed, Why: d.why}
	if err := g.w.Write(&e); err != nil {
		return fmt.Errorf("writing the link graph: %w", err)
	}
	return ret
}

// Close flushes and closes the file.
func (g *linkGraph) Close() error {
	if g == nil {
		return nil
	}
	return g.w.Close()
}

var _ io.Closer = (*linkGraph)(nil)
