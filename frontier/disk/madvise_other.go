//go:build !linux

package disk

// unmapPages does nothing here: the pages of the mapping the process has
// read stay resident until the kernel reclaims them.
func unmapPages(addr uintptr, size int64) {}
