package crawl

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
)

// TestFatalDiskFull: whichever write meets a full disk first (here the
// state's commit, which TestDiskFull meets only on some runs), the error
// that stops the crawl says what to do; it is not wrapped twice.
func TestFatalDiskFull(t *testing.T) {
	for _, tc := range []struct {
		err  error
		full bool
	}{
		{fmt.Errorf("taking the next URL: committing 89 frontier operations: write state.db: %w", syscall.ENOSPC), true},
		{fmt.Errorf("writing the manifest: %w", syscall.EDQUOT), true},
		{diskFullError(fmt.Errorf("saving x: %w", syscall.ENOSPC)), true},
		{errors.New("the manifest cannot be written: permission denied"), false},
	} {
		var f fatal
		f.set(tc.err)
		got := f.get()
		if errors.Is(got, errDiskFull) != tc.full {
			t.Errorf("set(%v): got %v; want a disk full error: %v", tc.err, got, tc.full)
		}
		if tc.full && strings.Count(got.Error(), "run the same command again") != 1 {
			t.Errorf("set(%v): %q; want the advice once", tc.err, got)
		}
	}
}
