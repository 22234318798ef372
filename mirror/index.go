package mirror

import (
	"fmt"
	"io"
	"net/url"

	"github.com/crawl-go/crawl/store"
	"github.com/crawl-go/crawl/urlnorm"
)

// index knows, for every URL of the crawl, the file a link to it opens.
type index struct {
	// paths maps the key of a URL to its target: its own file, or the
	// file its redirects lead to.
	paths map[string]target
	// files is the current line of every saved file.
	files []*store.Record
	// norm makes the keys, as the crawl made its URLs.
	norm urlnorm.Normalizer
}

// target is where a link leads in the mirror.
type target struct {
	path string // the file, relative to the output directory
	// frag is the fragment (escaped) that a redirect's Location gave,
	// which a browser shows instead of the link's own; empty if none.
	frag string
}

// step is where a URL leads one step on: to the URL keyed next, or, when
// next is empty, to the file path.
type step struct {
	next string
	path string
	frag string // the fragment of the Location, escaped, if the step is a redirect
	run  int    // the run of the line that says so
}

// The manifest records a redirect in one of three ways, which together
// make a graph of URLs:
//
//   - A body fetched through redirects is saved under the URL as queued,
//     with each hop in redirects and the last in final_url: the hops
//     lead to that file as the URL does.
//   - A redirect whose target was fetched or claimed already (the engine
//     fetches a body once) is recorded with its 3xx status, its hops and
//     no file: the URL and its hops lead to the last hop, wherever that
//     leads, whichever of the two was fetched first.
//   - A redirect that failed (too many hops, a loop, a 404 at the end) is
//     recorded with its error, and leads nowhere.
//
// A link follows the graph to a file; a loop, or a URL never saved at
// the end, leaves the link absolute, to its own URL.

