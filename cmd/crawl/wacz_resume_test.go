package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crawl-go/crawl/store/warc"
	"github.com/crawl-go/crawl/store/warc/cdxj"
)

// TestResumedWACZ interrupts a crawl that writes a WACZ package, then runs
// the same command again to the end, as a user would: the package must
// hold the captures of both runs (it held only the last run's), with an
// index whose every line points at its record, and a page line for every
// page. With --warc as well, the package must not take the earlier WARC
// files' names twice. A package that cannot be read stops the run with a
// clear error, and stays as it is.
func TestResumedWACZ(t *testing.T) {
	for _, tt := range []struct {
		name    string
		warc    bool
		corrupt bool // the package is damaged between the runs
		kill    bool // the first run is killed (SIGKILL), not interrupted
	}{{"wacz", false, false, false}, {"wacz and warc", true, false, false}, {"damaged package", false, true, false},
		{"wacz, killed", false, false, true}, {"wacz and warc, killed", true, false, true}} {
		t.Run(tt.name, func(t *testing.T) {
			const pages = 300
			stop := make(chan struct{}, 1)
			var stopAt int64 = 60
			srv, _ := newTreeSite(t, pages, 4, func(total int) {
				if int64(total) == stopAt {
					stop <- struct{}{}
				}
			})
			out, dir := t.TempDir(), t.TempDir()
			pkg := filepath.Join(dir, "site.wacz")
			args := []string{"-o", out, "--depth", "100", "--robots=false", "--workers", "4", "--wacz", pkg}
			if tt.warc {
				args = append(args, "--warc", filepath.Join(dir, "site"))
			}
			args = append(args, srv.URL+"/p/0")

			cmd, stderr, done := startCrawl(t, args...)
			select {
			case <-stop:
			case err := <-done:
				t.Fatalf("the crawl ended before it was interrupted: %v\n%s", err, stderr)
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				t.Fatal("no progress in 60 s")
			}
			var first map[string]bool
			if tt.kill {
				// No package: what the killed run captured is in the
				// files it left, which the next run must take over.
				cmd.Process.Kill()
				<-done
				first = map[string]bool{}
				for url, r := range readManifest(t, out) {
					if r.Status == 200 {
						first[url] = true
					}
				}
			} else {
				cmd.Process.Signal(syscall.SIGINT)
				select {
				case err := <-done:
					var exit *exec.ExitError
					if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
						t.Fatalf("the interrupted run: %v; want status %d\n%s", err, exitInterrupted, stderr)
					}
				case <-time.After(30 * time.Second):
					cmd.Process.Kill()
					t.Fatal("crawl did not exit after the signal")
				}
				first = waczResponses(t, pkg)
			}
			if len(first) == 0 || len(first) >= pages {
				t.Fatalf("the interrupted run captured %d pages; want some of %d", len(first), pages)
			}

			if tt.corrupt {
				damaged := []byte("not a zip file")
				if err := os.WriteFile(pkg, damaged, 0o644); err != nil {
					t.Fatal(err)
				}
				code, stderr := crawlArgs(t, args...)
				if code == exitOK || !strings.Contains(stderr, "move it away to start a new one") {
					t.Errorf("the run with a damaged package: exit %d\n%s\nwant a failure that says what to do", code, stderr)
				}
				if b, _ := os.ReadFile(pkg); !bytes.Equal(b, damaged) {
					t.Errorf("the damaged package was replaced by %d bytes", len(b))
				}
				return
			}
			if code, stderr := crawlArgs(t, args...); code != exitOK {
				t.Fatalf("the resumed run: exit %d\n%s", code, stderr)
			}
			got := waczResponses(t, pkg)
			var missing []string
			for url, r := range readManifest(t, out) {
				if r.Status == 200 && !got[url] {
					missing = append(missing, url)
				}
			}
			if len(missing) > 0 || len(got) != pages {
				t.Errorf("the package holds %d pages, the site %d; not in it: %d, e.g. %v", len(got), pages, len(missing), missing[:min(3, len(missing))])
			}
			for url := range first {
				if !got[url] {
					t.Errorf("%s, captured by the interrupted run, is not in the package", url)
					break
				}
			}
			if ents, _ := filepath.Glob(filepath.Join(dir, ".crawl-*")); len(ents) > 0 {
				t.Errorf("temporary files left beside the package: %v", ents)
			}
			// Every run's WARC files have their index, the killed
			// one's too.
			warcs, _ := filepath.Glob(filepath.Join(dir, "site*-00000.warc.gz"))
			for _, w := range warcs {
				index := strings.TrimSuffix(w, "-00000.warc.gz") + ".cdxj"
				if _, err := os.Stat(index); err != nil {
					t.Errorf("%s has no index: %v", w, err)
				}
			}
			if ents, _ := filepath.Glob(filepath.Join(dir, ".*.lock")); len(ents) > 0 {
				t.Errorf("lock files left: %v", ents)
			}
		})
	}
}

// waczResponses reads the WACZ package at path and returns the URLs of
// its 200 responses, found through its index, whose every line must point
// at a record of its URL. It checks that every page line names a URL of
// such a response.
func waczResponses(t *testing.T, path string) map[string]bool {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	read := func(name string) []byte {
		f := files[name]
		if f == nil {
			t.Fatalf("no %s in the package", name)
		}
		rc, _ := f.Open()
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return b
	}
	urls := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(read("indexes/index.cdxj")))
	for sc.Scan() {
		e, err := cdxj.ParseLine(sc.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		f := files["archive/"+e.Filename]
		if f == nil {
			t.Fatalf("the index names %s, not in the package", e.Filename)
		}
		base, _ := f.DataOffset()
		off, _ := strconv.ParseInt(e.Offset, 10, 64)
		n, _ := strconv.ParseInt(e.Length, 10, 64)
		rec, err := warc.NewReader(bytes.NewReader(raw[base+off : base+off+n])).Next()
		if err != nil || rec.Header.Get("WARC-Target-URI") != e.URL {
			t.Fatalf("%s: the index points at %v, %v", e.URL, rec, err)
		}
		if e.Status == "200" && rec.Header.Get("WARC-Type") == "response" {
			urls[e.URL] = true
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(string(read("pages/pages.jsonl"))), "\n")[1:] {
		var p struct{ URL string }
		if err := json.Unmarshal([]byte(line), &p); err != nil || !urls[p.URL] {
			t.Errorf("page line %s: not a response of the package (%v)", line, err)
		}
	}
	return urls
}
