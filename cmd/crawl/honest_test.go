package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/store"
)

// TestUnavailableHosts runs crawl, as a process, on the URLs of three
// hosts that cannot be crawled: one that refuses connections, one whose
// robots.txt answers 503 forever, one whose robots.txt never answers. The
// crawl must say it failed (exit 1), give every URL a failure line of the
// right kind, and count the robots.txt attempts (three: --retries 2).
func TestUnavailableHosts(t *testing.T) {
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedURL := "http://" + refused.Addr().String()
	refused.Close() // nothing listens there now

	var mu sync.Mutex
	robotsHits := map[string]int{}
	count := func(name string) {
		mu.Lock()
		robotsHits[name]++
		mu.Unlock()
	}
	unavailable := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			count("503")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		t.Errorf("a page of a host whose robots.txt is unavailable was fetched: %s", r.URL)
	}))
	defer unavailable.Close()
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			count("hang")
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		t.Errorf("a page of a host whose robots.txt hangs was fetched: %s", r.URL)
	}))
	defer hanging.Close()
	defer close(release)

	want := map[string]outcome.Kind{
		refusedURL + "/":        "host_unreachable",
		refusedURL + "/a":       "host_unreachable",
		unavailable.URL + "/":   "robots_unavailable",
		unavailable.URL + "/b":  "robots_unavailable",
		hanging.URL + "/":       "host_unreachable",
		hanging.URL + "/c.html": "host_unreachable",
	}
	out := t.TempDir()
	args := []string{"-o", out, "-q", "--retries", "2", "--max-retry-wait", "50ms", "--read-timeout", "300ms"}
	for u := range want {
		args = append(args, u)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	stderr, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != exitFailures {
		t.Fatalf("exit %d (%v); want %d\n%s", code, err, exitFailures, stderr)
	}
	for _, k := range []string{"host_unreachable 4", "robots_unavailable 2"} {
		if !strings.Contains(string(stderr), k) {
			t.Errorf("stderr does not count %q, although -q prints errors:\n%s", k, stderr)
		}
	}
	// Each failure names its URL, as a failed fetch does.
	for u := range want {
		if !strings.Contains(string(stderr), "fetch "+u+": robots.txt unreachable") {
			t.Errorf("stderr does not name %s as unfetched for its robots.txt:\n%s", u, stderr)
		}
	}
	f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]*store.Record{}
	store.ReadManifest(bufio.NewReader(f), func(r *store.Record) error {
		got[r.URL] = r
		return nil
	})
	for u, kind := range want {
		r := got[u]
		switch {
		case r == nil:
			t.Errorf("%s has no manifest line", u)
		case r.ErrorKind != kind || r.Error == "":
			t.Errorf("%s recorded as %q (%s); want %s", u, r.ErrorKind, r.Error, kind)
		case r.Attempts != 3:
			t.Errorf("%s: %d attempts recorded; want the 3 of its robots.txt", u, r.Attempts)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for name, n := range robotsHits {
		if n != 3 {
			t.Errorf("robots.txt of the %s host fetched %d times; want 3", name, n)
		}
	}
}

// TestDisallowedSeed checks that a URL the user asked for and robots.txt
// disallows is reported on stderr, with the way around it, even with -q;
// it is not a failure.
func TestDisallowedSeed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte("User-agent: *\nDisallow: /private\n"))
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	cmd := exec.Command(os.Args[0], "-o", t.TempDir(), "-q", srv.URL+"/private/page", srv.URL+"/public")
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	done := make(chan struct{})
	var stderr []byte
	go func() { stderr, _ = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("crawl did not end")
	}
	if code := cmd.ProcessState.ExitCode(); code != exitOK {
		t.Errorf("exit %d; want %d\n%s", code, exitOK, stderr)
	}
	msg := string(stderr)
	if !strings.Contains(msg, srv.URL+"/private/page is disallowed by robots.txt") || !strings.Contains(msg, "--robots=false") {
		t.Errorf("stderr does not report the disallowed URL with the way around it:\n%s", msg)
	}
}

// TestQuietProtocolSlip runs crawl -q against a server that sends a body
// after a 204, which net/http's client logs on its own: -q prints only
// errors, and this is none (the URL is fetched and recorded).
func TestQuietProtocolSlip(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer ln.Close()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 10 {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(c)
				for {
					if _, err := http.ReadRequest(br); err != nil {
						return
					}
					c.Write([]byte("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello"))
				}
			}()
		}
	}()
	out := t.TempDir()
	code, stderr := runProcess(t, "-q", "-o", out, "http://"+ln.Addr().String()+"/x")
	if code != exitOK || stderr != "" {
		t.Errorf("exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	if r := readManifest(t, out)["http://"+ln.Addr().String()+"/x"]; r == nil || r.Status != http.StatusNoContent {
		t.Errorf("manifest: %+v, want the 204", r)
	}
}

// TestCatchAllSite crawls a site that answers every path with a page, as
// single-page apps and many CMSs do: the /sitemap.xml crawl asks for on
// its own is then an HTML page, which must not be saved into the mirror
// nor have its links followed, and is recorded as missing, not as a
// failure.
func TestCatchAllSite(t *testing.T) {
	var mu sync.Mutex
	got := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/" {
			fmt.Fprint(w, `<!DOCTYPE html><title>home</title><a href="/a.html">a</a><br>`)
			return
		}
		fmt.Fprint(w, `<!DOCTYPE html><title>app</title><a href="/deep.html">deep</a><br><img src=x.png>`)
	}))
	defer srv.Close()
	out := t.TempDir()
	code, stderr := runProcess(t, "--depth", "1", "-E", "-o", out, srv.URL+"/")
	if code != exitOK {
		t.Fatalf("exit %d, want 0:\n%s", code, stderr)
	}
	mu.Lock()
	if got["/deep.html"] > 0 {
		t.Errorf("followed a link of the page answered for /sitemap.xml: %v", got)
	}
	mu.Unlock()
	r := readManifest(t, out)[srv.URL+"/sitemap.xml"]
	if r == nil || r.Path != "" || r.ErrorKind != outcome.Missing || !strings.Contains(r.Error, "sitemap.xml (text/html; charset=utf-8): read sitemap") || !strings.HasSuffix(r.Error, ": not a sitemap") {
		t.Errorf("/sitemap.xml: %+v, want missing, not a sitemap, no file", r)
	}
	matches, _ := filepath.Glob(filepath.Join(hostDir(out, srv), "sitemap.xml*"))
	if len(matches) > 0 {
		t.Errorf("saved into the mirror: %v", matches)
	}

	// The same page given as a sitemap: the user asked for one, and
	// hears that it is not (exit 1), nothing saved or followed.
	given := t.TempDir()
	code, stderr = runProcess(t, "--sitemap", srv.URL+"/sitemap.xml", "-o", given)
	if code != exitFailures || !strings.Contains(stderr, "not a sitemap") {
		t.Errorf("--sitemap of a page: exit %d, want %d and why:\n%s", code, exitFailures, stderr)
	}
	r = readManifest(t, given)[srv.URL+"/sitemap.xml"]
	if r == nil || r.Path != "" || r.ErrorKind == outcome.Missing || !strings.HasSuffix(r.Error, ": not a sitemap") {
		t.Errorf("--sitemap of a page: %+v, want a failure, not a sitemap, no file", r)
	}
	mu.Lock()
	if got["/deep.html"] > 0 {
		t.Errorf("followed a link of the page given as a sitemap: %v", got)
	}
	mu.Unlock()
}
