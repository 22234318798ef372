//go:build unix

package crawl

import (
	"os"

	"golang.org/x/sys/unix"
)

// holdLock creates the file at path and takes an flock(2) on it, which
// the system drops when the file is closed or the process dies, however
// it dies: the mark of an archive file being written (see lockFree).
func holdLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// lockFree reports whether no process holds the lock of the file at path:
// what it marks was left by a crawl that died. A missing file is free.
func lockFree(path string) bool {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return true
	}
	if err != nil {
		return false
	}
	defer f.Close()
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil
}
