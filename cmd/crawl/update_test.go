package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/crawl-go/crawl/store"
)

// TestRunUpdate re-crawls a mirror of testdata/site as a user would, with
// the same command plus --update: every request that has a file to compare
// with is conditional, and none gets a body.
func TestRunUpdate(t *testing.T) {
	var mu sync.Mutex
	type seen struct {
		path        string
		conditional bool
		status      int
	}
	var log []seen
	files := http.FileServer(http.Dir("../../testdata/site")) // answers If-Modified-Since
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		files.ServeHTTP(sw, r)
		mu.Lock()
		log = append(log, seen{r.URL.RequestURI(), r.Header.Get("If-Modified-Since") != "", sw.status})
		mu.Unlock()
	}))
	defer srv.Close()
	out := t.TempDir()
	crawl := func(extra ...string) string {
		t.Helper()
		mu.Lock()
		log = nil
		mu.Unlock()
		var stderr bytes.Buffer
		args := append([]string{"-o", out, "--depth", "3", "--retries", "0", srv.URL + "/"}, extra...)
		code := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr)
		if code != exitOK && code != exitFailures { // the site links to a missing page
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		return stderr.String()
	}
	crawl()
	first := lastRun(t, out)
	saved := make(map[string]bool) // paths that have a file to compare with
	for u, r := range first {
		if r.Path != "" {
			saved[strings.TrimPrefix(u, srv.URL)] = true
		}
	}
	if len(saved) < 20 {
		t.Fatalf("the first crawl saved %d files", len(saved))
	}
	crawl("--update")
	mu.Lock()
	for _, s := range log {
		if !saved[s.path] {
			continue // robots.txt, 404s, a redirect
		}
		delete(saved, s.path)
		if !s.conditional || s.status != http.StatusNotModified {
			t.Errorf("re-crawl: %s conditional %v, status %d; want a conditional request answered 304", s.path, s.conditional, s.status)
		}
	}
	mu.Unlock()
	if len(saved) > 0 {
		t.Errorf("re-crawl did not ask for %v", saved)
	}
	second := lastRun(t, out)
	if len(second) != len(first) {
		t.Errorf("re-crawl recorded %d URLs; the first crawl %d", len(second), len(first))
	}
	for u, r := range first {
		s := second[u]
		if s == nil || s.Run != 2 || s.Path != r.Path || r.Path != "" && s.Update != store.UpdateNotModified {
			t.Errorf("%s: first %+v, re-crawl %+v", u, r, s)
		}
	}
	// Without --update, the finished crawl has nothing left to do.
	if stderr := crawl(); !strings.Contains(stderr, "nothing to do") || !strings.Contains(stderr, "--update re-checks it") {
		t.Errorf("a plain re-run of a finished crawl does not say there is nothing to do: %s", stderr)
	}
	mu.Lock()
	if len(log) > 0 {
		t.Errorf("a re-run of a finished crawl made %d requests", len(log))
	}
	mu.Unlock()
	if got := lastRun(t, out); len(got) != len(second) {
		t.Errorf("a re-run of a finished crawl wrote lines")
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// lastRun returns the manifest lines of the last run in dir, by URL.
func lastRun(t *testing.T, dir string) map[string]*store.Record {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, store.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs := make(map[string]*store.Record)
	run := 0
	err = store.ReadManifest(f, func(r *store.Record) error {
		if n := r.RunNumber(); n > run {
			run = n
			clear(recs)
		}
		if recs[r.URL] != nil {
			t.Errorf("%s twice in run %d", r.URL, run)
		}
		recs[r.URL] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
