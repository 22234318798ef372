package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crawl-go/crawl/frontier/redisfrontier"
	"github.com/crawl-go/crawl/internal/testredis"
	"github.com/crawl-go/crawl/store"
)

// TestSharedCrawl runs three crawl processes on one crawl shared through
// Redis, kills one of them with SIGKILL mid-crawl, and checks that the
// other two finish it: the union of the manifests is exactly the site, and
// no URL was fetched more than twice (once more for those the dead process
// held).
func TestSharedCrawl(t *testing.T) {
	redis := testredis.URL(t)
	const pages = 1500
	kill := make(chan struct{}, 1)
	srv, site := newTreeSite(t, pages, 4, func(total int) {
		if total == 300 {
			kill <- struct{}{}
		}
	})

	var id [6]byte
	rand.Read(id[:])
	crawlID := "test-shared-" + hex.EncodeToString(id[:])
	dirs := make([]string, 3)
	cmds := make([]*exec.Cmd, 3)
	done := make([]chan error, 3)
	for i := range 3 {
		dirs[i] = t.TempDir()
		cmds[i] = exec.Command(os.Args[0], "-o", dirs[i], "-q", "--depth", "100", "--robots=false",
			// A lease of 3 s: long enough that no fetch outlives it on a
			// loaded machine, short enough that the dead process's URLs
			// come back soon.
			"--workers", "4", "--state", redis, "--crawl-id", crawlID, "--lease", "3s", srv.URL+"/p/0")
		cmds[i].Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
		done[i] = make(chan error, 1)
		go func() { done[i] <- cmds[i].Wait() }()
	}
	select {
	case <-kill:
		cmds[0].Process.Kill()
	case <-time.After(60 * time.Second):
		t.Fatal("no progress")
	}
	<-done[0]
	for i := 1; i < 3; i++ {
		select {
		case err := <-done[i]:
			if err != nil {
				t.Errorf("process %d: %v", i, err)
			}
		case <-time.After(120 * time.Second):
			t.Fatal("the surviving processes did not finish")
		}
	}

	union := map[string]bool{}
	for _, dir := range dirs {
		f, err := os.Open(filepath.Join(dir, store.ManifestName))
		if err != nil {
			continue
		}
		store.ReadManifest(bufio.NewReader(f), func(r *store.Record) error {
			if r.Error == "" {
				union[r.URL] = true
			}
			return nil
		})
		f.Close()
	}
	if len(union) != pages {
		t.Errorf("the manifests name %d URLs; want %d", len(union), pages)
	}
	served, total := site.counts()
	for p, n := range served {
		if n > 2 {
			t.Errorf("%s fetched %d times", p, n)
		}
	}
	t.Logf("%d requests for %d pages with one process killed", total, pages)
}

// TestSharedRate runs two crawl processes on one crawl shared through
// Redis and checks that together they keep to one host's rate: --rate, or
// the Crawl-delay of its robots.txt. Alone, each would go at that rate, and
// the two at twice it.
func TestSharedRate(t *testing.T) {
	redis := testredis.URL(t)
	const pages, perSecond = 30, 20
	tests := []struct {
		name   string
		args   []string
		robots string
	}{
		{"--rate", []string{"--rate", "20", "--robots=false"}, ""},
		{"Crawl-delay", nil, "User-agent: *\nCrawl-delay: 0.05\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var times []time.Time
			_, site := newTreeSite(t, pages, 3, nil)
			tree := site.handler
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					if tt.robots == "" {
						http.NotFound(w, r)
					} else {
						fmt.Fprint(w, tt.robots)
					}
					return
				}
				if r.URL.Path != "/sitemap.xml" { // asked for once, not a page
					mu.Lock()
					times = append(times, time.Now())
					mu.Unlock()
				}
				tree.ServeHTTP(w, r)
			}))
			defer srv.Close()
			var id [6]byte
			rand.Read(id[:])
			crawlID := "test-rate-" + hex.EncodeToString(id[:])
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					var stderr bytes.Buffer
					args := append([]string{"-o", t.TempDir(), "-q", "--depth", "100", "--workers", "4",
						"--state", redis, "--crawl-id", crawlID, srv.URL + "/p/0"}, tt.args...)
					if code := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr); code != exitOK {
						t.Errorf("exit %d: %s", code, stderr.String())
					}
				})
			}
			wg.Wait()
			mu.Lock()
			defer mu.Unlock()
			if len(times) != pages {
				t.Fatalf("%d pages fetched; want %d", len(times), pages)
			}
			slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
			span := times[len(times)-1].Sub(times[0])
			// pages-1 gaps of 1/perSecond at least (burst 1), with a
			// tenth of slack for clock granularity.
			if want := time.Duration(float64(pages-1) / perSecond * 0.9 * float64(time.Second)); span < want {
				t.Errorf("%d pages in %v by two processes: faster than %d/s together (want at least %v)", pages, span, perSecond, want)
			}
			t.Logf("%d pages in %v", pages, span)
		})
	}
}

