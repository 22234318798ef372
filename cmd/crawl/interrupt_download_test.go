package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crawl-go/crawl/store"
)

// TestInterruptBigDownload runs crawl as a process on a large download
// that a slow server stops sending half-way, interrupts it with SIGINT,
// and runs the same command with -c: the interrupted run keeps what it
// got as a partial download, the second run asks for the rest from where
// that ends (Range, with the ETag as If-Range), and the file is the whole
// body.
func TestInterruptBigDownload(t *testing.T) {
	body := bigBody(24 << 20)
	const etag = `"big-1"`
	var mu sync.Mutex
	var ranges []string
	sent := make(chan struct{}, 1)
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/big.iso" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		ranges = append(ranges, r.Header.Get("Range")+"|"+r.Header.Get("If-Range"))
		first := len(ranges) == 1
		mu.Unlock()
		w.Header().Set("Etag", etag)
		if !first {
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
			return
		}
		// The first request gets half the body, then nothing until the
		// client goes away.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		sent <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()

	out := t.TempDir()
	args := []string{"-o", out, "--robots=off", srv.URL + "/big.iso"}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			stderr.Write(append(sc.Bytes(), '\n'))
		}
	}()
	select {
	case <-sent:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the download never started")
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-copied:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-copied
		t.Fatal("crawl did not exit after SIGINT")
	}
	var exit *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("exit: %v; want status %d\n%s", err, exitInterrupted, stderr.String())
	}
	if !strings.Contains(stderr.String(), "1 partial download") {
		t.Errorf("the interrupted run does not name the partial download:\n%s", stderr.String())
	}
	partials, _ := store.Partials(out)
	if len(partials) != 1 || partials[0].Size <= 0 || partials[0].Size > int64(len(body)/2) || partials[0].ETag != etag {
		t.Fatalf("partial downloads %+v; want one of at most %d bytes, with the ETag", partials, len(body)/2)
	}
	size := partials[0].Size
	if _, err := os.Stat(filepath.Join(hostDir(out, srv), "big.iso")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("big.iso exists after the interrupt: %v", err)
	}

	var stderr2 bytes.Buffer
	if code := run(context.Background(), append([]string{"-c"}, args...), nil, &bytes.Buffer{}, &stderr2); code != exitOK {
		t.Fatalf("the -c run: exit %d: %s", code, stderr2.String())
	}
	mu.Lock()
	got := append([]string(nil), ranges...)
	mu.Unlock()
	if want := []string{"|", "bytes=" + strconv.FormatInt(size, 10) + "-|" + etag}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("requests (Range|If-Range) %q; want %q", got, want)
	}
	saved, err := os.ReadFile(filepath.Join(hostDir(out, srv), "big.iso"))
	if err != nil || !bytes.Equal(saved, body) {
		t.Fatalf("big.iso: %d bytes, %v; want the %d of the body", len(saved), err, len(body))
	}
	sum := sha256.Sum256(body)
	if rec := readManifest(t, out)[srv.URL+"/big.iso"]; rec == nil || rec.SHA256 != hex.EncodeToString(sum[:]) || rec.Status != http.StatusPartialContent {
		t.Errorf("line %+v; want the whole body's digest, status 206", rec)
	}
	t.Logf("interrupted at %d of %d bytes; continued from there", size, len(body))
}
