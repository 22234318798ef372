//go:build unix

package store

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestSaveAsSpecial checks -O on what is not a plain new file: a symbolic
// link (its target gets the body, the link stays), a file with its own
// permissions (kept), and a FIFO (written into, as a device such as
// /dev/null is, never replaced by a file).
func TestSaveAsSpecial(t *testing.T) {
	s, _ := openStore(t, Options{})
	dir := t.TempDir()

	target := filepath.Join(dir, "target.json")
	os.WriteFile(target, []byte("old"), 0o600)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink("target.json", link); err != nil {
		t.Fatal(err)
	}
	for _, save := range []func() error{
		func() error { return s.SaveAs(link, []byte("new")) },
		func() error { return s.SaveFileAs(link, tempWith(t, s, "new")) },
	} {
		if err := save(); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
		}
		fi, err := os.Stat(target)
		if b, _ := os.ReadFile(target); string(b) != "new" || err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("the target holds %q, mode %v (%v); want new, 0600", b, fi.Mode(), err)
		}
		os.WriteFile(target, []byte("old"), 0o600)
	}

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo) // waits for the writer
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := s.SaveAs(fifo, []byte("through the pipe")); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-got:
		if b != "through the pipe" {
			t.Errorf("the FIFO's reader got %q", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing came through the FIFO")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}
}