// newCrawlID returns a crawl id no other test uses, for a shared crawl.
func newCrawlID(prefix string) string {
	var id [6]byte
	rand.Read(id[:])
	return prefix + hex.EncodeToString(id[:])
}

// runCrawlCmd runs the crawl command with args and returns its exit
// status and what it wrote to stderr.
func runCrawlCmd(args ...string) (int, string) {
	var stderr bytes.Buffer
	code := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr)
	return code, stderr.String()
}

// TestSharedSettings checks that the processes of one shared crawl use one
// set of settings: the first process of a crawl id records its own in
// Redis, and a later one started with other flags (depth, --max-pages,
// seeds, --exclude) is refused, saying what differs, instead of mixing its
// rules into the crawl; one with the same flags (the seeds in another
// order, another -o) joins it.
func TestSharedSettings(t *testing.T) {
	redis := testredis.URL(t)
	srv, site := newTreeSite(t, 40, 3, nil)
	crawlID := newCrawlID("test-settings-")
	base := []string{"-q", "--robots=false", "--state", redis, "--crawl-id", crawlID}
	firstDir := t.TempDir()
	first := append([]string{"-o", firstDir, "--depth", "1"}, base...)
	if code, stderr := runCrawlCmd(append(first, srv.URL+"/p/0", srv.URL+"/p/1")...); code != exitOK {
		t.Fatalf("the first process: exit %d: %s", code, stderr)
	}
	_, fetched := site.counts()

	// --fresh on the first process's directory would forget what it saved,
	// which Redis has done: refused, the manifest kept.
	manifest, _ := os.ReadFile(filepath.Join(firstDir, "manifest.jsonl"))
	code, stderr := runCrawlCmd(append(first, "--fresh", srv.URL+"/p/0", srv.URL+"/p/1")...)
	if code != exitFailures || !strings.Contains(stderr, "--fresh would forget what it saved") || !strings.Contains(stderr, "new --crawl-id") {
		t.Errorf("--fresh on a process's part of the crawl: exit %d, want %d and why: %s", code, exitFailures, stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(firstDir, "manifest.jsonl")); len(manifest) == 0 || !bytes.Equal(after, manifest) {
		t.Errorf("the manifest was %d bytes, is %d after the refused --fresh", len(manifest), len(after))
	}

	for _, tt := range []struct {
		name string
		args []string
		want []string // in the error
	}{
		{"depth", []string{"--depth", "3", srv.URL + "/p/0", srv.URL + "/p/1"}, []string{"--depth 3, was 1"}},
		{"max-pages", []string{"--depth", "1", "--max-pages", "100", srv.URL + "/p/0", srv.URL + "/p/1"}, []string{"--max-pages 100, was 0"}},
		{"seeds", []string{"--depth", "1", srv.URL + "/p/0"}, []string{"1 URL left out"}},
		{"exclude", []string{"--depth", "1", "--exclude", "/p/2", srv.URL + "/p/0", srv.URL + "/p/1"}, []string{"other --exclude patterns"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "new")
			args := append(append([]string{"-o", dir}, base...), tt.args...)
			code, stderr := runCrawlCmd(args...)
			if code != exitFailures {
				t.Errorf("exit %d; want %d (refused): %s", code, exitFailures, stderr)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Errorf("the refused process left its new directory %s", dir)
			}
			for _, w := range append(tt.want, crawlID, "other settings", "--crawl-id") {
				if !strings.Contains(stderr, w) {
					t.Errorf("the error does not say %q: %s", w, stderr)
				}
			}
			if _, n := site.counts(); n != fetched {
				t.Errorf("%d requests after the refused process; want %d", n, fetched)
			}
		})
	}

	// The same flags, the seeds in another order, into another directory:
	// the process joins the (finished) crawl.
	same := append([]string{"-o", t.TempDir(), "--depth", "1"}, base...)
	if code, stderr := runCrawlCmd(append(same, srv.URL+"/p/1", srv.URL+"/p/0")...); code != exitOK {
		t.Errorf("a process with the same settings: exit %d: %s", code, stderr)
	}
}

