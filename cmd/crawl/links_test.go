package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLinkGraph crawls testdata/site with --links, as a user checking a
// site for broken links would: the graph has a line for each link with
// what became of it, the summary names the broken link and the page that
// holds it, and the exit status is 1.
func TestLinkGraph(t *testing.T) {
	srv := siteServer(t)
	dir := t.TempDir()
	graph := filepath.Join(dir, "links.jsonl")
	code, stderr := crawlArgs(t, "-o", filepath.Join(dir, "out"), "--retries", "0", "--depth", "3", "--links", graph, srv.URL+"/")
	if code != exitFailures {
		t.Errorf("exit %d; want %d (a broken link)\n%s", code, exitFailures, stderr)
	}
	if !strings.Contains(stderr, srv.URL+"/missing.html: http 404 not found\n    linked from "+srv.URL+"/") {
		t.Errorf("the summary does not name the broken link and the page holding it:\n%s", stderr)
	}
	f, err := os.Open(graph)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type edge struct {
		From, To, Source, Kind, Why string
		Followed                    bool
	}
	var edges []edge
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e edge
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		edges = append(edges, e)
	}
	find := func(to string) *edge {
		for i := range edges {
			if strings.HasSuffix(edges[i].To, to) {
				return &edges[i]
			}
		}
		return nil
	}
	for _, tt := range []struct {
		to       string
		followed bool
		why      string
	}{
		{"/missing.html", true, ""},
		{"/deep/level4.html", false, "too_deep"},
		{"/index.html", true, ""}, // a redirect to /, found as a link
	} {
		e := find(tt.to)
		if e == nil {
			t.Errorf("no line for a link to %s", tt.to)
			continue
		}
		if e.Followed != tt.followed || tt.why != "" && e.Why != tt.why || e.From == "" || e.Kind == "" {
			t.Errorf("link to %s: %+v; want followed %v, why %q", tt.to, *e, tt.followed, tt.why)
		}
	}
	if len(edges) < 40 {
		t.Errorf("%d links in the graph; the site has more", len(edges))
	}
}

// TestDiscoverAll crawls the discovery fixture as a user scanning a site
// for every endpoint would, with --discover all and --links: the graph
// holds links found in scripts, with the call they are an argument of,
// and the targets only a scanner finds are fetched.
func TestDiscoverAll(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir("../../testdata/discover")))
	defer srv.Close()
	dir := t.TempDir()
	graph := filepath.Join(dir, "links.jsonl")
	for _, mode := range []string{"page", "all"} {
		code, stderr := crawlArgs(t, "-o", filepath.Join(dir, mode), "-q", "--retries", "0", "--depth", "3",
			"--discover", mode, "--links", graph, srv.URL+"/")
		if code != exitOK && code != exitFailures {
			t.Fatalf("--discover %s: exit %d\n%s", mode, code, stderr)
		}
		b, err := os.ReadFile(graph)
		if err != nil {
			t.Fatal(err)
		}
		found := strings.Contains(string(b), `"source":"js:fetch"`)
		if found != (mode == "all") {
			t.Errorf("--discover %s: a link found by a fetch() call in the graph: %v", mode, found)
		}
	}
}
