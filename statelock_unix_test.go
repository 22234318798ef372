//go:build unix

package crawl

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRemoveIncompleteState: a state file cut short is removed, unless a
// crawl holds it (it may be creating it); a whole one is kept.
func TestRemoveIncompleteState(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.db")
	if err := os.WriteFile(short, make([]byte, 8192), 0o600); err != nil {
		t.Fatal(err)
	}
	holder, err := os.Open(short)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Flock(int(holder.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if err := removeIncompleteState(short); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(short); err != nil {
		t.Errorf("a state file another crawl holds was removed: %v", err)
	}
	holder.Close() // releases the lock
	if err := removeIncompleteState(short); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(short); !os.IsNotExist(err) {
		t.Errorf("a state file cut short is still there: %v", err)
	}
	whole := filepath.Join(dir, "whole.db")
	if err := os.WriteFile(whole, make([]byte, minStateSize), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := removeIncompleteState(whole); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(whole); err != nil {
		t.Errorf("a state file of %d bytes was removed: %v", minStateSize, err)
	}
}
