package mirror

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"testing"

	"github.com/crawl-go/crawl/store"
	"github.com/crawl-go/crawl/urlnorm"
)

// Manifest lines as the engine writes them, for the index tests.

// saved is a URL whose body was saved, in run 1.
func saved(u, path string) store.Record {
	return store.Record{URL: u, Status: 200, ContentType: html, Path: path}
}

// via is a URL whose body was saved after the redirect hops, in run 1:
// the hops were followed, their last one claimed by this URL. It has no
// content type, so that Convert leaves its file, which need not exist.
func via(u, path string, hops ...string) store.Record {
	return store.Record{URL: u, FinalURL: hops[len(hops)-1], Status: 200, Path: path, Redirects: hops}
}

// moved is a URL that redirected through hops, in run 1, to a last hop
// fetched (or claimed) under its own name, so that it has no file: the
// engine's dup job. A two-hop chain records the last response's URL as
// final_url.
func moved(u string, hops ...string) store.Record {
	r := store.Record{URL: u, Status: 301, Redirects: hops}
	if len(hops) > 1 {
		r.FinalURL = hops[len(hops)-2]
	}
	return r
}

// failed is a URL that failed with status after the redirect hops, in
// run 1.
func failed(u string, status int, hops ...string) store.Record {
	r := store.Record{URL: u, Status: status, Redirects: hops, Error: "http error", ErrorKind: "http_4xx"}
	if len(hops) > 0 {
		r.FinalURL = hops[len(hops)-1]
	}
	return r
}

// inRun returns r as a line of run n.
func inRun(n int, r store.Record) store.Record {
	r.Run = n
	return r
}

