package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// countingSite answers /ok with a page, /gone with 404, and /flaky with
// 503 and /busy with 429 until healed; it counts the requests per path.
type countingSite struct {
	healed atomic.Bool
	mu     sync.Mutex
	hits   map[string]int
}

func (s *countingSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	s.mu.Unlock()
	switch {
	case r.URL.Path == "/gone":
		http.NotFound(w, r)
	case r.URL.Path == "/flaky" && !s.healed.Load():
		http.Error(w, "down", http.StatusServiceUnavailable)
	case r.URL.Path == "/busy" && !s.healed.Load():
		w.Header().Set("Retry-After", "0")
		http.Error(w, "busy", http.StatusTooManyRequests)
	case strings.HasPrefix(r.URL.Path, "/slow/"):
		time.Sleep(150 * time.Millisecond) // bounded: one per request
		w.Write([]byte("slow"))
	default:
		w.Write([]byte("page " + r.URL.Path))
	}
}

func (s *countingSite) take() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hits
	s.hits = map[string]int{}
	return h
}

// interruptWhen runs the real command with args, interrupts it (SIGINT)
// when signal receives, and waits for it to stop.
func interruptWhen(t *testing.T, signal <-chan struct{}, args ...string) {
	t.Helper()
	cmd, stderr, done := startCrawl(t, args...)
	select {
	case <-signal:
		cmd.Process.Signal(syscall.SIGINT)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no progress:\n%s", stderr.String())
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("crawl did not stop after SIGINT")
	}
}

// runProcess runs the real command with args to its end and returns its
// exit status and what it printed on stderr.
func runProcess(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd, stderr, done := startCrawl(t, args...)
	select {
	case err := <-done:
		var exit *exec.ExitError
		switch {
		case err == nil:
			return 0, stderr.String()
		case errors.As(err, &exit):
			return exit.ExitCode(), stderr.String()
		}
		t.Fatalf("crawl %v: %v", args, err)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("crawl %v did not finish:\n%s", args, stderr.String())
	}
	return 0, ""
}

