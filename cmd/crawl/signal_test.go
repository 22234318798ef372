package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crawl-go/crawl/store"
)

// TestSignals runs crawl as a process, interrupts it while responses are
// in flight, and checks the exit status and that no partial file is left.
func TestSignals(t *testing.T) {
	for _, tt := range []struct {
		name    string
		signals int
	}{
		{"one interrupt stops cleanly", 1},
		{"a second interrupt quits at once", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			started := make(chan string, 10)
			release := make(chan struct{})
			// The signal must come after /fast was answered: a URL whose
			// request has not started by then is rightly left queued.
			fastServed := make(chan struct{})
			var fastOnce sync.Once
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					http.NotFound(w, r)
					return
				}
				if r.URL.Path == "/fast" {
					fmt.Fprint(w, "fast")
					fastOnce.Do(func() { close(fastServed) })
					return
				}
				// Half a body, then nothing until the client gives up.
				w.Header().Set("Content-Length", "2000")
				w.Write(bytes.Repeat([]byte("x"), 1000))
				w.(http.Flusher).Flush()
				started <- r.URL.Path
				select {
				case <-r.Context().Done():
				case <-release:
				}
			}))
			defer srv.Close()
			defer close(release)

			out := t.TempDir()
			cmd := exec.Command(os.Args[0], "-o", out, "--retries", "0", srv.URL+"/fast", srv.URL+"/slow1", srv.URL+"/slow2")
			cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
			pipe, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Copy stderr, and say when the first interrupt was handled.
			var stderr lockedBuffer
			interrupted := make(chan struct{})
			copied := make(chan struct{})
			go func() {
				defer close(copied)
				sc := bufio.NewScanner(pipe)
				for sc.Scan() {
					stderr.Write(append(sc.Bytes(), '\n'))
					if strings.Contains(sc.Text(), "interrupted:") {
						close(interrupted)
					}
				}
			}()
			for range 2 {
				select {
				case <-started:
				case <-time.After(30 * time.Second):
					cmd.Process.Kill()
					t.Fatal("the slow requests never started")
				}
			}
			select {
			case <-fastServed:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatal("/fast was never requested")
			}
			cmd.Process.Signal(syscall.SIGINT)
			if tt.signals > 1 {
				// The second signal must come after the first was
				// handled, or both would be one.
				select {
				case <-interrupted:
					cmd.Process.Signal(syscall.SIGINT)
				case <-copied: // exited already: the checks below say how
				}
			}
			select {
			case <-copied:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				<-copied
				t.Fatal("crawl did not exit after SIGINT")
			}
			err = cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
				t.Fatalf("exit: %v; want status %d\n%s", err, exitInterrupted, stderr.String())
			}
			checkNoPartialFiles(t, out, tt.signals == 1)
		})
	}
}

// lockedBuffer collects a process's output, written by exec's copying
// goroutine while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// checkNoPartialFiles checks that every file under out is complete. After
// a clean stop (clean), every URL has a manifest line and the files it
// names match their digests; after a hard quit, the manifest may be short
// but no file of the mirror may be partial.
func checkNoPartialFiles(t *testing.T, out string, clean bool) {
	t.Helper()
	recs := map[string]*store.Record{}
	if f, err := os.Open(filepath.Join(out, "manifest.jsonl")); err == nil {
		store.ReadManifest(bufio.NewReader(f), func(r *store.Record) error {
			recs[strings.TrimPrefix(r.URL[strings.LastIndex(r.URL, "/"):], "/")] = r
			return nil
		})
		f.Close()
	}
	if clean {
		// The abandoned URLs are not outcomes: they have no line, and
		// stay queued for the next run.
		if r := recs["fast"]; r == nil || r.Error != "" {
			t.Errorf("fast recorded as %+v; want fetched", r)
		}
		for _, name := range []string{"slow1", "slow2"} {
			if r := recs[name]; r != nil {
				t.Errorf("%s abandoned, and recorded as %+v", name, r)
			}
		}
	}
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Dir(p) == out {
			return err
		}
		if strings.HasPrefix(d.Name(), "slow") {
			t.Errorf("partial file %s left under a final name", p)
		}
		if b, _ := os.ReadFile(p); strings.HasPrefix(d.Name(), "fast") && string(b) != "fast" {
			t.Errorf("%s holds %q", p, b)
		}
		return nil
	})
}

// startCrawl starts a crawl process with args, its output collected, and
// returns it with a channel that receives its exit.
func startCrawl(t testing.TB, args ...string) (*exec.Cmd, *lockedBuffer, chan error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	stderr := new(lockedBuffer)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return cmd, stderr, done
}
