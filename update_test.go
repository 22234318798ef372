package crawl

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crawl-go/crawl/store"
)

// changingSite is a site whose pages a test edits between crawls. Pages
// are served with http.ServeContent, so conditional requests work as on a
// real server: with an ETag (the content's hash) unless the path is in
// noETag, and always with a Last-Modified.
type changingSite struct {
	mu       sync.Mutex
	pages    map[string]string // path to body; missing paths are 404, gone ones 410
	gone     map[string]bool
	modified map[string]time.Time
	noETag   map[string]bool
	log      []request
}

// request is what the server saw of one request.
type request struct {
	path        string
	conditional bool // If-None-Match or If-Modified-Since was sent
	status      int
	bodyBytes   int
}

type countingWriter struct {
	http.ResponseWriter
	status, n int
}

func (w *countingWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += n
	return n, err
}

func (s *changingSite) set(path, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = body
	s.modified[path] = s.modified[path].Add(time.Hour)
}

func (s *changingSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	body, ok := s.pages[r.URL.Path]
	gone, mod, noETag := s.gone[r.URL.Path], s.modified[r.URL.Path], s.noETag[r.URL.Path]
	s.mu.Unlock()
	cw := &countingWriter{ResponseWriter: w}
	switch {
	case gone:
		http.Error(cw, "gone", http.StatusGone)
	case !ok:
		http.NotFound(cw, r)
	default:
		if !noETag {
			cw.Header().Set("ETag", fmt.Sprintf(`"%x"`, sha256.Sum256([]byte(body))))
		}
		http.ServeContent(cw, r, r.URL.Path, mod, strings.NewReader(body))
	}
	s.mu.Lock()
	s.log = append(s.log, request{
		path:        r.URL.Path,
		conditional: r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "",
		status:      cw.status, bodyBytes: cw.n,
	})
	s.mu.Unlock()
}

// takeLog returns the requests since the last call.
func (s *changingSite) takeLog() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.log
	s.log = nil
	return l
}

