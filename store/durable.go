package store

import (
	"fmt"
	"path"
	"path/filepath"
)

// This file holds what makes new files and folders survive a power cut
// when Options.Fsync asks for it.

// syncDirs fsyncs dir, which has just received a file, and every
// ancestor's parent that was not synced before in this run, so that new
// folders survive a power cut too.
func (s *Store) syncDirs(dir string) error {
	if err := s.syncDir(dir); err != nil {
		return err
	}
	for dir != "" {
		s.mu.Lock()
		_, done := s.durable[dir]
		s.durable[dir] = struct{}{}
		s.mu.Unlock()
		if done {
			return nil
		}
		parent := path.Dir(dir)
		if parent == "." {
			parent = ""
		}
		if err := s.syncDir(parent); err != nil {
			return err
		}
		dir = parent
	}
	return nil
}

func (s *Store) syncDir(dir string) error {
	if dir == "" {
		dir = "."
	}
	d, err := s.root.Open(filepath.FromSlash(dir))
	if err != nil {
		return fmt.Errorf("syncing folder: %w", err)
	}
	err = d.Sync()
	d.Close()
	if err != nil {
		return fmt.Errorf("syncing folder %s: %w", dir, err)
	}
	return nil
}
