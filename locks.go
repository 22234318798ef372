package crawl

import (
	"errors"
	"os"
)

// The locks that tell a file in use by a running crawl from one a dead
// crawl left: flock(2) locks, which the system drops however a process
// ends (flockNB).

// lockState takes the lock that the database takes on the state file f
// (flock, exclusive), without waiting; closing f releases it. Where files
// are not locked with flock it reports true: the database's lock makes
// the removal of a state in use fail instead.
func lockState(f *os.File) bool {
	err := flockNB(f)
	return err == nil || errors.Is(err, errors.ErrUnsupported)
}

// holdLock creates the file at path and takes its lock, held until the
// returned file is closed: the mark of an archive file being written (see
// lockFree). Where files cannot be locked, the file marks nothing.
func holdLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := flockNB(f); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		return nil, err
	}
	return f, nil
}

// lockFree reports whether the file at path exists and no process holds
// its lock: what it marks was left by a crawl that died. A missing file
// marks nothing (a crawl may be about to take it), and where files cannot
// be locked none is free: nothing is ever taken over.
func lockFree(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return flockNB(f) == nil
}
