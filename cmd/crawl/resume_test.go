package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/store"
)

// TestResumeAfterKill crawls a generated site with a real crawl process,
// kills it with SIGKILL three times at different moments, and runs the
// same command again until it ends. The manifest must then have exactly
// one line per URL, every saved file must match its digest, and no URL may
// have been fetched more often than the kills can explain.
func TestResumeAfterKill(t *testing.T) {
	const pages = 20_000
	var killAt atomic.Int64
	kill := make(chan struct{}, 1)
	srv, site := newTreeSite(t, pages, 5, func(total int) {
		if at := killAt.Load(); at > 0 && int64(total) == at {
			kill <- struct{}{}
		}
	})

	out := t.TempDir()
	args := []string{"-o", out, "-q", "--depth", "100", "--robots=false", "--workers", "8", srv.URL + "/p/0"}
	run := func() (*exec.Cmd, chan error) {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		return cmd, done
	}
	kills := 0
	// Three kills at random moments: early, in the middle, late.
	var ats []int
	for _, r := range [][2]int{{500, 3000}, {6000, 10000}, {13000, 18000}} {
		ats = append(ats, r[0]+rand.IntN(r[1]-r[0]))
	}
	t.Logf("killing at requests %v", ats)
	for _, at := range ats {
		killAt.Store(int64(at))
		cmd, done := run()
		select {
		case <-kill:
			cmd.Process.Kill()
			<-done
			kills++
		case err := <-done:
			t.Logf("the crawl ended before request %d: %v", at, err)
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatal("no progress in 60 s")
		}
	}
	killAt.Store(0)
	for range 3 { // normally once; a resume is a full run
		_, done := run()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("the resumed crawl: %v", err)
			}
		case <-time.After(120 * time.Second):
			t.Fatal("the resumed crawl did not end")
		}
		if lines(t, out) >= pages {
			break
		}
	}

	f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	err = store.ReadManifest(bufio.NewReader(f), func(r *store.Record) error {
		if r.ErrorKind == outcome.Missing {
			return nil // the host's /sitemap.xml, asked for on the crawl's own
		}
		if seen[r.URL] {
			t.Errorf("%s has two manifest lines", r.URL)
		}
		seen[r.URL] = true
		if r.Error != "" {
			t.Errorf("%s: %s", r.URL, r.Error)
			return nil
		}
		data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(r.Path)))
		if err != nil {
			t.Errorf("%s: %v", r.URL, err)
			return nil
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != r.SHA256 {
			t.Errorf("%s: %s does not match its digest", r.URL, r.Path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != pages {
		t.Errorf("%d URLs in the manifest; want %d", len(seen), pages)
	}
	served, total := site.counts()
	// Refetched at each kill: what was in flight (8 workers, the queues
	// between the stages) and what was stored but not yet committed as
	// done in the state (a 10 ms batch).
	if extra := total - pages; kills > 0 && extra > kills*400 {
		t.Errorf("%d requests for %d pages after %d kills: %d refetched", total, pages, kills, extra)
	}
	for path, n := range served {
		if n > kills+1 {
			t.Errorf("%s fetched %d times in %d kills", path, n, kills)
		}
	}
	t.Logf("%d kills, %d requests for %d pages", kills, total, pages)
}

func lines(t *testing.T, dir string) int {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(dir, "manifest.jsonl"))
	return strings.Count(string(b), "\n")
}
