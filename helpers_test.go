package crawl

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crawl-go/crawl/store"
)

// counter counts the requests a test server gets, by path and query.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		if c.n == nil {
			c.n = make(map[string]int)
		}
		c.n[r.URL.RequestURI()]++
		c.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (c *counter) get(uri string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[uri]
}

// snapshot returns a copy of the counts so far.
func (c *counter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

func (c *counter) max() (string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var uri string
	m := 0
	for k, v := range c.n {
		if v > m {
			uri, m = k, v
		}
	}
	return uri, m
}

// serveSite serves testdata/site, plus the handlers in extra, and counts
// the requests.
func serveSite(t testing.TB, extra map[string]http.HandlerFunc) (*httptest.Server, *counter) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir("testdata/site")))
	for p, h := range extra {
		mux.HandleFunc(p, h)
	}
	c := &counter{}
	srv := httptest.NewServer(c.wrap(mux))
	t.Cleanup(srv.Close)
	return srv, c
}

// testConfig is a configuration for tests: a temporary output directory,
// quick retries and a bounded time for every request.
func testConfig(t *testing.T, seeds ...string) Config {
	t.Helper()
	cfg := Config{OutDir: t.TempDir(), Workers: 4, Parsers: 2, Writers: 2}
	for _, s := range seeds {
		cfg.Seeds = append(cfg.Seeds, Seed{URL: s, Source: "test"})
	}
	cfg.Fetch = FetchOptions{
		Retries:      2,
		Timeout:      10 * time.Second,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
	return cfg
}

// crawlT runs a crawl and returns its summary and manifest, keyed by URL.
func crawlT(t *testing.T, cfg Config) (Summary, map[string]*store.Record) {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sum, err := c.Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return sum, readManifest(t, cfg.OutDir)
}

// readManifest returns the lines of the manifest's last run, keyed by URL,
// and fails t if a run has two lines for one URL.
func readManifest(t *testing.T, dir string) map[string]*store.Record {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs := make(map[string]*store.Record)
	run := 0
	err = store.ReadManifest(f, func(r *store.Record) error {
		switch n := r.RunNumber(); {
		case n < run:
			t.Errorf("a line of run %d after run %d: %s", n, run, r.URL)
		case n > run:
			run = n
			clear(recs)
		}
		if _, dup := recs[r.URL]; dup {
			t.Errorf("manifest has %s twice in run %d", r.URL, run)
		}
		recs[r.URL] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// paths returns the manifest's URLs relative to base, sorted.
func paths(recs map[string]*store.Record, base string) []string {
	var out []string
	for u := range recs {
		out = append(out, strings.TrimPrefix(u, base))
	}
	sort.Strings(out)
	return out
}

func sorted(s ...string) []string { return slices.Sorted(slices.Values(s)) }
