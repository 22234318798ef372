package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/crawl-go/crawl/store"
	"github.com/crawl-go/crawl/store/warc"
)

// TestDiskFull crawls a site into a directory on a file system that fills
// up mid-way, as a user whose disk fills would, then gives it room and runs
// the same command again. The first run must stop with exit status 1 and
// say that the disk is full and how to go on, leave no partial file under
// a final name and a manifest that reads back; the second must end the
// crawl with every page saved once, matching its digest: a full disk
// loses nothing.
//
// The small file system is a tmpfs mounted in a user and mount namespace
// of the crawl's own (unshare), so the test needs no privileges; the
// directory is copied out of it when the crawl ends, as freeing space
// would leave it.
func TestDiskFull(t *testing.T) {
	if err := exec.Command("unshare", "--user", "--map-root-user", "--mount", "true").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("unshare --user --mount: %v; CI needs it for this test", err)
		}
		t.Skipf("no unprivileged mount namespaces here (unshare: %v): cannot make a small file system", err)
	}
	t.Run("mirror", func(t *testing.T) { testDiskFull(t, false) })
	// The archive fills the disk (--no-mirror): each page must end up
	// in it.
	t.Run("WARC", func(t *testing.T) { testDiskFull(t, true) })
}

func testDiskFull(t *testing.T, archive bool) {
	const pages = 400 // 4 KiB each on tmpfs: 1.6 MB, four times the room
	srv, site := newTreeSite(t, pages, 5, nil)
	mnt := t.TempDir()
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"--depth", "100", "--robots=false", "--workers", "4", srv.URL + "/p/0"}

	// sh mounts the small file system, runs crawl into it, copies what
	// crawl left there to out, and exits with crawl's status.
	script := `mount -t tmpfs -o size=400k tmpfs "$MNT" || exit 99
"$@"
rc=$?
cp -a "$MNT/out" "$OUT" || exit 98
exit $rc`
	first := append([]string{"-o", filepath.Join(mnt, "out")}, args...)
	if archive {
		first = append(first, "--no-mirror", "--warc", filepath.Join(mnt, "out", "arc"))
	}
	cmd := exec.Command("unshare", append([]string{"--user", "--map-root-user", "--mount", "sh", "-c", script, "sh",
		os.Args[0]}, first...)...)
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1", "MNT="+mnt, "OUT="+out)
	msg, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitFailures {
		t.Fatalf("the run on a full disk: %v; want exit status %d\n%s", err, exitFailures, msg)
	}
	for _, want := range []string{"no space left on device", "stopped", "run the same command again"} {
		if !strings.Contains(string(msg), want) {
			t.Errorf("the run on a full disk does not say %q:\n%s", want, msg)
		}
	}
	t.Logf("first run:\n%s", msg)
	_, fetched := site.counts()
	if fetched >= pages {
		t.Fatalf("the first run fetched %d pages of %d: the disk never filled", fetched, pages)
	}
	checkNoTempFiles(t, out)

	// With room, the same command ends the crawl.
	second := append([]string{"-o", out}, args...)
	if archive {
		second = append(second, "--no-mirror", "--warc", filepath.Join(out, "arc"))
	}
	cmd = exec.Command(os.Args[0], second...)
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the run with room: %v\n%s", err, msg)
	}
	if !archive {
		checkSite(t, out, pages)
		return
	}
	archived := archivedURLs(t, out)
	for i := range pages {
		if u := fmt.Sprintf("%s/p/%d", srv.URL, i); !archived[u] {
			t.Errorf("%s is in no WARC file", u)
		}
	}
}

// archivedURLs returns the target URIs of the 200 responses in the WARC
// files of dir, reading each up to its end or to a record cut short.
func archivedURLs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if len(files) == 0 {
		t.Fatalf("no WARC file in %s", dir)
	}
	urls := map[string]bool{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		r := warc.NewReader(f)
		for {
			rec, err := r.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					t.Logf("%s: %v", filepath.Base(name), err)
				}
				break
			}
			if rec.Type() == "response" {
				head, _ := bufio.NewReader(rec.Block).ReadString('\n')
				if strings.Contains(head, " 200 ") {
					urls[rec.Header.Get("WARC-Target-URI")] = true
				}
			}
		}
		f.Close()
	}
	return urls
}

