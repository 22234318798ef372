package main

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/store"
)

// TestFewBrokenEndpoints crawls, with the default flags (the adaptive
// throttle on), one host that serves 2,000 healthy pages and 10 URLs that
// always fail: 5 answer 503 with Retry-After: 3, 5 answer 429. The crawl
// must end (the throttle slows the host for overload, not for a few bad
// URLs), store every healthy page, and record each broken URL once, as a
// failure after its retries. How much the throttle costs against
// --throttle=false is measured on the limiter's injected clock
// (ratelimit's TestSim), not here.
func TestFewBrokenEndpoints(t *testing.T) {
	const pages = 2000
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/robots.txt":
			http.NotFound(w, r)
		case strings.HasPrefix(p, "/busy/"):
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusServiceUnavailable)
		case strings.HasPrefix(p, "/limited/"):
			w.WriteHeader(http.StatusTooManyRequests)
		case strings.HasPrefix(p, "/p/"):
			i, err := strconv.Atoi(p[len("/p/"):])
			if err != nil || i >= pages {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html")
			for c := 10*i + 1; c <= 10*i+10 && c < pages; c++ {
				fmt.Fprintf(w, `<a href="/p/%d">%d</a>`, c, c)
			}
			if i < 5 { // the broken URLs hang off the first pages
				fmt.Fprintf(w, `<a href="/busy/%d">busy</a><a href="/limited/%d">limited</a>`, i, i)
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	out := t.TempDir()
	cmd := exec.Command(os.Args[0], "-o", out, "-q", "--depth", "10", srv.URL+"/p/0")
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	done := make(chan error, 1)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(3 * time.Minute): // a bound on the test, not a speed claim
		cmd.Process.Kill()
		t.Fatalf("the crawl did not end in 3 minutes\n%s", stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != exitFailures {
		t.Errorf("exit %d; want %d (10 URLs failed)\n%s", code, exitFailures, stderr.String())
	}
	f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ok, failed := 0, map[string]*store.Record{}
	store.ReadManifest(bufio.NewReader(f), func(r *store.Record) error {
		switch {
		case r.Error == "":
			ok++
		case r.ErrorKind == outcome.Missing: // the host's /sitemap.xml
		default:
			failed[strings.TrimPrefix(r.URL, srv.URL)] = r
		}
		return nil
	})
	if ok != pages {
		t.Errorf("%d pages stored; want all %d", ok, pages)
	}
	for i := range 5 {
		for _, c := range []struct {
			path string
			kind outcome.Kind
		}{{"/busy/", "http_5xx"}, {"/limited/", "http_4xx"}} {
			r := failed[c.path+strconv.Itoa(i)]
			if r == nil || r.ErrorKind != c.kind || r.Attempts != 4 {
				t.Errorf("%s%d: %+v; want %s after 4 attempts", c.path, i, r, c.kind)
			}
		}
	}
	if len(failed) != 10 {
		t.Errorf("%d failures; want the 10 broken URLs", len(failed))
	}
}

// TestSmallSiteBrokenEndpoints crawls, with the default flags, a small
// site whose home page links to 40 pages and to 10 URLs that always
// answer 503 (a footer of dead links): the broken URLs are a quarter of
// the site, and their retries are all that is left at the end. The crawl
// must record the 40 pages and the 10 failures, after their retries, and
// end: it took over 3 minutes when the retries slowed the host to a
// request every 10 s, against 10 s with --throttle=false.
func TestSmallSiteBrokenEndpoints(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/":
			w.Header().Set("Content-Type", "text/html")
			for i := range 40 {
				fmt.Fprintf(w, `<a href="/p/%d">%d</a>`, i, i)
			}
			for i := range 10 {
				fmt.Fprintf(w, `<a href="/dead/%d">dead</a>`, i)
			}
		case strings.HasPrefix(p, "/p/"):
			fmt.Fprint(w, "page")
		case strings.HasPrefix(p, "/dead/"):
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	out := t.TempDir()
	cmd, stderr, done := startCrawl(t, "-q", "--depth", "1", "-o", out, srv.URL+"/")
	select {
	case <-done:
	case <-time.After(90 * time.Second): // a bound on the test, not a speed claim
		cmd.Process.Kill()
		t.Fatalf("the crawl did not end in 90 s\n%s", stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != exitFailures {
		t.Errorf("exit %d; want %d (10 URLs failed)\n%s", code, exitFailures, stderr.String())
	}
	ok, failed := 0, 0
	for u, r := range readManifest(t, out) {
		switch {
		case strings.Contains(u, "/p/") && r.Status == http.StatusOK:
			ok++
		case strings.Contains(u, "/dead/") && r.ErrorKind == outcome.HTTP5xx && r.Attempts == 4:
			failed++
		}
	}
	if ok != 40 || failed != 10 {
		t.Errorf("%d pages saved, %d dead URLs failed after 4 attempts; want 40 and 10", ok, failed)
	}
}