// readIndex reads a manifest (every run of it) into an index. Lines are
// read in order, and the lines of a run come after those of the runs
// before it, as the crawl appends them: a URL's current line is its last.
func readIndex(manifest io.Reader, norm urlnorm.Normalizer) (*index, error) {
	saved := make(store.Saved)
	// redirects holds the current line of each URL that some line says
	// redirected with no body of its own.
	redirects := make(map[string]*store.Record)
	err := store.ReadManifest(manifest, func(r *store.Record) error {
		saved.Add(r)
		if isRedirect(r) || redirects[r.URL] != nil {
			redirects[r.URL] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the manifest to convert links: %w", err)
	}
	g := graph{
		own:   make(map[string]step, len(redirects)),
		file:  make(map[string]target, len(saved)),
		alias: make(map[string]step),
	}
	ix := &index{files: make([]*store.Record, 0, len(saved)), norm: norm}
	for u, r := range saved {
		ix.files = append(ix.files, r)
		hops := r.Redirects
		if r.FinalURL != "" && (len(hops) == 0 || ix.key(hops[len(hops)-1]) != ix.key(r.FinalURL)) {
			hops = append(hops[:len(hops):len(hops)], r.FinalURL)
		}
		frags := landingFragments(hops)
		g.file[ix.key(u)] = target{path: r.Path, frag: frags[0]}
		for i, h := range hops {
			g.addAlias(ix.key(h), step{path: r.Path, frag: frags[i+1], run: r.RunNumber()})
		}
	}
	for u, r := range redirects {
		if !isRedirect(r) {
			continue // its current line is not a redirect any more
		}
		hops := r.Redirects
		last := ix.key(hops[len(hops)-1])
		frags := landingFragments(hops)
		g.own[ix.key(u)] = step{next: last, frag: frags[0], run: r.RunNumber()}
		for i, h := range hops[:len(hops)-1] {
			g.addAlias(ix.key(h), step{next: last, frag: frags[i+1], run: r.RunNumber()})
		}
	}
	ix.paths = g.resolve()
	return ix, nil
}

// link returns the file that a link to u opens, if any, and the fragment
// (escaped) to give the relative link: a redirect's, or u's own.
func (ix *index) link(u *url.URL) (path, frag string, ok bool) {
	t, ok := ix.paths[ix.key(u.String())]
	if !ok {
		return "", "", false
	}
	if t.frag == "" {
		t.frag = u.EscapedFragment()
	}
	return t.path, t.frag, true
}

// isRedirect reports whether r records a redirect that was not followed
// because its target is fetched under its own name (or is out of scope):
// a 3xx with its hops, and no file and no error.
func isRedirect(r *store.Record) bool {
	return r.Path == "" && r.Error == "" && len(r.Redirects) > 0 && r.Status >= 300 && r.Status < 400
}

// landingFragments returns, for a chain of redirect hops, the fragment a
// browser shows on arriving at the end of it from each point: index 0
// from the URL that redirected first, index i+1 from hops[i]. A Location
// with a fragment replaces the one before it (RFC 9110, section 10.2.2);
// "" means the link's own fragment stays.
func landingFragments(hops []string) []string {
	frags := make([]string, len(hops)+1)
	for i := len(hops) - 1; i >= 0; i-- {
		frags[i] = frags[i+1]
		if frags[i] != "" {
			continue
		}
		if u, err := url.Parse(hops[i]); err == nil {
			frags[i] = u.EscapedFragment()
		}
	}
	return frags
}

// key returns the dedup key of a URL string, as the crawl queues it.
func (ix *index) key(raw string) string {
	u, err := ix.norm.Parse(raw)
	if err != nil {
		return raw
	}
	return u.String()
}

// graph is where each URL leads, by its key, before the chains are
// followed.
type graph struct {
	// own is the redirect of a URL's current line.
	own map[string]step
	// file is a URL's saved file.
	file map[string]target
	// alias is where a URL leads that was a hop of another URL's
	// redirects: to the file saved through it, or to the last hop.
	alias map[string]step
}

// addAlias sets the alias of k, unless it has one from a later run. Ties
// go to the file over a redirect, then to the smaller name, so that the
// index does not depend on the order of a map.
func (g *graph) addAlias(k string, s step) {
	old, ok := g.alias[k]
	if !ok || s.run > old.run || s.run == old.run && less(s, old) {
		g.alias[k] = s
	}
}

// less orders two steps of the same run for addAlias.
func less(a, b step) bool {
	if (a.next == "") != (b.next == "") {
		return a.next == ""
	}
	if a.next != b.next {
		return a.next < b.next
	}
	if a.path != b.path {
		return a.path < b.path
	}
	return a.frag < b.frag
}

// next returns the step from the URL keyed k: its own redirect, its file,
// or its alias, in that order.
func (g *graph) next(k string) (step, bool) {
	if s, ok := g.own[k]; ok {
		return s, true
	}
	if t, ok := g.file[k]; ok {
		return step{path: t.path, frag: t.frag}, true
	}
	s, ok := g.alias[k]
	return s, ok
}

// outcome is the end of a chain: a target, or nowhere (ok false).
type outcome struct {
	t  target
	ok bool
}

// resolve follows every URL's chain to its file and returns the targets
// of the URLs that reach one. Each URL is walked once: a chain stops at
// a URL whose outcome is known.
func (g *graph) resolve() map[string]target {
	done := make(map[string]outcome, len(g.file)+len(g.own)+len(g.alias))
	walking := make(map[string]int) // URL to the walk it is on
	var chain []string
	var frags []string
	walks := 0
	walk := func(k string) outcome {
		walks++
		chain, frags = chain[:0], frags[:0]
		var end outcome
		for {
			if o, ok := done[k]; ok {
				end = o
				break
			}
			if walking[k] == walks {
				break // a loop: the chain leads nowhere
			}
			walking[k] = walks
			s, ok := g.next(k)
			if !ok {
				done[k] = outcome{}
				break // a URL never saved
			}
			if s.next == "" {
				end = outcome{t: target{path: s.path, frag: s.frag}, ok: true}
				done[k] = end
				break
			}
			chain, frags = append(chain, k), append(frags, s.frag)
			k = s.next
		}
		for i := len(chain) - 1; i >= 0; i-- {
			if end.ok && end.t.frag == "" {
				end.t.frag = frags[i]
			}
			done[chain[i]] = end
		}
		return end
	}
	paths := make(map[string]target, len(g.file)+len(g.alias))
	visit := func(k string) {
		if _, ok := paths[k]; ok {
			return
		}
		o := walk(k)
		if !o.ok {
			o = g.fallback(k, walk)
		}
		if o.ok {
			paths[k] = o.t
		}
	}
	for k := range g.own {
		visit(k)
	}
	for k := range g.file {
		visit(k)
	}
	for k := range g.alias {
		visit(k)
	}
	return paths
}

// fallback is where a link to the URL keyed k leads when its current line
// is a redirect that leads nowhere: to its file, if an earlier run saved
// one (which is still there), or through its alias. The chains of other
// URLs that pass through k do not fall back: only a link to k itself.
func (g *graph) fallback(k string, walk func(string) outcome) outcome {
	if _, ok := g.own[k]; !ok {
		return outcome{}
	}
	if t, ok := g.file[k]; ok {
		return outcome{t: t, ok: true}
	}
	s, ok := g.alias[k]
	if !ok {
		return outcome{}
	}
	if s.next == "" {
		return outcome{t: target{path: s.path, frag: s.frag}, ok: true}
	}
	o := walk(s.next)
	if o.ok && o.t.frag == "" {
		o.t.frag = s.frag
	}
	return o
}
