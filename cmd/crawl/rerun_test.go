package main

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// pathLog serves testdata/site and records the paths it is asked for,
// robots.txt aside.
type pathLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *pathLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.paths
	l.paths = nil
	return p
}

func newLoggedSite(t *testing.T) (*httptest.Server, *pathLog) {
	t.Helper()
	l := &pathLog{}
	files := http.FileServer(http.Dir("../../testdata/site"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			l.mu.Lock()
			l.paths = append(l.paths, r.URL.RequestURI())
			l.mu.Unlock()
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, l
}

// crawlArgs runs the command with args and returns its exit status and
// what it printed.
func crawlArgs(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	code := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr)
	return code, stderr.String()
}

func set(paths []string) map[string]bool {
	m := map[string]bool{}
	for _, p := range paths {
		m[p] = true
	}
	return m
}

// TestRerunWithMoreDepth runs a crawl with --depth 1, then the same with
// --depth 3, as a user who wants more of a site does: the second run
// fetches exactly what a --depth 3 crawl fetches beyond what the first
// fetched, nothing twice. Run once more, the finished crawl has nothing
// to do.
func TestRerunWithMoreDepth(t *testing.T) {
	srv, log := newLoggedSite(t)
	// What fresh crawls of each depth fetch.
	fresh := map[int][]string{}
	for _, depth := range []string{"1", "3"} {
		crawlArgs(t, "-o", t.TempDir(), "--retries", "0", "--depth", depth, srv.URL+"/")
		fresh[int(depth[0]-'0')] = log.take()
	}

	out := t.TempDir()
	crawlArgs(t, "-o", out, "--retries", "0", "--depth", "1", srv.URL+"/")
	first := log.take()
	if !maps.Equal(set(first), set(fresh[1])) {
		t.Fatalf("--depth 1 fetched %v; a fresh crawl %v", first, fresh[1])
	}
	_, stderr := crawlArgs(t, "-o", out, "--retries", "0", "--depth", "3", srv.URL+"/")
	second := log.take()
	if !strings.Contains(stderr, "extending the crawl") || !strings.Contains(stderr, "--depth 3, was 1") {
		t.Errorf("the second run does not say it extends the crawl:\n%s", stderr)
	}
	want := map[string]bool{}
	for p := range set(fresh[3]) {
		if !set(first)[p] {
			want[p] = true
		}
	}
	if len(want) == 0 {
		t.Fatal("a --depth 3 crawl fetches nothing more than --depth 1: the fixture has changed")
	}
	if len(second) != len(set(second)) {
		t.Errorf("the second run fetched a URL twice: %v", second)
	}
	if got := set(second); !maps.Equal(got, want) {
		t.Errorf("the second run fetched %v\nwant exactly %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	// The manifest records every URL of the --depth 3 crawl once.
	recs := lastLines(t, out)
	if len(recs) != len(set(fresh[3])) {
		t.Errorf("the manifest has %d URLs; a fresh --depth 3 crawl %d", len(recs), len(set(fresh[3])))
	}

	// The site has a broken link: its 404 stands, and the exit status
	// says so.
	code, stderr := crawlArgs(t, "-o", out, "--retries", "0", "--depth", "3", srv.URL+"/")
	if got := log.take(); code != exitFailures || len(got) != 0 || !strings.Contains(stderr, "nothing to do") || !strings.Contains(stderr, "1 of them failed") {
		t.Errorf("re-run of the finished crawl: exit %d, %d requests, stderr:\n%s\nwant exit 1, none, nothing to do and the broken link", code, len(got), stderr)
	}

	// A narrower setting is accepted, says so, and fetches nothing.
	code, stderr = crawlArgs(t, "-o", out, "--retries", "0", "--depth", "2", srv.URL+"/")
	if got := log.take(); code != exitFailures || len(got) != 0 || !strings.Contains(stderr, "narrower") {
		t.Errorf("narrower re-run: exit %d, requests %v, stderr:\n%s", code, got, stderr)
	}
}

// TestRerunWithNewSeeds adds a URL to the -i list of a finished crawl: the
// next run fetches only it and its links that were not fetched yet.
func TestRerunWithNewSeeds(t *testing.T) {
	srv, log := newLoggedSite(t)
	out := t.TempDir()
	list := filepath.Join(t.TempDir(), "urls.txt")
	write := func(paths ...string) {
		var b strings.Builder
		for _, p := range paths {
			b.WriteString(srv.URL + p + "\n")
		}
		if err := os.WriteFile(list, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("/about.html")
	crawlArgs(t, "-o", out, "--retries", "0", "--depth", "1", "-i", list)
	first := set(log.take())

	// What a fresh crawl of the new URL alone fetches.
	write("/blog/")
	crawlArgs(t, "-o", t.TempDir(), "--retries", "0", "--depth", "1", "-i", list)
	alone := set(log.take())

	write("/about.html", "/blog/")
	_, stderr := crawlArgs(t, "-o", out, "--retries", "0", "--depth", "1", "-i", list)
	second := log.take()
	if !strings.Contains(stderr, "1 URL added") {
		t.Errorf("the run does not say a URL was added:\n%s", stderr)
	}
	want := map[string]bool{}
	for p := range alone {
		if !first[p] {
			want[p] = true
		}
	}
	if len(want) == 0 || len(want) == len(alone) {
		t.Fatalf("the two URLs share no links, or all: the fixture has changed (%v, %v)", first, alone)
	}
	if got := set(second); len(second) != len(got) || !maps.Equal(got, want) {
		t.Errorf("the run with a new URL fetched %v\nwant exactly %v", second, slices.Sorted(maps.Keys(want)))
	}
}

// lastLines returns the latest manifest line of each URL in dir.
func lastLines(t *testing.T, dir string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		i := strings.Index(line, `"url":"`)
		j := strings.Index(line[i+7:], `"`)
		urls[line[i+7:i+7+j]] = true
	}
	return urls
}

// TestRerunKeepsArchive runs a finished crawl's command again, with
// --wacz, --warc and --links, as a user who runs the same command twice
// does: nothing to do, and the package, the WARC files and the link graph
// of the first run stay as they were.
func TestRerunKeepsArchive(t *testing.T) {
	srv, _ := newLoggedSite(t)
	out := t.TempDir()
	args := []string{"-o", out, "--retries", "0", "--depth", "1", "--wacz", filepath.Join(out, "site.wacz"),
		"--warc", filepath.Join(out, "arc"), "--links", filepath.Join(out, "links.jsonl"), srv.URL + "/"}
	crawlArgs(t, args...)
	// The files at the top of out (the mirror is in a folder, the
	// state in .crawl).
	top := func() []string {
		var files []string
		entries, _ := os.ReadDir(out)
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, filepath.Join(out, e.Name()))
			}
		}
		return files
	}
	before := map[string][]byte{}
	files := top()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		before[filepath.Base(f)] = b
	}
	if len(before["site.wacz"]) == 0 || len(before["links.jsonl"]) == 0 {
		t.Fatalf("the first run wrote no package or no link graph: %v", slices.Sorted(maps.Keys(before)))
	}
	code, stderr := crawlArgs(t, args...)
	if code != exitOK || !strings.Contains(stderr, "nothing to do") {
		t.Fatalf("the second run: exit %d\n%s\nwant nothing to do", code, stderr)
	}
	files = top()
	if len(files) != len(before) {
		t.Errorf("files after the second run %v; before %v", files, slices.Sorted(maps.Keys(before)))
	}
	for name, b := range before {
		if now, err := os.ReadFile(filepath.Join(out, name)); err != nil || !bytes.Equal(now, b) {
			t.Errorf("%s changed by a run with nothing to do (%d bytes, was %d; %v)", name, len(now), len(b), err)
		}
	}
}

