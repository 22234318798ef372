//go:build unix

package crawl

import (
	"os"

	"golang.org/x/sys/unix"
)

// lockState takes the lock that the database takes on the state file f
// (flock, exclusive), without waiting; closing f releases it.
func lockState(f *os.File) bool {
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil
}
