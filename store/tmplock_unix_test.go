//go:build unix

package store

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStaleTempsRemoved checks that opening a directory removes the
// temporary files no process holds (a killed crawl's), and only them: a
// file a running Store streams to stays.
func TestStaleTempsRemoved(t *testing.T) {
	dir := t.TempDir()
	running, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer running.Close()
	live, err := running.TempFile()
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	live.WriteString("being streamed")
	stale := filepath.Join(dir, filepath.FromSlash(tmpDir), "dead-process-1")
	if err := os.WriteFile(stale, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}

	other, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale file is still there: %v", err)
	}
	if _, err := os.Stat(live.Name()); err != nil {
		t.Errorf("the file a running Store holds was removed: %v", err)
	}

	// Once closed (its process gone), it is stale too.
	live.Close()
	again, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
	if _, err := os.Stat(live.Name()); !os.IsNotExist(err) {
		t.Errorf("the file no process holds any more is still there: %v", err)
	}
}
