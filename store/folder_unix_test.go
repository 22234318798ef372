//go:build unix

package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestFolderStaysInside checks the fast path's folder handle: creating a
// name held by a symbolic link fails without writing through it, renaming
// over a link replaces the link, and a failed create leaves nothing.
func TestFolderStaysInside(t *testing.T) {
	top, outside := t.TempDir(), t.TempDir()
	if err := os.Mkdir(filepath.Join(top, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(outside, "secret")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"link", "over"} {
		if err := os.Symlink(target, filepath.Join(top, "d", name)); err != nil {
			t.Fatal(err)
		}
	}
	root, err := os.OpenRoot(top)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	d, err := openFolder(root, "d")
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()

	if err := d.create("link", []byte("x")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("create over a symbolic link: %v, want an error for an existing name", err)
	}
	if err := d.create("new", []byte("data")); err != nil {
		t.Fatal(err)
	}
	if err := d.Rename("new", "over"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "keep" {
		t.Errorf("the file outside became %q, %v", b, err)
	}
	fi, err := os.Lstat(filepath.Join(top, "d", "over"))
	if err != nil || !fi.Mode().IsRegular() {
		t.Errorf("over is %v, %v; want the renamed regular file", fi, err)
	}
	if _, err := openFolder(root, "../"+filepath.Base(outside)); err == nil {
		t.Error("opened a folder outside the root")
	}
	if err := d.create("sub/x", nil); err == nil {
		t.Error("created a file in a folder that does not exist")
	}
	ents, _ := os.ReadDir(filepath.Join(top, "d"))
	if len(ents) != 2 {
		t.Errorf("the folder holds %d entries, want 2 (link, over)", len(ents))
	}
}