// manifest encodes lines as a manifest.
func manifest(t *testing.T, lines []store.Record) []byte {
	t.Helper()
	var b bytes.Buffer
	w := store.NewManifestWriter(&b)
	for i := range lines {
		if err := w.Write(&lines[i]); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// resolved returns what a link to raw opens, as "path#fragment", or ""
// when the link stays absolute.
func resolved(t *testing.T, ix *index, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	p, frag, ok := ix.link(u)
	switch {
	case !ok:
		return ""
	case frag != "":
		return p + "#" + frag
	}
	return p
}

func TestIndexRedirects(t *testing.T) {
	tests := []struct {
		name  string
		lines []store.Record
		links map[string]string // link to "path#fragment", "" for absolute
	}{
		{
			name:  "redirect after its target",
			lines: []store.Record{saved("http://h/new", "h/new.html"), moved("http://h/old", "http://h/new")},
			links: map[string]string{"http://h/old": "h/new.html", "http://h/new": "h/new.html"},
		},
		{
			name:  "redirect before its target",
			lines: []store.Record{moved("http://h/old", "http://h/new"), saved("http://h/new", "h/new.html")},
			links: map[string]string{"http://h/old": "h/new.html", "http://h/new": "h/new.html"},
		},
		{
			name:  "target saved through the redirect",
			lines: []store.Record{via("http://h/old", "h/new.html", "http://h/new")},
			links: map[string]string{"http://h/old": "h/new.html", "http://h/new": "h/new.html"},
		},
		{
			name:  "target saved through the redirect, its link found later",
			lines: []store.Record{via("http://h/old", "h/new.html", "http://h/new"), saved("http://h/other", "h/other.html")},
			links: map[string]string{"http://h/new#top": "h/new.html#top", "http://h/other": "h/other.html"},
		},
		{
			name:  "two hops to a target fetched on its own",
			lines: []store.Record{saved("http://h/c", "h/c.html"), moved("http://h/a", "http://h/b", "http://h/c")},
			links: map[string]string{"http://h/a": "h/c.html", "http://h/b": "h/c.html", "http://h/c": "h/c.html"},
		},
		{
			name:  "two hops to a target saved through them",
			lines: []store.Record{via("http://h/a", "h/c.html", "http://h/b", "http://h/c")},
			links: map[string]string{"http://h/a": "h/c.html", "http://h/b": "h/c.html", "http://h/c": "h/c.html"},
		},
		{
			name: "a chain over several lines",
			lines: []store.Record{moved("http://h/a", "http://h/b"), moved("http://h/b", "http://h/c"),
				moved("http://h/c", "http://h/d"), saved("http://h/d", "h/d.html")},
			links: map[string]string{"http://h/a": "h/d.html", "http://h/b": "h/d.html", "http://h/c": "h/d.html"},
		},
		{
			name: "a chain into the hops of a saved body",
			lines: []store.Record{via("http://h/a", "h/c.html", "http://h/b", "http://h/c"),
				moved("http://h/x", "http://h/b"), moved("http://h/y", "http://h/x")},
			links: map[string]string{"http://h/x": "h/c.html", "http://h/y": "h/c.html"},
		},
		{
			name: "a loop over two lines",
			lines: []store.Record{moved("http://h/a", "http://h/b"), moved("http://h/b", "http://h/a"),
				moved("http://h/in", "http://h/a"), saved("http://h/c", "h/c.html")},
			links: map[string]string{"http://h/a": "", "http://h/b": "", "http://h/in": "", "http://h/c": "h/c.html"},
		},
		{
			name:  "a redirect to itself",
			lines: []store.Record{moved("http://h/a", "http://h/a")},
			links: map[string]string{"http://h/a": ""},
		},
		{
			name: "a loop the fetcher stopped",
			lines: []store.Record{{URL: "http://h/a", FinalURL: "http://h/b", Status: 301,
				Redirects: []string{"http://h/b", "http://h/a"}, Error: "redirect back to http://h/a", ErrorKind: "redirects"}},
			links: map[string]string{"http://h/a": "", "http://h/b": ""},
		},
		{
			name:  "target never fetched",
			lines: []store.Record{moved("http://h/a", "http://other/x"), moved("http://h/b", "http://h/c", "http://other/y")},
			links: map[string]string{"http://h/a": "", "http://h/b": "", "http://h/c": "", "http://other/x": ""},
		},
		{
			name:  "target failed on its own",
			lines: []store.Record{moved("http://h/a", "http://h/b"), failed("http://h/b", 404)},
			links: map[string]string{"http://h/a": "", "http://h/b": ""},
		},
		{
			name:  "target failed through the redirect",
			lines: []store.Record{failed("http://h/a", 404, "http://h/b")},
			links: map[string]string{"http://h/a": "", "http://h/b": ""},
		},
		{
			name: "fragments",
			lines: []store.Record{saved("http://h/b", "h/b.html"), moved("http://h/a", "http://h/b#sec"),
				moved("http://h/two", "http://h/x#one", "http://h/b"),
				via("http://h/c", "h/d.html", "http://h/d#top"), moved("http://h/e", "http://h/c")},
			links: map[string]string{
				"http://h/a":      "h/b.html#sec", // the Location's fragment
				"http://h/a#x":    "h/b.html#sec", // replaces the link's own
				"http://h/b#x":    "h/b.html#x",
				"http://h/two":    "h/b.html#one", // a later Location without one keeps it
				"http://h/x#y":    "h/b.html#y",
				"http://h/c":      "h/d.html#top",
				"http://h/d#z":    "h/d.html#z",
				"http://h/e#z":    "h/d.html#top",
				"http://h/a#a%20": "h/b.html#sec",
			},
		},
		{
			name: "queries",
			lines: []store.Record{saved("http://h/search?q=1", "h/search?q=1.html"),
				moved("http://h/s?q=1", "http://h/search?q=1"), via("http://h/s?q=2", "h/s?q=2.html", "http://h/search?q=2&p=1")},
			links: map[string]string{
				"http://h/s?q=1":            "h/search?q=1.html",
				"HTTP://H:80/s?q=1#r":       "h/search?q=1.html#r",
				"http://h/s?q=3":            "",
				"http://h/s":                "",
				"http://h/search?q=2&p=1":   "h/s?q=2.html",
				"http://h/search?q=2&p=1#x": "h/s?q=2.html#x",
			},
		},
		{
			name: "a later run's redirect replaces a file",
			lines: []store.Record{saved("http://h/a", "h/a.html"), saved("http://h/b", "h/b.html"),
				inRun(2, moved("http://h/a", "http://h/b"))},
			links: map[string]string{"http://h/a": "h/b.html"},
		},
		{
			name: "a later run's file replaces a redirect",
			lines: []store.Record{moved("http://h/a", "http://h/b"), saved("http://h/b", "h/b.html"),
				inRun(2, saved("http://h/a", "h/a.html"))},
			links: map[string]string{"http://h/a": "h/a.html"},
		},
		{
			name: "a later run's redirect elsewhere",
			lines: []store.Record{moved("http://h/a", "http://h/b"), saved("http://h/b", "h/b.html"),
				saved("http://h/c", "h/c.html"), inRun(2, moved("http://h/a", "http://h/c"))},
			links: map[string]string{"http://h/a": "h/c.html"},
		},
		{
			name: "a later run's failure ends a redirect",
			lines: []store.Record{moved("http://h/a", "http://h/b"), saved("http://h/b", "h/b.html"),
				inRun(2, failed("http://h/a", 500))},
			links: map[string]string{"http://h/a": "", "http://h/b": "h/b.html"},
		},
		{
			name: "a later run's redirect to nowhere keeps the earlier file",
			lines: []store.Record{saved("http://h/a", "h/a.html"),
				inRun(2, moved("http://h/a", "http://other/")), inRun(2, moved("http://h/x", "http://h/a"))},
			links: map[string]string{"http://h/a": "h/a.html", "http://h/x": ""},
		},
		{
			name: "a file pruned by a later run",
			lines: []store.Record{via("http://h/a", "h/b.html", "http://h/b"),
				inRun(2, store.Record{URL: "http://h/a", Status: 404, Error: "http 404", Update: store.UpdateRemoved})},
			links: map[string]string{"http://h/a": "", "http://h/b": ""},
		},
		{
			name: "a hop's own file wins",
			lines: []store.Record{saved("http://h/b", "h/b.html"), moved("http://h/a", "http://h/b", "http://h/c"),
				saved("http://h/c", "h/c.html")},
			links: map[string]string{"http://h/a": "h/c.html", "http://h/b": "h/b.html"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := manifest(t, tt.lines)
			// The index does not depend on the order of Go's maps.
			for range 5 {
				ix, err := readIndex(bytes.NewReader(m), urlnorm.Normalizer{})
				if err != nil {
					t.Fatal(err)
				}
				for link, want := range tt.links {
					if got := resolved(t, ix, link); got != want {
						t.Fatalf("a link to %s opens %q; want %q", link, got, want)
					}
				}
			}
		})
	}
}

// TestConvertThroughRedirects converts a page whose links redirect, with
// the target fetched before and after the redirect.
func TestConvertThroughRedirects(t *testing.T) {
	page := `<a href="/index.html#main">home</a> <a href="/people">people</a> <a href="/people/#team">team</a>
<a href="/a">two hops</a> <a href="/loop">loop</a> <a href="/gone/index.html">gone</a>
<a href="/out">out</a> <link rel=stylesheet href="/style">`
	want := `<a href="../index.html#main">home</a> <a href="../people/index.html">people</a> <a href="../people/index.html#team">team</a>
<a href="../c.html">two hops</a> <a href="http://h/loop">loop</a> <a href="http://h/gone/index.html">gone</a>
<a href="http://h/out">out</a> <link rel=stylesheet href="../css/s.css">`
	st, dir, m := fakeCrawl(t, []file{
		{"http://h/", "h/index.html", html, `home`},
		{"http://h/blog/post", "h/blog/post.html", html, page},
		{"http://h/c", "h/c.html", html, `c`},
	},
		moved("http://h/index.html", "http://h/"),
		via("http://h/people", "h/people/index.html", "http://h/people/"),
		moved("http://h/a", "http://h/b", "http://h/c"),
		moved("http://h/loop", "http://h/loop2"), moved("http://h/loop2", "http://h/loop"),
		failed("http://h/gone/index.html", 404, "http://h/gone/"),
		moved("http://h/out", "http://elsewhere/"),
		via("http://h/style", "h/css/s.css", "http://h/css/s.css"),
	)
	stats, err := Convert(context.Background(), st, bytes.NewReader(m), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, dir, "h/blog/post.html"); got != want {
		t.Errorf("converted\n%s\nwant\n%s", got, want)
	}
	if stats.Local != 5 || stats.Remote != 3 || stats.Failed != 0 {
		t.Errorf("stats %+v; want 5 local links and 3 remote, no failure", stats)
	}
}

// TestResolveRandomGraphs compares graph.resolve, which walks each URL
// once, with walking every URL's chain on its own, on random graphs full
// of chains, loops and dead ends.
func TestResolveRandomGraphs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		size := 2 + rng.IntN(12)
		name := func() string { return fmt.Sprintf("u%d", rng.IntN(size)) }
		frag := func() string { return []string{"", "", "f1", "f2"}[rng.IntN(4)] }
		g := graph{own: map[string]step{}, file: map[string]target{}, alias: map[string]step{}}
		for i := range size {
			k := fmt.Sprintf("u%d", i)
			if rng.IntN(2) == 0 {
				g.own[k] = step{next: name(), frag: frag()}
			}
			if rng.IntN(3) == 0 {
				g.file[k] = target{path: k + ".html", frag: frag()}
			}
			switch rng.IntN(3) {
			case 0:
				g.alias[k] = step{next: name(), frag: frag()}
			case 1:
				g.alias[k] = step{path: name() + ".html", frag: frag()}
			}
		}
		got := g.resolve()
		for i := range size {
			k := fmt.Sprintf("u%d", i)
			want, ok := naiveResolve(&g, k)
			if t2, found := got[k]; found != ok || t2 != want {
				t.Fatalf("graph %d: %s resolves to %+v, %v; want %+v, %v\nown %v\nfile %v\nalias %v",
					n, k, t2, found, want, ok, g.own, g.file, g.alias)
			}
		}
	}
}

