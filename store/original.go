package store

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// origDir holds the bodies as fetched of the files that link conversion
// rewrote, under their mirror paths: conversion always starts again from
// them, and a re-crawl reads the links of an unchanged page from them.
const origDir = WorkDir + "/orig"

// SaveOriginal keeps data, the body of rel as it was fetched, in
// DIR/.crawl/orig/rel, atomically, before rel is rewritten.
func (s *Store) SaveOriginal(rel string, data []byte) error {
	if err := checkRel(rel); err != nil {
		return fmt.Errorf("keeping the original of %q: %w", rel, err)
	}
	name := path.Join(origDir, rel)
	if err := s.root.MkdirAll(filepath.FromSlash(path.Dir(name)), 0o755); err != nil {
		return fmt.Errorf("keeping the original of %q: %w", rel, err)
	}
	f, err := s.TempFile()
	if err != nil {
		return fmt.Errorf("keeping the original of %q: %w", rel, err)
	}
	tmp := s.tmpRel(f)
	err = s.writeClose(f, data)
	if err == nil {
		err = s.root.Rename(tmp, filepath.FromSlash(name))
	}
	if err != nil {
		s.root.Remove(tmp)
		return fmt.Errorf("keeping the original of %q: %w", rel, err)
	}
	return nil
}

// Original returns the body SaveOriginal kept for rel, if it is at most
// limit bytes long; an error wrapping fs.ErrNotExist when there is none.
func (s *Store) Original(rel string, limit int64) ([]byte, error) {
	if err := checkRel(rel); err != nil {
		return nil, fmt.Errorf("reading the original of %q: %w", rel, err)
	}
	return s.readFile(path.Join(origDir, rel), limit)
}

// Overwrite replaces rel, a file of the output directory, with data,
// atomically, whoever wrote it: link conversion rewrites files of this
// run and of earlier ones.
func (s *Store) Overwrite(rel string, data []byte) error {
	if err := checkRel(rel); err != nil {
		return fmt.Errorf("rewriting %q: %w", rel, err)
	}
	f, tmp, err := s.create(filepath.FromSlash(path.Dir(rel)))
	if err != nil {
		return fmt.Errorf("rewriting %q: %w", rel, err)
	}
	err = s.writeClose(f, data)
	if err == nil {
		err = s.root.Rename(tmp, filepath.FromSlash(rel))
	}
	if err != nil {
		s.root.Remove(tmp)
		return fmt.Errorf("rewriting %q: %w", rel, err)
	}
	if s.opts.Fsync {
		return s.syncDirs(strings.TrimSuffix(path.Dir(rel), "."))
	}
	return nil
}
