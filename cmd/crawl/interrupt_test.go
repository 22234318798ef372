package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/crawl-go/crawl/internal/testredis"
	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/store"
)

// TestInterruptAndResume crawls a generated site with a real crawl process,
// stops it with a signal at three random moments, and runs the same
// command again until the crawl ends, as a user who presses Ctrl-C and
// then runs the command again would. Each stopped run must exit with 130
// within the grace period (3 s) and a second, and say how many URLs are
// left. In the end the manifest's successful lines must be exactly the
// site, one per URL, every file must match its digest, and no page may
// have been fetched twice: an interrupt loses nothing and repeats nothing.
func TestInterruptAndResume(t *testing.T) {
	for _, tt := range []struct {
		name  string
		sig   syscall.Signal
		redis bool // the state in Redis instead of on disk
	}{
		{"SIGINT", syscall.SIGINT, false},
		{"SIGTERM", syscall.SIGTERM, false},
		{"SIGHUP", syscall.SIGHUP, false}, // the terminal or the ssh session closed
		{"SIGINT, state in Redis", syscall.SIGINT, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			const pages = 5000
			var stopAt atomic.Int64
			stop := make(chan struct{}, 1)
			srv, site := newTreeSite(t, pages, 5, func(total int) {
				if at := stopAt.Load(); at > 0 && int64(total) == at {
					stop <- struct{}{}
				}
			})
			out := t.TempDir()
			args := []string{"-o", out, "--depth", "100", "--robots=false", "--workers", "8", srv.URL + "/p/0"}
			if tt.redis {
				crawlID := fmt.Sprintf("interrupt-%d", time.Now().UnixNano())
				args = append(args, "--state", testredis.URL(t), "--crawl-id", crawlID)
			}
			start := func() (*exec.Cmd, *lockedBuffer, chan error) { return startCrawl(t, args...) }
			var ats []int
			for _, r := range [][2]int{{200, 1000}, {1500, 2800}, {3200, 4500}} {
				ats = append(ats, r[0]+rand.IntN(r[1]-r[0]))
			}
			t.Logf("stopping at requests %v", ats)
			stopped := 0
			for _, at := range ats {
				stopAt.Store(int64(at))
				cmd, stderr, done := start()
				select {
				case <-stop:
				case err := <-done:
					t.Fatalf("the crawl ended before request %d: %v\n%s", at, err, stderr)
				case <-time.After(60 * time.Second):
					cmd.Process.Kill()
					t.Fatal("no progress in 60 s")
				}
				sent := time.Now()
				cmd.Process.Signal(tt.sig)
				var err error
				select {
				case err = <-done:
				case <-time.After(30 * time.Second):
					cmd.Process.Kill()
					t.Fatal("crawl did not exit after the signal")
				}
				// Generous under -race on a loaded machine; the grace
				// period is 3 s.
				if took := time.Since(sent); took > 4*time.Second {
					t.Errorf("exit %v after the signal; want within the grace period and a second", took)
				}
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
					t.Fatalf("exit: %v; want status %d\n%s", err, exitInterrupted, stderr)
				}
				if msg := stderr.String(); !strings.Contains(msg, "URLs left") || !strings.Contains(msg, "the same command") {
					t.Errorf("the summary does not say what is left and how to resume:\n%s", msg)
				}
				if tt.redis {
					// The queue is in Redis: crawl status of the directory
					// says so, not "0 URLs left".
					code, got, _ := crawlStatus(t, out)
					if code != exitOK || !strings.Contains(got, "this process of the shared crawl") || !strings.Contains(got, "stopped (interrupted)") ||
						!strings.Contains(got, "run the same command again to take part") || strings.Contains(got, "0 URLs left") {
						t.Errorf("crawl status of an interrupted process of a shared crawl (exit %d):\n%s", code, got)
					}
				}
				stopped++
			}
			stopAt.Store(0)
			_, stderr, done := start()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("the resumed crawl: %v\n%s", err, stderr)
				}
			case <-time.After(120 * time.Second):
				t.Fatal("the resumed crawl did not end")
			}
			checkSite(t, out, pages)
			served, total := site.counts()
			for path, n := range served {
				if n > 1 {
					t.Errorf("%s fetched %d times", path, n)
				}
			}
			t.Logf("%d stops, %d requests for %d pages", stopped, total, pages)
		})
	}
}

// checkSite checks that the manifest in out has exactly one successful
// line for each of the pages of a tree site, and that each file matches
// its digest.
func checkSite(t *testing.T, out string, pages int) {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ok := map[string]bool{}
	err = store.ReadManifest(bufio.NewReader(f), func(r *store.Record) error {
		if r.ErrorKind == outcome.Missing {
			return nil // the host's /sitemap.xml, asked for on the crawl's own
		}
		if r.Error != "" {
			t.Errorf("%s: %s (%s)", r.URL, r.Error, r.ErrorKind)
			return nil
		}
		if ok[r.URL] {
			t.Errorf("%s has two successful lines", r.URL)
		}
		ok[r.URL] = true
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
	if len(ok) != pages {
		t.Errorf("%d URLs fetched; want the %d pages of the site", len(ok), pages)
	}
}
