package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/crawl-go/crawl/outcome"
)

// TestRobotsAfterRedirect crawls a site whose robots.txt disallows a
// folder that redirects lead into: from a given URL, from a link, and to
// another host. robots.txt decides for every URL crawl asks for, each
// redirect hop included (the other host's robots.txt is read first), so
// nothing in the folder is ever requested, and each redirecting URL is
// recorded as disallowed.
func TestRobotsAfterRedirect(t *testing.T) {
	var mu sync.Mutex
	var got []string // host and path of each request, in order
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := strings.Split(r.Host, ":")[0]
		mu.Lock()
		got = append(got, host+r.URL.Path)
		mu.Unlock()
		port := r.Host[strings.LastIndexByte(r.Host, ':'):]
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
		case "/page":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<a href="/go-link">go</a>`)
		case "/go-seed":
			http.Redirect(w, r, "/private/seed", http.StatusFound)
		case "/go-link":
			http.Redirect(w, r, "/private/link", http.StatusMovedPermanently)
		case "/go-other":
			http.Redirect(w, r, "http://localhost"+port+"/private/other", http.StatusFound)
		default:
			fmt.Fprint(w, "secret")
		}
	}))
	defer srv.Close()
	out := t.TempDir()
	code, stderr := runProcess(t, "--depth", "1", "--no-follow-sitemaps", "-o", out, srv.URL+"/page", srv.URL+"/go-seed", srv.URL+"/go-other")
	if code != exitOK {
		t.Errorf("exit %d, want 0:\n%s", code, stderr)
	}
	mu.Lock()
	requests := got
	mu.Unlock()
	otherRobots := false
	for _, r := range requests {
		if strings.Contains(r, "/private/") {
			t.Errorf("requested %s, which robots.txt disallows; requests: %v", r, requests)
		}
		otherRobots = otherRobots || r == "localhost/robots.txt"
	}
	if !otherRobots {
		t.Errorf("the other host's robots.txt was not read: %v", requests)
	}
	recs := readManifest(t, out)
	for _, p := range []string{"/go-seed", "/go-link", "/go-other"} {
		r := recs[srv.URL+p]
		if r == nil || r.ErrorKind != outcome.Robots || !strings.Contains(r.Error, "/private/") {
			t.Errorf("%s: %+v, want disallowed by robots.txt, naming the target", p, r)
		}
	}
	if !strings.Contains(stderr, srv.URL+"/go-seed redirects to "+srv.URL+"/private/seed, which robots.txt disallows") {
		t.Errorf("no word of the given URL that robots.txt disallows:\n%s", stderr)
	}
}
