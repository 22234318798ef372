//go:build !linux

package store

import (
	"errors"
	"path"
	"path/filepath"
	"runtime"
)

// syncAll makes everything written so far durable: without syncfs(2), it
// fsyncs every file written in this run, then every folder holding one
// (except on Windows, where folders cannot be synced).
func (s *Store) syncAll() error {
	s.mu.Lock()
	names := make([]string, 0, len(s.written))
	for name := range s.written {
		names = append(names, name)
	}
	s.mu.Unlock()
	var errs []error
	dirs := map[string]struct{}{".": {}}
	for _, name := range names {
		errs = append(errs, s.syncPath(name))
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			dirs[d] = struct{}{}
		}
	}
	if runtime.GOOS != "windows" {
		for d := range dirs {
			errs = append(errs, s.syncPath(d))
		}
	}
	return errors.Join(errs...)
}

func (s *Store) syncPath(name string) error {
	f, err := s.root.Open(filepath.FromSlash(name))
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
