//go:build !windows

package disk

import "math"

// initialMmapSize is how much address space the state file is mapped in
// from the start: 1 GB (bbolt's largest doubling step) where addresses
// are 64 bits, so that a crawl of a few million URLs is never remapped;
// bbolt's default (0) where they are 32 (math.MaxInt>>62 is 0 there).
const initialMmapSize = 1 << 30 * (math.MaxInt >> 62)