// checkNoTempFiles checks that no temporary file of a write is left under
// out, and that out's manifest reads back.
func checkNoTempFiles(t *testing.T, out string) {
	t.Helper()
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".crawl-tmp") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
	f, err := os.Open(filepath.Join(out, store.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := store.ReadManifest(bufio.NewReader(f), func(*store.Record) error { return nil }); err != nil {
		t.Errorf("the manifest does not read back: %v", err)
	}
}

// TestFileTooLarge crawls a site one of whose files is larger than the
// crawl may write (a file size limit, as on a FAT32 disk or under ulimit
// -f), then runs the same command without the limit, as a user who moved
// to a bigger disk would. The first run records the failures of the two
// files too large, one kept in memory and one streamed to disk as it
// arrives (over 8 MiB), asks for each once (the disk's failure is not the
// server's), and goes on (exit 1); the second fetches those files again,
// and only them.
func TestFileTooLarge(t *testing.T) {
	big := strings.Repeat("x", 200<<10)
	huge := strings.Repeat("y", 9<<20)
	var mu sync.Mutex
	served := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		served[r.URL.Path]++
		mu.Unlock()
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<a href="/big.txt">big</a> <a href="/small.txt">small</a> <a href="/huge.txt">huge</a>`)
		case "/big.txt":
			fmt.Fprint(w, big)
		case "/huge.txt":
			fmt.Fprint(w, huge)
		case "/small.txt":
			fmt.Fprint(w, "small")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	out := t.TempDir()
	args := []string{"-o", out, "--depth", "1", "--robots=false", srv.URL + "/"}

	// A limit of 64 KiB on the size of each file crawl writes.
	cmd := exec.Command("sh", append([]string{"-c", `ulimit -f 64 && exec "$@"`, "sh", os.Args[0]}, args...)...)
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	msg, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitFailures || !strings.Contains(string(msg), "file too large") {
		t.Fatalf("the run with a file size limit: %v; want exit status %d and the failure\n%s", err, exitFailures, msg)
	}

	cmd = exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	msg, err = cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(msg), "trying again 2 URLs that failed") {
		t.Fatalf("the run without the limit: %v; want exit 0 and that it saves the file again\n%s", err, msg)
	}
	mu.Lock()
	defer mu.Unlock()
	delete(served, "/sitemap.xml") // asked for once, by the first run
	if want := map[string]int{"/": 1, "/big.txt": 2, "/huge.txt": 2, "/small.txt": 1}; fmt.Sprint(served) != fmt.Sprint(want) {
		t.Errorf("requests %v; want %v: only the file not saved is fetched again", served, want)
	}
	if b, err := os.ReadFile(filepath.Join(hostDir(out, srv), "big.txt")); err != nil || string(b) != big {
		t.Errorf("big.txt: %d bytes, %v; want the whole body", len(b), err)
	}
	if b, err := os.ReadFile(filepath.Join(hostDir(out, srv), "huge.txt")); err != nil || string(b) != huge {
		t.Errorf("huge.txt: %d bytes, %v; want the whole body", len(b), err)
	}
	if r := readManifest(t, out)[srv.URL+"/huge.txt"]; r == nil || r.Error != "" {
		t.Errorf("the latest line of huge.txt is not a saved file: %+v", r)
	}
	code, stderr := crawlArgs(t, args...)
	if code != exitOK || !strings.Contains(stderr, "nothing to do") {
		t.Errorf("a third run: exit %d\n%s\nwant nothing to do", code, stderr)
	}
}

// TestStateNotCreated runs crawl where the state file cannot be created
// whole (a file size limit of 8 KiB: the file is cut short) or cannot grow
// past its first pages (16 KiB: the state holds no seeds), then runs the
// same command with room, as after freeing space: the crawl must be done
// then. (The second run crashed reading past the end of the cut file, or
// said "nothing to do".)
func TestStateNotCreated(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<a href="/a.html">a</a> <a href="/b.html">b</a>`)
		case "/a.html", "/b.html":
			fmt.Fprint(w, "page")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	for _, kib := range []int{8, 16} {
		t.Run(fmt.Sprintf("%d KiB", kib), func(t *testing.T) {
			out := t.TempDir()
			args := []string{"-o", out, "--depth", "1", "--robots=false", srv.URL + "/"}
			// ulimit -f counts blocks of 512 bytes in sh.
			cmd := exec.Command("sh", append([]string{"-c", fmt.Sprintf(`ulimit -f %d && exec "$@"`, kib*2), "sh", os.Args[0]}, args...)...)
			cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
			msg, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != exitFailures || !strings.Contains(string(msg), "state") {
				t.Fatalf("the run with a file size limit: %v; want exit status %d and an error about the state\n%s", err, exitFailures, msg)
			}
			code, stderr := crawlArgs(t, args...)
			if code != exitOK || strings.Contains(stderr, "nothing to do") {
				t.Fatalf("the run with room: exit %d\n%s\nwant the crawl done", code, stderr)
			}
			lines := readManifest(t, out)
			for _, p := range []string{"/", "/a.html", "/b.html"} {
				if r := lines[srv.URL+p]; r == nil || r.Status != 200 || r.Path == "" {
					t.Errorf("%s: %+v; want it saved", p, r)
				}
			}
		})
	}
}