// naiveResolve follows the chain of k on its own, as a browser would: its
// own redirect first, else its file, else its alias; a URL seen twice is
// a loop. A link to a URL whose redirect leads nowhere falls back to its
// file or alias.
func naiveResolve(g *graph, k string) (target, bool) {
	chain := func(k string, skipOwn bool) (target, bool) {
		seen := map[string]bool{}
		var frags []string
		for first := true; ; first = false {
			if seen[k] {
				return target{}, false
			}
			seen[k] = true
			s, ok := g.own[k]
			if !ok || first && skipOwn {
				t, isFile := g.file[k]
				s, ok = g.alias[k]
				if isFile {
					s, ok = step{path: t.path, frag: t.frag}, true
				}
				if !ok {
					return target{}, false
				}
			}
			if s.next == "" {
				t := target{path: s.path, frag: s.frag}
				for i := len(frags) - 1; i >= 0 && t.frag == ""; i-- {
					t.frag = frags[i]
				}
				return t, true
			}
			frags = append(frags, s.frag)
			k = s.next
		}
	}
	if t, ok := chain(k, false); ok {
		return t, true
	}
	if _, ok := g.own[k]; !ok {
		return target{}, false
	}
	return chain(k, true)
}

// TestIndexKeepsSessionIDs: with the normalizer of a crawl that kept
// session ids, URLs that differ only by one lead to their own files.
func TestIndexKeepsSessionIDs(t *testing.T) {
	const a, b = "http://h.test/p;jsessionid=0123456789ABCDEF0123456789ABCDEF", "http://h.test/p;jsessionid=FEDCBA9876543210FEDCBA9876543210"
	var m bytes.Buffer
	w := store.NewManifestWriter(&m)
	for _, r := range []*store.Record{{URL: a, Status: 200, Path: "h.test/p-a.html"}, {URL: b, Status: 200, Path: "h.test/p-b.html"}} {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := readIndex(bytes.NewReader(m.Bytes()), urlnorm.Normalizer{KeepSessionIDs: true})
	if err != nil {
		t.Fatal(err)
	}
	for raw, want := range map[string]string{a: "h.test/p-a.html", b: "h.test/p-b.html"} {
		u, _ := url.Parse(raw)
		if got, _, ok := ix.link(u); !ok || got != want {
			t.Errorf("link(%s) = %q, %v; want %s", raw, got, ok, want)
		}
	}
}
