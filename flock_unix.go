//go:build unix

package crawl

import (
	"os"

	"golang.org/x/sys/unix"
)

// flockNB takes an exclusive flock(2) on f without waiting. The system
// drops it when f is closed or the process dies, however it dies.
func flockNB(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
}
