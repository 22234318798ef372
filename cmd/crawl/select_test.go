package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// readRecords returns the records of out's records.jsonl by URL, and how
// many lines it has.
func readRecords(t *testing.T, out string) (map[string]map[string]any, int) {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "records.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs := map[string]map[string]any{}
	lines := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("records.jsonl: %v", err)
		}
		recs[fmt.Sprint(r["url"])] = r
		lines++
	}
	return recs, lines
}

// TestSelectLater scrapes a site the way a user refines a scraper: a
// first run without --select, then the crawl extended with --select, then
// run again with one more field. Every HTML page gets its record, those
// saved by an earlier run too (read from disk, not fetched again), and a
// changed --select gives records of the new fields for every page, the
// earlier records kept aside; the same command once more does nothing.
func TestSelectLater(t *testing.T) {
	var mu sync.Mutex
	fetched := map[string]int{}
	count := func(p string) int {
		mu.Lock()
		defer mu.Unlock()
		return fetched[p]
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetched[r.URL.Path]++
		mu.Unlock()
		if r.URL.Path == "/robots.txt" || r.URL.Path == "/sitemap.xml" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<title>T%s</title><h1>H%s</h1>`, r.URL.Path, r.URL.Path)
		if r.URL.Path == "/" {
			fmt.Fprint(w, `<a href="/a">a</a><a href="/b">b</a>`)
		}
	}))
	defer srv.Close()
	out := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		code, stderr := runProcess(t, append([]string{"-o", out, "--robots=false"}, append(args, srv.URL+"/")...)...)
		if code != exitOK {
			t.Fatalf("crawl %v: exit %d\n%s", args, code, stderr)
		}
		return stderr
	}
	run("--depth", "0")
	run("--depth", "1", "--select", "title=title")
	recs, lines := readRecords(t, out)
	for _, p := range []string{"/", "/a", "/b"} {
		if r := recs[srv.URL+p]; r == nil || r["title"] != "T"+p {
			t.Errorf("%s: record %v, want its title", p, r)
		}
	}
	if lines != 3 || count("/") != 1 {
		t.Errorf("%d records, / fetched %d times; want 3 and once", lines, count("/"))
	}

	stderr := run("--depth", "1", "--select", "title=title", "--select", "h=h1")
	if !strings.Contains(stderr, "other --select fields") {
		t.Errorf("the run does not say what changed:\n%s", stderr)
	}
	recs, lines = readRecords(t, out)
	for _, p := range []string{"/", "/a", "/b"} {
		if r := recs[srv.URL+p]; r == nil || r["title"] != "T"+p || r["h"] != "H"+p {
			t.Errorf("%s: record %v, want its title and h1", p, r)
		}
	}
	if lines != 3 || count("/a") != 1 {
		t.Errorf("%d records, /a fetched %d times; want 3 and once", lines, count("/a"))
	}
	kept, _ := filepath.Glob(filepath.Join(out, "records*.jsonl"))
	if len(kept) != 2 {
		t.Errorf("records files %v; want records.jsonl and the earlier records kept aside", kept)
	}

	if stderr := run("--depth", "1", "--select", "title=title", "--select", "h=h1"); !strings.Contains(stderr, "nothing to do") {
		t.Errorf("the same command again:\n%s", stderr)
	}
	if _, n := readRecords(t, out); n != 3 {
		t.Errorf("%d records after a run with nothing to do; want 3", n)
	}

	// -N fetches the pages again (no validators): one record per page
	// still, the latest, however many times.
	for range 2 {
		run("-N", "--depth", "1", "--select", "title=title", "--select", "h=h1")
	}
	if recs, n := readRecords(t, out); n != 3 || recs[srv.URL+"/a"]["h"] != "H/a" {
		t.Errorf("%d records after two -N runs; want 3", n)
	}

	// Back to the first fields, then other ones again: each change keeps
	// the records it replaces, under a name of its own.
	run("--depth", "1", "--select", "title=title")
	run("--depth", "1", "--select", "h=h1")
	if recs, n := readRecords(t, out); n != 3 || recs[srv.URL+"/b"]["h"] != "H/b" {
		t.Errorf("%d records after changing the fields twice more; want 3 of h", n)
	}
	if kept, _ := filepath.Glob(filepath.Join(out, "records*.jsonl")); len(kept) != 4 {
		t.Errorf("records files %v; want records.jsonl and the 3 sets kept aside", kept)
	}
}