// TestRerunKeepsEarlierNames runs the real command twice into one
// directory: first /col, an HTML page saved as col.html, then the list
// with /col.html added, another page with that name. The second run must
// not put /col.html's body over /col's file: it gets col~2.html, as it
// would in one run, and every manifest line names a file with its body.
func TestRerunKeepsEarlierNames(t *testing.T) {
	bodies := map[string]string{"/col": "<p>the page col</p>", "/col.html": "<p>the page col.html</p>"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(b))
	}))
	defer srv.Close()
	out := t.TempDir()
	list := filepath.Join(t.TempDir(), "urls.txt")
	for i, urls := range []string{"/col\n", "/col\n/col.html\n"} {
		if err := os.WriteFile(list, []byte(strings.ReplaceAll(urls, "/", srv.URL+"/")), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr, done := startCrawl(t, "-q", "--robots=false", "-o", out, "-i", list)
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run %d: %v\n%s", i+1, err, stderr)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("run %d did not finish", i+1)
		}
	}
	recs := readManifest(t, out)
	paths := map[string]string{}
	for p, body := range bodies {
		r := recs[srv.URL+p]
		if r == nil || r.Path == "" {
			t.Fatalf("no saved line for %s: %+v", p, r)
		}
		if other, ok := paths[r.Path]; ok {
			t.Errorf("%s and %s share the file %s", p, other, r.Path)
		}
		paths[r.Path] = p
		got, err := os.ReadFile(filepath.Join(out, r.Path))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != body {
			t.Errorf("%s's file %s holds %q; want %q", p, r.Path, got, body)
		}
	}
}

// TestRerunWithConvertLinks runs a finished crawl again with -k, as a user
// who forgot it does: nothing is fetched, and the mirror's links are
// converted, as the first run would have done.
func TestRerunWithConvertLinks(t *testing.T) {
	srv, log := newLoggedSite(t)
	out := t.TempDir()
	args := []string{"--robots=false", "--retries", "0", "--depth", "1", "-o", out, srv.URL + "/"}
	runProcess(t, args...)
	log.take()
	index := filepath.Join(hostDir(out, srv), "index.html")
	if b, err := os.ReadFile(index); err != nil || !strings.Contains(string(b), `href="/products.html#list"`) {
		t.Fatalf("the mirror's index.html, before -k: %v\n%s", err, b)
	}
	_, stderr := runProcess(t, append([]string{"-k"}, args...)...)
	if got := log.take(); len(got) != 0 {
		t.Errorf("the -k run fetched %v; want nothing", got)
	}
	b, err := os.ReadFile(index)
	if err != nil || strings.Contains(string(b), `href="/products.html`) || !strings.Contains(string(b), `href="products.html#list"`) {
		t.Errorf("index.html after the -k run: %v; want its links converted\n%s", err, b)
	}
	if !strings.Contains(stderr, "links converted") {
		t.Errorf("the -k run does not say it converted links:\n%s", stderr)
	}
}
