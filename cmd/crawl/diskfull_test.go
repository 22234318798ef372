package main

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crawl-go/crawl/store"
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
	cmd := exec.Command("unshare", append([]string{"--user", "--map-root-user", "--mount", "sh", "-c", script, "sh",
		os.Args[0], "-o", filepath.Join(mnt, "out")}, args...)...)
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1", "MNT="+mnt, "OUT="+out)
	msg, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitFailures {
		t.Fatalf("the run on a full disk: %v; want exit status %d\n%s", err, exitFailures, msg)
	}
	for _, want := range []string{"no space left on device", "run the same command again"} {
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
	cmd = exec.Command(os.Args[0], append([]string{"-o", out}, args...)...)
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the run with room: %v\n%s", err, msg)
	}
	checkSite(t, out, pages)
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
