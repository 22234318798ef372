//go:build unix

package store

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// lockTemp marks f, a file just created (or moved) as name in
// DIR/.crawl/tmp, as in use: it takes an flock(2) on it, which the
// system drops when the file is closed or the process dies, however it
// dies. removeStaleTemps removes only the files it can lock. It reports
// false when name no longer is f: a cleaner removed it between its
// creation and the lock, and the caller makes another.
func lockTemp(root *os.Root, f *os.File, name string) (bool, error) {
	if err := flock(f, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return false, err
	}
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	now, err := root.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(fi, now), nil
}

func flock(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		ferr = retryEINTR(func() error { return unix.Flock(int(fd), how) })
	}); err != nil {
		return err
	}
	return ferr
}

// removeStaleTemps removes the files of DIR/.crawl/tmp that no process
// holds: the bodies being streamed to disk, and the partial downloads
// being continued, of a crawl killed (kill -9, a second Ctrl-C, a crash)
// before it could remove them. A file another running crawl holds is
// locked (lockTemp) and stays.
func removeStaleTemps(root *os.Root) error {
	ents, err := fs.ReadDir(root.FS(), tmpDir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		name := filepath.FromSlash(path.Join(tmpDir, e.Name()))
		f, err := root.OpenFile(name, os.O_RDONLY, 0)
		if err != nil {
			continue // gone already, or not ours to read
		}
		if flock(f, unix.LOCK_EX|unix.LOCK_NB) == nil {
			// Locked: no process holds it, and none can take it
			// until it is closed, after the removal.
			if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		f.Close()
	}
	return errors.Join(errs...)
}