// TestRerunRetriesFailures runs a URL list whose site is partly down (503,
// 429) and has a broken link (404), then the same command once the site is
// back, as a wget user does to get what failed: the second run fetches the
// URLs that failed for want of an answer, and only them; the 404 stands,
// so both runs, and a third with nothing left to do, exit with status 1
// and say why.
func TestRerunRetriesFailures(t *testing.T) {
	site := &countingSite{hits: map[string]int{}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	out := t.TempDir()
	args := []string{"--robots=false", "--retries", "0", "-o", out,
		srv.URL + "/ok", srv.URL + "/flaky", srv.URL + "/busy", srv.URL + "/gone"}

	code, stderr := runProcess(t, args...)
	if code != exitFailures {
		t.Fatalf("first run: exit %d; want %d\n%s", code, exitFailures, stderr)
	}
	site.take()

	site.healed.Store(true)
	code, stderr = runProcess(t, args...)
	hits := site.take()
	if hits["/flaky"] != 1 || hits["/busy"] != 1 || hits["/ok"] != 0 || hits["/gone"] != 0 {
		t.Errorf("second run requested %v; want /flaky and /busy once each, nothing else", hits)
	}
	if !strings.Contains(stderr, "trying again 2 URLs that failed") {
		t.Errorf("second run does not say what it tries again:\n%s", stderr)
	}
	if code != exitFailures || !strings.Contains(stderr, "1 failed earlier") {
		t.Errorf("second run: exit %d; want %d, and the 404 of the first run named\n%s", code, exitFailures, stderr)
	}
	recs := readManifest(t, out)
	for _, p := range []string{"/ok", "/flaky", "/busy"} {
		if r := recs[srv.URL+p]; r == nil || r.Error != "" || r.Path == "" {
			t.Errorf("the latest line of %s is not a saved page: %+v", p, r)
		}
	}
	if r := recs[srv.URL+"/gone"]; r == nil || r.Status != http.StatusNotFound {
		t.Errorf("the latest line of /gone is not its 404: %+v", r)
	}

	code, stderr = runProcess(t, args...)
	if hits := site.take(); len(hits) != 0 {
		t.Errorf("third run requested %v; want nothing", hits)
	}
	if code != exitFailures || !strings.Contains(stderr, "nothing to do") || !strings.Contains(stderr, "1 of them failed") {
		t.Errorf("third run: exit %d; want %d, nothing to do, and the failure named\n%s", code, exitFailures, stderr)
	}
}

// TestResumeCountsEarlierFailures interrupts a URL list after its broken
// link was recorded, then runs the same command: the resumed run finishes
// the list and exits with status 1, since the crawl it finishes has a
// failure, and its summary says so.
func TestResumeCountsEarlierFailures(t *testing.T) {
	site := &countingSite{hits: map[string]int{}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	out := t.TempDir()
	args := []string{"--robots=false", "--retries", "0", "--workers", "1", "-o", out, srv.URL + "/gone"}
	for i := range 20 {
		args = append(args, srv.URL+"/slow/"+string(rune('a'+i)))
	}
	cmd, stderr, done := startCrawl(t, args...)
	deadline := time.Now().Add(30 * time.Second)
	for {
		site.mu.Lock()
		n := site.hits["/slow/b"]
		site.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the list did not get to /slow/b:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("crawl did not stop after SIGINT")
	}
	if r := readManifest(t, out)[srv.URL+"/gone"]; r == nil || r.Status != http.StatusNotFound {
		t.Fatalf("the interrupted run did not record the 404: %+v\n%s", r, stderr.String())
	}
	site.take()

	code, rerr := runProcess(t, args...)
	if hits := site.take(); hits["/gone"] != 0 || hits["/slow/t"] != 1 {
		t.Errorf("the resumed run requested %v; want the rest of the list, not /gone", hits)
	}
	if code != exitFailures || !strings.Contains(rerr, "1 failed earlier") {
		t.Errorf("resumed run: exit %d; want %d, and the 404 named\n%s", code, exitFailures, rerr)
	}
}

// TestKillLeavesNoTempFiles kills a crawl with SIGKILL while it streams a
// body larger than memory holds to DIR/.crawl/tmp, then runs the same
// command: the second run finishes the download, and removes the file the
// dead process left, so no hidden copy of the body stays behind.
func TestKillLeavesNoTempFiles(t *testing.T) {
	body := bigBody(12 << 20) // over the 8 MiB that are streamed to disk
	var whole atomic.Bool
	sent := make(chan struct{}, 1)
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/big.bin" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if whole.Load() {
			w.Write(body)
			return
		}
		w.Write(body[:10<<20])
		w.(http.Flusher).Flush()
		select {
		case sent <- struct{}{}:
		default:
		}
		select { // the rest never comes, until the test ends
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	out := t.TempDir()
	args := []string{"--robots=false", "--retries", "0", "-q", "-o", out, srv.URL + "/big.bin"}
	tmp := filepath.Join(out, ".crawl", "tmp")
	cmd, stderr, done := startCrawl(t, args...)
	select {
	case <-sent:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the download did not start:\n%s", stderr.String())
	}
	// The body reaches the spill file as it arrives: wait for most of it.
	waitFor(t, "the body streamed to .crawl/tmp", func() bool {
		ents, _ := os.ReadDir(tmp)
		for _, e := range ents {
			if fi, err := e.Info(); err == nil && fi.Size() >= 9<<20 {
				return true
			}
		}
		return false
	})
	cmd.Process.Kill()
	<-done

	whole.Store(true)
	if code, stderr := runProcess(t, args...); code != 0 {
		t.Fatalf("the second run: exit %d\n%s", code, stderr)
	}
	got, err := os.ReadFile(filepath.Join(hostDir(out, srv), "big.bin"))
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("big.bin: %d bytes, %v; want the whole body", len(got), err)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf(".crawl/tmp still holds %v", names)
	}
}

// TestResumeKeepsMaxPages interrupts a crawl limited by --max-pages, then
// runs the same command: the two runs together fetch at most the budget,
// as one uninterrupted crawl does.
func TestResumeKeepsMaxPages(t *testing.T) {
	const budget = 30
	interrupt := make(chan struct{}, 1)
	srv, site := newTreeSite(t, 400, 4, func(total int) {
		if total == 10 {
			interrupt <- struct{}{}
		}
		time.Sleep(10 * time.Millisecond) // bounded: once a request
	})
	out := t.TempDir()
	args := []string{"--robots=false", "--workers", "2", "--depth", "100", "--max-pages", "30", "-q", "-o", out, srv.URL + "/p/0"}
	interruptWhen(t, interrupt, args...)
	if code, stderr := runProcess(t, args...); code != 0 {
		t.Fatalf("the resumed run: exit %d\n%s", code, stderr)
	}
	served, total := site.counts()
	if n := len(readManifest(t, out)); n != budget {
		t.Errorf("the manifest has %d URLs; want the budget, %d", n, budget)
	}
	if len(served) > budget {
		t.Errorf("%d URLs requested (%d requests); want at most %d", len(served), total, budget)
	}
}

// TestResumeKeepsLinkGraph interrupts a crawl that writes its link graph
// (--links), then runs the same command: the graph holds the links of the
// whole crawl, as an uninterrupted crawl's does, not only the resumed
// part's.
func TestResumeKeepsLinkGraph(t *testing.T) {
	interrupt := make(chan struct{}, 1)
	var at atomic.Int64 // the request to interrupt at
	at.Store(-1)
	srv, site := newTreeSite(t, 120, 4, func(total int) {
		if int64(total) == at.Load() {
			interrupt <- struct{}{}
		}
		time.Sleep(5 * time.Millisecond) // bounded: once a request
	})
	edges := func(path string) map[string]bool {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var e struct{ From, To string }
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("a line of the graph: %v: %q", err, line)
			}
			m[e.From+" "+e.To] = true
		}
		return m
	}
	whole := filepath.Join(t.TempDir(), "whole.jsonl")
	base := []string{"--robots=false", "--workers", "2", "--depth", "100", "-q"}
	if code, stderr := runProcess(t, append(base, "-o", t.TempDir(), "--links", whole, srv.URL+"/p/0")...); code != 0 {
		t.Fatalf("the uninterrupted crawl: exit %d\n%s", code, stderr)
	}
	_, total := site.counts()
	at.Store(int64(total) + 30)

	out := t.TempDir()
	graph := filepath.Join(t.TempDir(), "links.jsonl")
	args := append(base, "-o", out, "--links", graph, srv.URL+"/p/0")
	interruptWhen(t, interrupt, args...)
	if code, stderr := runProcess(t, args...); code != 0 {
		t.Fatalf("the resumed run: exit %d\n%s", code, stderr)
	}
	want, got := edges(whole), edges(graph)
	for e := range want {
		if !got[e] {
			t.Errorf("the resumed crawl's graph lacks %s (%d edges of %d)", e, len(got), len(want))
			break
		}
	}
}

