//go:build !unix

package crawl

import (
	"errors"
	"os"
)

// flockNB reports errors.ErrUnsupported: files are not locked with flock
// here.
func flockNB(*os.File) error { return errors.ErrUnsupported }
