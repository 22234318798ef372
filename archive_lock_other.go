//go:build !unix

package crawl

import "os"

// holdLock creates the file at path; without flock(2), it marks nothing
// (see the unix version).
func holdLock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
}

// lockFree reports false: without flock(2), a file cannot be told left by
// a dead crawl, and is never taken over.
func lockFree(path string) bool { return false }