// TestLinksFromRedirectTarget crawls a site whose start URL redirects to
// the page that holds a broken link: the summary, the manifest and the
// link graph name that page as where the link is, not the redirect.
func TestLinksFromRedirectTarget(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			http.Redirect(w, r, "/final.html", http.StatusFound)
		case "/final.html":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<a href="/broken.html">a broken link</a>`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	out := t.TempDir()
	graph := filepath.Join(t.TempDir(), "links.jsonl")
	code, stderr := runProcess(t, "--robots=false", "--retries", "0", "--depth", "2", "-o", out, "--links", graph, srv.URL+"/start")
	if code != exitFailures || !strings.Contains(stderr, "linked from "+srv.URL+"/final.html") {
		t.Errorf("exit %d; want %d and the broken link named with its page\n%s", code, exitFailures, stderr)
	}
	if r := readManifest(t, out)[srv.URL+"/broken.html"]; r == nil || r.Parent != srv.URL+"/final.html" {
		t.Errorf("the broken link's line: %+v; want parent %s/final.html", r, srv.URL)
	}
	b, err := os.ReadFile(graph)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"from":"`+srv.URL+`/final.html","to":"`+srv.URL+`/broken.html"`) {
		t.Errorf("the graph does not have the link from /final.html:\n%s", b)
	}
}

// TestSitemapAlone runs crawl with a sitemap and nothing else, as its help
// says it can be: the URLs the sitemap lists are fetched (at depth 1, so
// their own links are not followed without --depth).
func TestSitemapAlone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srvURL := "http://" + r.Host
		switch r.URL.Path {
		case "/sitemap.xml":
			w.Header().Set("Content-Type", "application/xml")
			w.Write([]byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` +
				`<url><loc>` + srvURL + `/a.html</loc></url><url><loc>` + srvURL + `/b.html</loc></url></urlset>`))
		case "/a.html", "/b.html", "/c.html":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<a href="/c.html">c</a>`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	out := t.TempDir()
	code, stderr := runProcess(t, "--robots=false", "-o", out, "--sitemap", srv.URL+"/sitemap.xml")
	recs := readManifest(t, out)
	if code != 0 || recs[srv.URL+"/a.html"] == nil || recs[srv.URL+"/b.html"] == nil {
		t.Errorf("exit %d, manifest %d lines; want /a.html and /b.html fetched\n%s", code, len(recs), stderr)
	}
	if recs[srv.URL+"/c.html"] != nil {
		t.Errorf("/c.html, a link of the sitemap's pages, was fetched without --depth")
	}
}