// TestSharedMaxPages runs three processes of one shared crawl with
// --max-pages, and checks that the budget is the crawl's, as the README
// says, not each process's: together they fetch at most N URLs, not 3×N.
func TestSharedMaxPages(t *testing.T) {
	redis := testredis.URL(t)
	const budget = 12
	// Slow pages, so that the three processes work at once.
	srv, site := newTreeSite(t, 300, 3, func(int) { time.Sleep(50 * time.Millisecond) })
	crawlID := newCrawlID("test-budget-")
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			code, stderr := runCrawlCmd("-o", t.TempDir(), "-q", "--depth", "100", "--robots=false", "--workers", "2",
				"--max-pages", fmt.Sprint(budget), "--state", redis, "--crawl-id", crawlID, srv.URL+"/p/0")
			if code != exitOK {
				t.Errorf("exit %d: %s", code, stderr)
			}
		})
	}
	wg.Wait()
	// The budget counts every URL admitted, the host's /sitemap.xml
	// (not a page of the site) included.
	if _, n := site.counts(); n > budget || n < budget-1 {
		t.Errorf("three processes with --max-pages %d fetched %d pages; want %d or %d", budget, n, budget-1, budget)
	}
}

// TestSharedStateLost checks that a process whose -o DIR took part in a
// shared crawl refuses to run when Redis lost the crawl's state (restarted
// without persistence: here, its keys deleted), rather than "resume" by
// fetching everything again, also once another process started the crawl
// id anew; --fresh starts it over knowingly.
func TestSharedStateLost(t *testing.T) {
	redis := testredis.URL(t)
	srv, site := newTreeSite(t, 40, 3, nil)
	crawlID := newCrawlID("test-lost-")
	dir := t.TempDir()
	args := []string{"-o", dir, "-q", "--depth", "2", "--robots=false", "--state", redis, "--crawl-id", crawlID, srv.URL + "/p/0"}
	if code, stderr := runCrawlCmd(args...); code != exitOK {
		t.Fatalf("the first run: exit %d: %s", code, stderr)
	}
	lose := func() {
		f, err := redisfrontier.Open(context.Background(), redisfrontier.Options{URL: redis, CrawlID: crawlID})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Delete(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	lose()
	refused := func(what string) {
		t.Helper()
		_, before := site.counts()
		code, stderr := runCrawlCmd(args...)
		if code != exitFailures {
			t.Errorf("%s: exit %d; want %d (refused): %s", what, code, exitFailures, stderr)
		}
		for _, w := range []string{crawlID, dir, "lost", "--fresh", "--crawl-id"} {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: the error does not say %q: %s", what, w, stderr)
			}
		}
		if _, n := site.counts(); n != before {
			t.Errorf("%s: %d requests; want none", what, n-before)
		}
	}
	refused("the state lost")

	// Another process starts the crawl id anew: DIR's crawl is still the
	// lost one.
	other := append([]string{"-o", t.TempDir()}, args[2:]...)
	if code, stderr := runCrawlCmd(other...); code != exitOK {
		t.Fatalf("a new process: exit %d: %s", code, stderr)
	}
	refused("the crawl started again by another process")

	// --fresh: DIR takes part in the new crawl.
	if code, stderr := runCrawlCmd(append(args, "--fresh")...); code != exitOK {
		t.Errorf("--fresh: exit %d: %s", code, stderr)
	}
	if code, stderr := runCrawlCmd(args...); code != exitOK {
		t.Errorf("after --fresh: exit %d: %s", code, stderr)
	}
}