func newChangingSite(t *testing.T) (*changingSite, *httptest.Server) {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	s := &changingSite{
		pages: map[string]string{
			"/":         `<a href="/a.html">a</a> <a href="/b">b</a> <a href="/old.html">old</a> <link rel=stylesheet href="/s.css">`,
			"/a.html":   `<img src="/img.png"> <a href="/">home</a>`,
			"/b":        `<p>b, served as text/html without an extension</p>`,
			"/old.html": `old`,
			"/s.css":    `body { background: url(/bg.png) }`,
			"/img.png":  "\x89PNG img",
			"/bg.png":   "\x89PNG bg",
		},
		gone:     map[string]bool{},
		modified: map[string]time.Time{},
		noETag:   map[string]bool{"/bg.png": true}, // Last-Modified only
	}
	for p := range s.pages {
		s.modified[p] = start
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func TestUpdate(t *testing.T) {
	site, srv := newChangingSite(t)
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 3
	_, first := crawlT(t, cfg)
	site.takeLog()
	if len(first) != 7 {
		t.Fatalf("first crawl: %d lines; want 7", len(first))
	}
	for u, r := range first {
		if r.Run != 1 || r.Update != "" || r.Error != "" {
			t.Errorf("first crawl, %s: run %d, update %q, error %q", u, r.Run, r.Update, r.Error)
		}
	}
	mtimes := fileTimes(t, cfg.OutDir, first)

	// An unchanged site: every request is conditional, and no body comes.
	cfg.Update = true
	sum, second := crawlT(t, cfg)
	reqs := site.takeLog()
	// The summary counts what was transferred, and how URLs changed.
	if sum.Bytes != 0 || sum.Updates[store.UpdateNotModified] != 7 || !strings.Contains(sum.String(), "updated: 7 not modified") {
		t.Errorf("summary of an all-304 re-crawl: %d bytes, updates %v:\n%s", sum.Bytes, sum.Updates, sum)
	}
	if len(reqs) != 7 {
		t.Errorf("re-crawl of an unchanged site made %d requests; want 7: %+v", len(reqs), reqs)
	}
	for _, r := range reqs {
		if !r.conditional || r.status != http.StatusNotModified || r.bodyBytes != 0 {
			t.Errorf("re-crawl of an unchanged site: %+v; want a conditional request answered 304 without a body", r)
		}
	}
	if len(second) != 7 {
		t.Errorf("second crawl: %d lines; want 7", len(second))
	}
	for u, r := range second {
		f := first[u]
		if r.Run != 2 || r.Update != store.UpdateNotModified || r.Status != 304 ||
			r.Path != f.Path || r.SHA256 != f.SHA256 || r.ContentType != f.ContentType {
			t.Errorf("second crawl, %s: %+v; want run 2, not_modified, the first crawl's file", u, r)
		}
	}
	if got := fileTimes(t, cfg.OutDir, first); !mapsEqual(got, mtimes) {
		t.Error("a 304 rewrote a file")
	}

	// Changes: /b is edited and links to a new page, /old.html is gone,
	// /img.png is removed (404).
	site.set("/b", `<p>b, edited</p> <a href="/new.html">new</a>`)
	site.set("/new.html", "new")
	site.mu.Lock()
	site.gone["/old.html"] = true
	delete(site.pages, "/img.png")
	site.mu.Unlock()
	_, third := crawlT(t, cfg)
	want := map[string]string{
		srv.URL + "/":         store.UpdateNotModified,
		srv.URL + "/a.html":   store.UpdateNotModified,
		srv.URL + "/b":        store.UpdateChanged,
		srv.URL + "/new.html": store.UpdateNew,
		srv.URL + "/old.html": store.UpdateRemoved,
		srv.URL + "/img.png":  store.UpdateRemoved,
		srv.URL + "/s.css":    store.UpdateNotModified,
		srv.URL + "/bg.png":   store.UpdateNotModified,
	}
	if len(third) != len(want) {
		t.Errorf("third crawl: %d lines; want %d", len(third), len(want))
	}
	for u, upd := range want {
		r := third[u]
		if r == nil || r.Update != upd || r.Run != 3 {
			t.Errorf("third crawl, %s: %+v; want update %q in run 3", u, r, upd)
		}
	}
	if r := third[srv.URL+"/b"]; r != nil {
		if r.Path != first[srv.URL+"/b"].Path {
			t.Errorf("/b changed and moved from %s to %s", first[srv.URL+"/b"].Path, r.Path)
		}
		if got := readOut(t, cfg.OutDir, r.Path); !strings.Contains(got, "edited") {
			t.Errorf("/b's file = %q; want the edited page", got)
		}
	}
	for _, p := range []string{"/old.html", "/img.png"} {
		r := third[srv.URL+p]
		if r == nil || r.Path != first[srv.URL+p].Path || readOut(t, cfg.OutDir, r.Path) == "" {
			t.Errorf("%s: removed page's copy not kept and named: %+v", p, r)
		}
	}

	// --prune deletes the copies of removed pages.
	cfg.Prune = true
	_, fourth := crawlT(t, cfg)
	for _, p := range []string{"/old.html", "/img.png"} {
		r := fourth[srv.URL+p]
		if r == nil || r.Update != store.UpdateRemoved || r.Path != "" {
			t.Errorf("--prune, %s: %+v; want removed without a path", p, r)
		}
		if _, err := os.Stat(filepath.Join(cfg.OutDir, filepath.FromSlash(first[srv.URL+p].Path))); !os.IsNotExist(err) {
			t.Errorf("--prune left %s's file: %v", p, err)
		}
	}
	// A pruned page is not asked for conditionally any more.
	site.takeLog()
	_, fifth := crawlT(t, cfg)
	for _, r := range site.takeLog() {
		if (r.path == "/old.html" || r.path == "/img.png") && r.conditional {
			t.Errorf("a pruned page was asked for conditionally: %+v", r)
		}
	}
	if r := fifth[srv.URL+"/old.html"]; r == nil || r.Update != "" || r.ErrorKind != "http_4xx" {
		t.Errorf("fifth crawl, /old.html: %+v; want a plain 410", r)
	}
}

func readOut(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Error(err)
	}
	return string(b)
}

// fileTimes returns the modification time of each saved file.
func fileTimes(t *testing.T, dir string, recs map[string]*store.Record) map[string]time.Time {
	t.Helper()
	m := make(map[string]time.Time)
	for _, r := range recs {
		if r.Path == "" {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(r.Path)))
		if err != nil {
			t.Fatal(err)
		}
		m[r.Path] = fi.ModTime()
	}
	return m
}

func mapsEqual[K, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestAdjustExtension(t *testing.T) {
	html := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	srv, _ := serveSite(t, map[string]http.HandlerFunc{
		"/page.php": html(`<link rel=stylesheet href="/style.php?v=2"><a href="/data.php">data</a>`),
		"/style.php": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/css")
			fmt.Fprint(w, "body{}")
		},
		"/data.php": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, "{}")
		},
	})
	for _, adjust := range []bool{false, true} {
		cfg := testConfig(t, srv.URL+"/page.php")
		cfg.Depth = 1
		cfg.AdjustExtension = adjust
		_, recs := crawlT(t, cfg)
		host := strings.ReplaceAll(strings.TrimPrefix(srv.URL, "http://"), ":", "_")
		want := map[string]string{
			"/page.php":      host + "/page.php",
			"/style.php?v=2": host + "/style.php?v=2",
			"/data.php":      host + "/data.php",
		}
		if adjust {
			want["/page.php"] += ".html"
			want["/style.php?v=2"] += ".css"
		}
		for p, file := range want {
			if r := recs[srv.URL+p]; r == nil || r.Path != file {
				t.Errorf("adjust %v: %s saved as %+v; want %s", adjust, p, r, file)
			}
		}
	}
}
