//go:build !unix

package store

import "os"

// lockTemp does nothing where flock(2) is missing: stale temporary files
// are then left to the user (see the unix version).
func lockTemp(root *os.Root, f *os.File, name string) (bool, error) { return true, nil }

// removeStaleTemps removes nothing where files cannot be locked.
func removeStaleTemps(root *os.Root) error { return nil }
