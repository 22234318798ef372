package crawl

import (
	"context"
	"errors"
	"sync"
)

// fatal holds the first error that stops the crawl. It is safe for
// concurrent use.
type fatal struct {
	mu   sync.Mutex
	err  error
	stop context.CancelFunc // stops the intake; nil before Run
}

func (f *fatal) set(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return
	}
	if diskFull(err) && !errors.Is(err, errDiskFull) {
		// Whatever write met it (the state, the manifest, a file):
		// the user can go on once there is room.
		err = diskFullError(err)
	}
	f.err = err
	if f.stop != nil {
		f.stop()
	}
}

func (f *fatal) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// onFail sets what a failure stops.
func (f *fatal) onFail(stop context.CancelFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stop = stop
	if f.err != nil {
		stop()
	}
}
