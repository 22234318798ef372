package frontier

import (
	"hash/maphash"
	"sync"
)

// SeenCache remembers some of the URLs a Frontier has seen, so that the
// many links of a crawl to pages it has met already (every page's links to
// the home page, its section, its stylesheet) are known to be seen without
// asking the frontier, which hashes each URL with SHA-256 and takes a lock
// shared with the fetchers (a disk frontier) or makes a round trip (a
// shared one).
//
// It is a fixed table of 64-bit fingerprints: each URL has one slot, and
// a URL put in a taken slot evicts the one there. Its memory stays bounded
// (8 bytes a slot, no URL kept alive) whatever the size of the crawl, and
// a miss only costs the frontier's own look-up. The fingerprint and the
// slot come from two hashes with seeds of their own, random to each cache:
// two URLs are confused with a chance of 2^-63 per look-up, which no page
// can aim at. A URL once seen stays seen, except the redirect targets a
// Release unclaims: the caller forgets those (Forget), or a link to one is
// taken for seen until evicted (harmless, as the released item claims it
// again when fetched).
//
// A SeenCache is safe for concurrent use. A nil *SeenCache remembers
// nothing.
type SeenCache struct {
	slotSeed, printSeed maphash.Seed
	mask                uint64
	mu                  sync.Mutex
	slots               []uint64 // fingerprints; 0 is an empty slot
}

// NewSeenCache returns a SeenCache of at least size slots (rounded up to a
// power of two, at least 1).
func NewSeenCache(size int) *SeenCache {
	n := 1
	for n < size {
		n <<= 1
	}
	return &SeenCache{slotSeed: maphash.MakeSeed(), printSeed: maphash.MakeSeed(),
		mask: uint64(n - 1), slots: make([]uint64, n)}
}

// slot returns url's slot and its fingerprint, never 0.
func (c *SeenCache) slot(url string) (uint64, uint64) {
	return maphash.String(c.slotSeed, url) & c.mask, maphash.String(c.printSeed, url) | 1
}

// Seen reports whether url was put in the cache and has not been evicted
// or forgotten since.
func (c *SeenCache) Seen(url string) bool {
	if c == nil {
		return false
	}
	i, fp := c.slot(url)
	c.mu.Lock()
	ok := c.slots[i] == fp
	c.mu.Unlock()
	return ok
}

// Put remembers that the frontier has seen url.
func (c *SeenCache) Put(url string) {
	if c == nil {
		return
	}
	i, fp := c.slot(url)
	c.mu.Lock()
	c.slots[i] = fp
	c.mu.Unlock()
}

// Forget forgets urls: a Release unclaimed them.
func (c *SeenCache) Forget(urls ...string) {
	if c == nil {
		return
	}
	for _, u := range urls {
		i, fp := c.slot(u)
		c.mu.Lock()
		if c.slots[i] == fp {
			c.slots[i] = 0
		}
		c.mu.Unlock()
	}
}
