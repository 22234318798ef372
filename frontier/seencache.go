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
// It is a fixed table: each URL has one slot, and a URL put in a taken
// slot evicts the one there. Its memory stays bounded whatever the size of
// the crawl, and a miss only costs the frontier's own look-up. A URL once
// seen stays seen, except the redirect targets a Release unclaims: the
// caller forgets those (Forget), or a link to one is taken for seen until
// evicted (harmless, as the released item claims it again when fetched).
//
// A SeenCache is safe for concurrent use. A nil *SeenCache remembers
// nothing.
type SeenCache struct {
	seed  maphash.Seed
	mask  uint64
	mu    sync.Mutex
	slots []string
}

// NewSeenCache returns a SeenCache of at least size slots (rounded up to a
// power of two, at least 1).
func NewSeenCache(size int) *SeenCache {
	n := 1
	for n < size {
		n <<= 1
	}
	return &SeenCache{seed: maphash.MakeSeed(), mask: uint64(n - 1), slots: make([]string, n)}
}

func (c *SeenCache) slot(url string) uint64 {
	return maphash.String(c.seed, url) & c.mask
}

// Seen reports whether url was put in the cache and has not been evicted
// or forgotten since.
func (c *SeenCache) Seen(url string) bool {
	if c == nil || url == "" { // "" marks an empty slot
		return false
	}
	i := c.slot(url)
	c.mu.Lock()
	ok := c.slots[i] == url
	c.mu.Unlock()
	return ok
}

// Put remembers that the frontier has seen url.
func (c *SeenCache) Put(url string) {
	if c == nil {
		return
	}
	i := c.slot(url)
	c.mu.Lock()
	c.slots[i] = url
	c.mu.Unlock()
}

// Forget forgets urls: a Release unclaimed them.
func (c *SeenCache) Forget(urls ...string) {
	if c == nil {
		return
	}
	for _, u := range urls {
		i := c.slot(u)
		c.mu.Lock()
		if c.slots[i] == u {
			c.slots[i] = ""
		}
		c.mu.Unlock()
	}
}
