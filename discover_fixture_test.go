package crawl

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crawl-go/crawl/parse"
)

// The discovery fixture, testdata/discover: one page per way of writing a
// link (see its MECHANISMS.md), each linking to its own target, and the
// targets a crawl requests in each discovery mode (targets-page.txt,
// targets-all.txt).

const discoverDir = "testdata/discover"

// serveDiscover serves the discovery fixture as its README says: its
// files with {{ORIGIN}} replaced by the server's origin and the headers
// of headers.json, 404 for /robots.txt and /sitemap.xml, and a short
// text/plain 200 for any other path (the targets). It counts the
// requests.
func serveDiscover(t testing.TB) (*httptest.Server, *counter) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(discoverDir, "headers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var headers map[string]map[string][]string
	if err := json.Unmarshal(b, &headers); err != nil {
		t.Fatal(err)
	}
	types := map[string]string{".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript"}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/" {
			p = "/index.html"
		}
		if p == "/robots.txt" || p == "/sitemap.xml" {
			http.NotFound(w, r)
			return
		}
		body, err := os.ReadFile(filepath.Join(discoverDir, filepath.FromSlash(path.Clean(p))))
		if err != nil || !discoverFile(p) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("a target of the discovery fixture\n"))
			return
		}
		for k, vs := range headers[p] {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.Header().Set("Content-Type", types[path.Ext(p)])
		w.Write([]byte(strings.ReplaceAll(string(body), "{{ORIGIN}}", "http://"+r.Host)))
	})
	c := &counter{}
	srv := httptest.NewServer(c.wrap(h))
	t.Cleanup(srv.Close)
	return srv, c
}

// discoverFile reports whether the URL path p is a page, stylesheet or
// script of the fixture (the rest are targets).
func discoverFile(p string) bool {
	return p == "/" || p == "/index.html" || strings.HasPrefix(p, "/p/") && fixtureExt(path.Ext(p))
}

// fixtureExt reports whether ext is the extension of a file of the fixture.
func fixtureExt(ext string) bool {
	return ext == ".html" || ext == ".css" || ext == ".js"
}

// discoverTargets returns the request URIs of a targets file of the
// fixture (its first column), sorted.
func discoverTargets(t testing.TB, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(discoverDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var uris []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			uri, _, _ := strings.Cut(l, " ")
			uris = append(uris, uri)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(uris)
	return slices.Compact(uris)
}

// requestedTargets returns the request URIs that hits counted other than
// the fixture's own files, /robots.txt and /sitemap.xml, sorted, and
// fails t if one was requested twice.
func requestedTargets(t testing.TB, hits *counter) []string {
	t.Helper()
	var uris []string
	for uri, n := range hits.snapshot() {
		if n > 1 {
			t.Errorf("%s requested %d times", uri, n)
		}
		if p, _, _ := strings.Cut(uri, "?"); discoverFile(p) || p == "/robots.txt" || p == "/sitemap.xml" {
			continue
		}
		uris = append(uris, uri)
	}
	slices.Sort(uris)
	return uris
}

// TestDiscoverFixtureDefaultMode crawls the fixture with the default
// configuration: it requests exactly the targets of targets-page.txt.
func TestDiscoverFixtureDefaultMode(t *testing.T) {
	srv, hits := serveDiscover(t)
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 3
	crawlT(t, cfg)
	got, want := requestedTargets(t, hits), discoverTargets(t, "targets-page.txt")
	for _, u := range want {
		if !slices.Contains(got, u) {
			t.Errorf("not requested: %s", u)
		}
	}
	for _, u := range got {
		if !slices.Contains(want, u) {
			t.Errorf("requested, not a ModePage target: %s", u)
		}
	}
}

// TestDiscoverFixtureAllMode crawls the fixture with Discover ModeAll, as
// --discover all does: it requests exactly the targets of targets-all.txt.
func TestDiscoverFixtureAllMode(t *testing.T) {
	srv, hits := serveDiscover(t)
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 3
	cfg.Discover = parse.ModeAll
	crawlT(t, cfg)
	got, want := requestedTargets(t, hits), discoverTargets(t, "targets-all.txt")
	for _, u := range want {
		if !slices.Contains(got, u) {
			t.Errorf("not requested: %s", u)
		}
	}
	for _, u := range got {
		if !slices.Contains(want, u) {
			t.Errorf("requested, not a ModeAll target: %s", u)
		}
	}
}
