package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
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

// ErrEdited reports a saved file whose bytes, like those of its kept
// original if it has one, are not the body that was fetched: it was
// edited since.
var ErrEdited = errors.New("store: the file differs from the body fetched")

// ReadAsFetched returns the body of rel as it was fetched, whose SHA-256
// (hex) is digest: the file itself, or the original SaveOriginal kept
// before the file was rewritten (converted is then true). current is the
// file as it is now. A file that is neither gives ErrEdited, with current
// set. Files over limit bytes are an error.
func (s *Store) ReadAsFetched(rel, digest string, limit int64) (body, current []byte, converted bool, err error) {
	current, err = s.ReadFile(rel, limit)
	if err != nil {
		return nil, nil, false, err
	}
	if sha256Hex(current) == digest {
		return current, current, false, nil
	}
	orig, err := s.Original(rel, limit)
	if err == nil && sha256Hex(orig) == digest {
		return orig, current, true, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, current, false, err
	}
	return nil, current, false, fmt.Errorf("reading %q: %w", rel, ErrEdited)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
