package crawl

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/ratelimit"
)

// The errors the engine labels itself, and the labels (outcome.Kind) of
// every error a URL can end with in the manifest.

// Errors the engine labels itself; the fetcher's are labelled by
// fetch.ErrorKind.
var (
	// errStore marks failures to write a body to disk.
	errStore = errors.New("saving file")
	// errBadURL marks seeds that are not valid URLs.
	errBadURL = errors.New("bad url")
	// errNotArchived marks a URL whose exchange could not be archived:
	// an archived crawl is missing it, so the URL fails (as a body that
	// could not be saved) and the next run fetches it again.
	errNotArchived = errors.New("not archived")
)

// errDiskFull stops a crawl whose output directory's file system is full.
var errDiskFull = errors.New("the disk is full")

// diskFull reports whether err is a write that failed for want of space
// (or of quota): every later write would fail too. A file too large for
// its file system (EFBIG) is the URL's own failure.
func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// diskFullError is the error that stops a crawl on a full disk, with what
// the user can do.
func diskFullError(err error) error {
	return fmt.Errorf("%w: %v; free some space, then run the same command again to resume", errDiskFull, err)
}

// errorKind labels an error for the manifest and the summary.
func errorKind(err error) outcome.Kind {
	switch {
	case errors.Is(err, errStore), errors.Is(err, errNotArchived):
		return outcome.Store
	case errors.Is(err, errBadURL):
		return outcome.BadURL
	case errors.Is(err, errRobots):
		return outcome.Robots
	case errors.Is(err, errRobotsUnavailable):
		return outcome.RobotsUnavailable
	case errors.Is(err, ratelimit.ErrHostUnreachable):
		return outcome.HostUnreachable
	}
	return fetch.ErrorKind(err)
}
