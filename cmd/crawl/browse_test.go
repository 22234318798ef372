package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/crawl-go/crawl/parse"
)

// chromium returns the path of a Chromium binary, skipping the test when
// there is none outside CI (.ci/run installs Debian's chromium).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on the PATH; .ci/run installs Debian's chromium package")
	}
	t.Skip("no chromium on the PATH (apt-get install chromium, or run .ci/run)")
	return ""
}

// requestLog records the requests a server answers, and their status.
type requestLog struct {
	mu   sync.Mutex
	seen map[string]int // path to the last status
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		l.mu.Lock()
		if l.seen == nil {
			l.seen = make(map[string]int)
		}
		l.seen[r.URL.Path] = sw.status
		l.mu.Unlock()
	})
}

func (l *requestLog) snapshot() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := make(map[string]int, len(l.seen))
	for k, v := range l.seen {
		m[k] = v
	}
	return m
}

// TestBrowseMirror crawls testdata/site with --convert-links and
// --adjust-extension, serves the mirror with crawl serve's handler, and
// opens every page in headless Chromium, which follows every link of every
// page too. Every image, stylesheet and script of every page must load
// from the mirror, and no request may leave it but those for the URLs
// that were never saved (a 404, a redirect to a 404, another site), whose
// links stay absolute. The site's /index.html, which answers 301 to /,
// and the redirects of /moved are links through redirects, which must
// reach the saved file.
func TestBrowseMirror(t *testing.T) {
	browser := chromium(t)
	var original requestLog
	mux := http.NewServeMux()
	files := http.FileServer(http.Dir("../../testdata/site"))
	mux.Handle("/", files)
	var site *httptest.Server
	// A page whose links are absolute URLs of the site, which a browser
	// would follow to the site unless they are converted.
	mux.HandleFunc("/absolute", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<link rel=stylesheet href="%[1]s/css/site.css"><script src="%[1]s/js/app.js"></script>
<img src="%[1]s/img/logo.png"> <a href="%[1]s/about.html">about</a>`, site.URL)
	})
	// A page of links that testdata/site's file server redirects: two
	// hops (/blog/index.html/ to /blog/index.html to /blog/), a folder
	// without its slash, a query kept by the redirect, a fragment, and a
	// redirect to a page that does not exist (/nothere/ is a 404).
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<title>Moved</title><a href="/blog/index.html/">blog</a> <a href="people">people</a>
<a href="later">later</a> <a href="/index.html?from=moved">home, with a query</a>
<a href="index.html#main">home, main</a> <a href="/nothere/index.html">gone</a>`)
	})
	// /people answers 301 to /people/, a folder no other page links to;
	// /later links to it but answers only once /people/ was asked for,
	// so that the crawl gets /people/ through the redirect before it
	// finds the link: the other order than /index.html's, whose target /
	// came first.
	peopleMoved := make(chan struct{})
	var once sync.Once
	mux.HandleFunc("/people/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/people/" {
			once.Do(func() { close(peopleMoved) })
		}
		files.ServeHTTP(w, r)
	})
	mux.HandleFunc("/later", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-peopleMoved:
		case <-r.Context().Done():
		case <-time.After(5 * time.Second): // /people was not fetched: the test fails on its links
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<title>Later</title><a href="/people/#team">people again</a>`)
	})
	site = httptest.NewServer(original.wrap(mux))
	defer site.Close()
	out := t.TempDir()
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"-o", out, "--depth", "10", "-k", "-E", "--retries", "0",
		site.URL + "/", site.URL + "/absolute", site.URL + "/moved"},
		nil, &bytes.Buffer{}, &stderr)
	if code != exitOK && code != exitFailures { // the site links to a missing page
		t.Fatalf("crawl: exit %d: %s", code, stderr.String())
	}
	fetched := len(original.snapshot())
	original.mu.Lock()
	original.seen = nil
	original.mu.Unlock()

	// The mirror, served by crawl serve's handler, and on the same origin
	// the harness page, so that its script can read the pages' links.
	recs := lastRun(t, out)
	var pages []string
	for _, r := range recs {
		if r.Path != "" && parse.Classify(r.ContentType) == parse.TypeHTML {
			pages = append(pages, "/"+escapePath(r.Path))
		}
	}
	if len(pages) < 10 {
		t.Fatalf("the mirror has %d pages", len(pages))
	}
	// Both orders of a redirect and its target happened.
	if r := recs[site.URL+"/index.html"]; r == nil || r.Status != http.StatusMovedPermanently || r.Path != "" {
		t.Errorf("/index.html was not recorded as a redirect to / fetched on its own: %+v", r)
	}
	if r := recs[site.URL+"/people"]; r == nil || r.FinalURL != site.URL+"/people/" || r.Path == "" {
		t.Errorf("/people/ was not saved through the redirect of /people: %+v", r)
	}
	var mirror requestLog
	harness := http.NewServeMux()
	files, closeFiles, err := dirHandler(out)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFiles()
	harness.Handle("/", mirror.wrap(files))
	harness.HandleFunc("/.test/follow", func(w http.ResponseWriter, r *http.Request) {
		list, _ := json.Marshal(pages)
		fmt.Fprintf(w, followHarness, list)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serve(ctx, ln, harness, io.Discard) }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	mirrorURL := "http://" + ln.Addr().String()

	dom := dumpDOM(t, browser, mirrorURL+"/.test/follow")
	served2 := mirror.snapshot()
	for p, status := range served2 {
		if status >= 400 {
			t.Errorf("the mirror answered %s with %d", p, status)
		}
	}
	checkRequisites(t, out, mirrorURL, pages, served2)
	followed, read := parseFollowed(t, dom)
	if read != len(pages) {
		t.Errorf("the links of %d of the %d pages were read", read, len(pages))
	}
	if len(followed) < 40 {
		t.Errorf("only %d links followed", len(followed))
	}
	// Only these links leave the mirror: URLs that were never saved.
	wantLive := map[string]bool{
		site.URL + "/missing.html":       true, // 404
		site.URL + "/nothere/index.html": true, // a redirect to a 404
		"http://elsewhere.test/":         true, // another site
	}
	live := make(map[string]bool)
	for _, l := range followed {
		u, err := url.Parse(l.resolved)
		if err != nil {
			t.Errorf("%s: link %q: %v", l.page, l.href, err)
			continue
		}
		if u.Host == ln.Addr().String() {
			continue
		}
		u.Fragment = ""
		live[u.String()] = true
		if !wantLive[u.String()] {
			t.Errorf("%s: link %q leaves the mirror for %s", l.page, l.href, l.resolved)
		}
	}
	for u := range wantLive {
		if !live[u] {
			t.Errorf("no link to %s, never saved, stayed absolute", u)
		}
	}
	// The original site got exactly the requests for those links.
	wantRequests := map[string]int{"/missing.html": 404, "/nothere/index.html": 301, "/nothere/": 404}
	if got := original.snapshot(); !maps.Equal(got, wantRequests) {
		t.Errorf("following the links sent these requests to the original site: %v; want %v", got, wantRequests)
	}
	t.Logf("crawl fetched %d URLs; Chromium loaded %d pages, followed %d links (%d of them to the web) and loaded %d files from the mirror",
		fetched, len(pages), len(followed), len(live), len(served2))
}

// followHarness is a page that loads every page of a mirror (the %s is a
// JSON list of their paths) in a frame, then every http(s) link of each
// in another frame, as the browser resolves it. It lists what it followed
// in <pre id=followed>: a line "page TAB href TAB resolved URL" for each
// link, and "page TAB read" once a page's links are read.
const followHarness = `<!DOCTYPE html><title>every link</title><link rel=icon href="data:,">
<pre id=followed></pre>
<script>
const out = document.getElementById('followed');
const opened = new Set();
function open(src, onload) {
  const f = document.createElement('iframe');
  f.src = src;
  if (onload) f.onload = () => onload(f);
  document.body.append(f);
}
for (const page of %s) {
  open(page, f => {
    for (const a of f.contentDocument.querySelectorAll('a[href]')) {
      const u = new URL(a.href);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') continue;
      out.append(page + '\t' + a.getAttribute('href') + '\t' + a.href + '\n');
      if (!opened.has(a.href)) {
        opened.add(a.href);
        open(a.href);
      }
    }
    out.append(page + '\tread\n');
  });
}
</script>`

// link is a link that Chromium followed.
type link struct{ page, href, resolved string }

// parseFollowed reads the list that followHarness printed: the links, and
// how many pages had their links read.
func parseFollowed(t *testing.T, dom string) ([]link, int) {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(dom))
	if err != nil {
		t.Fatal(err)
	}
	var links []link
	read := 0
	for line := range strings.Lines(doc.Find("#followed").Text()) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		switch {
		case len(f) == 2 && f[1] == "read":
			read++
		case len(f) == 3:
			links = append(links, link{f[0], f[1], f[2]})
		default:
			t.Errorf("harness printed %q", line)
		}
	}
	return links, read
}

// dumpDOM opens page in headless Chromium and returns its DOM once it has
// loaded, frames and their scripts' work included.
func dumpDOM(t *testing.T, browser, page string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--no-first-run", "--no-default-browser-check",
		"--disable-features=Translate,MediaRouter,OptimizationHints",
		"--user-data-dir="+t.TempDir(),
		// Names other than localhost resolve nowhere: the test never
		// reaches the internet, whatever a page links to.
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
		"--virtual-time-budget=10000",
		"--dump-dom", page)
	var dom, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &dom, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errs.String())
	}
	return dom.String()
}

// checkRequisites checks that each page's images, stylesheets and scripts
// were loaded from the mirror (served holds its answers), and the
// stylesheets' own imports and images.
func checkRequisites(t *testing.T, out, mirrorURL string, pages []string, served map[string]int) {
	t.Helper()
	mirrorHost := strings.TrimPrefix(mirrorURL, "http://")
	checked := 0
	for _, p := range pages {
		rel, err := url.PathUnescape(strings.TrimPrefix(p, "/"))
		if err != nil {
			t.Fatal(err)
		}
		body, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		base, _ := url.Parse(mirrorURL + p)
		doc.Find(`img, link[rel~="stylesheet"], script[src]`).Each(func(_ int, s *goquery.Selection) {
			var candidates []string
			for _, attr := range []string{"src", "href"} {
				if v, ok := s.Attr(attr); ok {
					candidates = append(candidates, v)
				}
			}
			if v, ok := s.Attr("srcset"); ok {
				for _, c := range strings.Split(v, ",") {
					if f := strings.Fields(c); len(f) > 0 {
						candidates = append(candidates, f[0])
					}
				}
			}
			loaded := false
			for _, c := range candidates {
				u, err := base.Parse(c)
				if err != nil {
					continue
				}
				if u.Host != mirrorHost {
					t.Errorf("%s: %s points off the mirror: %s", p, goquery.NodeName(s), u)
					continue
				}
				if status, ok := served[u.Path]; ok && status < 400 {
					loaded = true
				}
			}
			if !loaded {
				t.Errorf("%s: %s %v was not loaded from the mirror", p, goquery.NodeName(s), candidates)
			}
			checked++
		})
	}
	if checked < 8 {
		t.Errorf("only %d images, stylesheets and scripts checked", checked)
	}
	for _, p := range []string{"/css/reset.css", "/img/bg.png"} {
		found := false
		for got := range served {
			if strings.HasSuffix(got, p) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s, which a stylesheet loads, was not requested from the mirror", p)
		}
	}
}

// escapePath escapes a mirror path for a URL, segment by segment.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}
