package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSaveAs(t *testing.T) {
	s, _ := openStore(t, Options{})
	other := t.TempDir()
	name := filepath.Join(other, "out.bin")
	os.WriteFile(name, []byte("an older, longer file"), 0o644)
	if err := s.SaveAs(name, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(name); string(b) != "new" {
		t.Errorf("%s holds %q", name, b)
	}
	f := tempWith(t, s, "from a file")
	if err := s.SaveFileAs(name, f); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(name); string(b) != "from a file" {
		t.Errorf("%s holds %q", name, b)
	}
	if _, err := os.Stat(f.Name()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary file is left: %v", err)
	}
	// A folder in the way: an error, and nothing left behind.
	if err := s.SaveAs(other, []byte("x")); err == nil {
		t.Error("SaveAs over a folder succeeded")
	}
	if err := s.SaveFileAs(other, tempWith(t, s, "x")); err == nil {
		t.Error("SaveFileAs over a folder succeeded")
	}
	ents, _ := os.ReadDir(other)
	if len(ents) != 1 {
		t.Errorf("left in %s: %v", other, ents)
	}
	if err := s.SaveFileAs(name, mustCreate(t, filepath.Join(other, "x"))); !errors.Is(err, ErrNotTempFile) {
		t.Errorf("SaveFileAs of a file not of TempFile: %v", err)
	}
}

func mustCreate(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestSaveFileAsOtherFileSystem moves a temporary file to /dev/shm, a
// tmpfs where the output directory is not: it is copied.
func TestSaveFileAsOtherFileSystem(t *testing.T) {
	shm, err := os.MkdirTemp("/dev/shm", "crawl-test-")
	if err != nil {
		t.Skipf("no /dev/shm: %v", err)
	}
	defer os.RemoveAll(shm)
	s, _ := openStore(t, Options{Fsync: true})
	f := tempWith(t, s, "across file systems")
	name := filepath.Join(shm, "out.bin")
	if err := s.SaveFileAs(name, f); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(name); string(b) != "across file systems" {
		t.Errorf("%s holds %q", name, b)
	}
	if _, err := os.Stat(f.Name()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary file is left: %v", err)
	}
	if ents, _ := os.ReadDir(shm); len(ents) != 1 {
		t.Errorf("left in %s: %v", shm, ents)
	}
}
