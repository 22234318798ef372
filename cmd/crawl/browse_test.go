package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
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
// opens every page in headless Chromium: every image, stylesheet and
// script of every page must load from the mirror, and no request may go to
// the original site.
func TestBrowseMirror(t *testing.T) {
	browser := chromium(t)
	var original requestLog
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir("../../testdata/site")))
	var site *httptest.Server
	// A page whose links are absolute URLs of the site, which a browser
	// would follow to the site unless they are converted.
	mux.HandleFunc("/absolute", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<link rel=stylesheet href="%[1]s/css/site.css"><script src="%[1]s/js/app.js"></script>
<img src="%[1]s/img/logo.png"> <a href="%[1]s/about.html">about</a>`, site.URL)
	})
	site = httptest.NewServer(original.wrap(mux))
	defer site.Close()
	out := t.TempDir()
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"-o", out, "--depth", "10", "-k", "-E", "--retries", "0", site.URL + "/", site.URL + "/absolute"},
		nil, &bytes.Buffer{}, &stderr)
	if code != exitOK && code != exitFailures { // the site links to a missing page
		t.Fatalf("crawl: exit %d: %s", code, stderr.String())
	}
	fetched := len(original.snapshot())
	original.mu.Lock()
	original.seen = nil
	original.mu.Unlock()

	// The mirror, served by crawl serve's handler.
	var mirror requestLog
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serve(ctx, ln, mirror.wrap(dirHandler(out))) }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	mirrorURL := "http://" + ln.Addr().String()

	// Every page of the mirror, in an iframe of one harness page.
	recs := lastRun(t, out)
	var pages []string
	for _, r := range recs {
		if r.Path != "" && parse.Classify(r.ContentType) == parse.TypeHTML {
			pages = append(pages, r.Path)
		}
	}
	if len(pages) < 10 {
		t.Fatalf("the mirror has %d pages", len(pages))
	}
	var harness strings.Builder
	for _, p := range pages {
		fmt.Fprintf(&harness, "<iframe src=\"%s/%s\"></iframe>\n", mirrorURL, html.EscapeString(escapePath(p)))
	}
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<!DOCTYPE html><title>all pages</title>%s", harness.String())
	}))
	defer h.Close()

	runCtx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(runCtx, browser,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--no-first-run", "--no-default-browser-check",
		"--disable-features=Translate,MediaRouter,OptimizationHints",
		"--user-data-dir="+t.TempDir(),
		// Names other than localhost resolve nowhere: the test never
		// reaches the internet, whatever a page links to.
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
		"--virtual-time-budget=10000",
		"--dump-dom", h.URL+"/")
	var dom, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &dom, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errs.String())
	}
	if !strings.Contains(dom.String(), "<iframe") {
		t.Fatalf("chromium printed no page: %s", dom.String())
	}

	if got := original.snapshot(); len(got) > 0 {
		t.Errorf("browsing the mirror sent %d requests to the original site: %v", len(got), got)
	}
	served2 := mirror.snapshot()
	for p, status := range served2 {
		if status >= 400 {
			t.Errorf("the mirror answered %s with %d", p, status)
		}
	}
	// Each page's images, stylesheets and scripts were loaded.
	checked := 0
	for _, p := range pages {
		body, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		base, _ := url.Parse(mirrorURL + "/" + escapePath(p))
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
				if u.Host != ln.Addr().String() {
					t.Errorf("%s: %s points off the mirror: %s", p, goquery.NodeName(s), u)
					continue
				}
				if status, ok := served2[u.Path]; ok && status < 400 {
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
	// The stylesheets' own imports and images were loaded too.
	for _, p := range []string{"/css/reset.css", "/img/bg.png"} {
		found := false
		for got := range served2 {
			if strings.HasSuffix(got, p) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s, which a stylesheet loads, was not requested from the mirror", p)
		}
	}
	t.Logf("crawl fetched %d URLs; Chromium loaded %d pages and %d files from the mirror, 0 from the site", fetched, len(pages), len(served2))
}

// escapePath escapes a mirror path for a URL, segment by segment.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}
