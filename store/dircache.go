package store

import (
	"os"
	"sync"
)

// maxOpenDirs bounds the folders a Store keeps open.
const maxOpenDirs = 256

// dirCache keeps recently used folders of the output directory open
// (see folder), so that writing a file there costs one system call per step
// (create, rename) instead of a walk of its whole path for each. Entries
// are reference-counted: a folder in use is never closed, and the least
// recently used idle ones are closed when there are more than maxOpenDirs.
// The zero value is ready to use; it is safe for concurrent use.
type dirCache struct {
	mu    sync.Mutex
	dirs  map[string]*openDir
	clock uint64
}

type openDir struct {
	folder
	refs int
	used uint64
}

// get returns the folder dir of root (slash-separated, not empty), opened,
// and a function to call when done with it. It fails when dir does not
// exist or is not a folder.
func (c *dirCache) get(root *os.Root, dir string) (folder, func(), error) {
	c.mu.Lock()
	if d := c.dirs[dir]; d != nil {
		d.refs++
		c.clock++
		d.used = c.clock
		c.mu.Unlock()
		return d.folder, func() { c.put(d) }, nil
	}
	c.mu.Unlock()

	r, err := openFolder(root, dir)
	if err != nil {
		return folder{}, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dirs == nil {
		c.dirs = make(map[string]*openDir)
	}
	d := c.dirs[dir]
	if d != nil {
		r.close() // another goroutine opened it meanwhile
	} else {
		d = &openDir{folder: r}
		c.dirs[dir] = d
		c.evict()
	}
	d.refs++
	c.clock++
	d.used = c.clock
	return d.folder, func() { c.put(d) }, nil
}

func (c *dirCache) put(d *openDir) {
	c.mu.Lock()
	d.refs--
	c.mu.Unlock()
}

// evict closes idle folders, least recently used first, until at most
// maxOpenDirs are open. It must be called with c.mu held.
func (c *dirCache) evict() {
	for len(c.dirs) > maxOpenDirs {
		var oldest string
		var od *openDir
		for name, d := range c.dirs {
			if d.refs == 0 && (od == nil || d.used < od.used) {
				oldest, od = name, d
			}
		}
		if od == nil {
			return // all in use: let the cache grow for now
		}
		od.close()
		delete(c.dirs, oldest)
	}
}

// forget closes and drops dir, after an error suggests that the folder
// open under that name is no longer the one in the tree.
func (c *dirCache) forget(dir string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.dirs[dir]; d != nil && d.refs == 0 {
		d.close()
		delete(c.dirs, dir)
	}
}

// close closes every folder. It must be called when no get is under way.
func (c *dirCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, d := range c.dirs {
		d.close()
		delete(c.dirs, name)
	}
}
