package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// Keep claims rel, a file that an earlier run into this directory wrote,
// for the URL that owns it in this run: Put and PutFile will not give its
// name to another URL, and one Replace, ReplaceFile or Remove of rel may
// overwrite or delete it. A re-crawl keeps every earlier file before it
// starts, so that the names stay with their URLs whatever order the URLs
// come back in.
func (s *Store) Keep(rel string) {
	if checkRel(rel) != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.written[rel] = struct{}{}
	if s.kept == nil {
		s.kept = make(map[string]struct{})
	}
	s.kept[rel] = struct{}{}
}

// takeKept reports whether rel was kept and not yet taken, and takes it.
func (s *Store) takeKept(rel string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.kept[rel]
	delete(s.kept, rel)
	return ok
}

// Replace writes data to rel, a name given to Keep, atomically replacing
// the earlier file, and returns rel. When rel was not kept (or was taken
// already), it is Put.
func (s *Store) Replace(rel string, data []byte) (string, error) {
	if !s.takeKept(rel) {
		return s.Put(rel, data)
	}
	dir := strings.TrimSuffix(path.Dir(rel), ".")
	f, tmp, err := s.create(filepath.FromSlash(dir))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return "", fmt.Errorf("saving %q: %w", rel, err)
		}
		// The folder is gone since the earlier run: write as new.
		s.release(rel)
		return s.Put(rel, data)
	}
	err = s.writeClose(f, data)
	final := rel
	if err == nil {
		final, err = s.replaceWith(tmp, rel)
	}
	if err != nil {
		s.root.Remove(tmp)
		return "", fmt.Errorf("saving %q: %w", rel, err)
	}
	return final, nil
}

// ReplaceFile moves f, a file returned by TempFile and fully written, to
// rel as Replace does. It closes f in all cases and removes its file on
// error.
func (s *Store) ReplaceFile(rel string, f *os.File) (string, error) {
	tmp := s.tmpRel(f)
	if tmp == "" || !s.takeKept(rel) {
		return s.PutFile(rel, f)
	}
	err := f.Close()
	if s.opts.Fsync && err == nil {
		err = syncFile(s.root, tmp)
	}
	final := rel
	if err == nil {
		final, err = s.replaceWith(tmp, rel)
	}
	if err != nil {
		s.root.Remove(tmp)
		return "", fmt.Errorf("saving %q: %w", rel, err)
	}
	return final, nil
}

// replaceWith renames the temporary file tmp over rel. When that fails
// (the tree changed since the earlier run: a folder took the name), the
// file is placed by the rules of Put, and its name returned.
func (s *Store) replaceWith(tmp, rel string) (string, error) {
	if err := s.root.Rename(tmp, filepath.FromSlash(rel)); err != nil {
		s.release(rel)
		return s.place(tmp, rel, false)
	}
	if s.opts.Fsync {
		return rel, s.syncDirs(strings.TrimSuffix(path.Dir(rel), "."))
	}
	return rel, nil
}

// Remove deletes rel, a name given to Keep and not yet taken: a re-crawl
// with --prune removes the files of pages that are gone. A file already
// missing is not an error.
func (s *Store) Remove(rel string) error {
	if !s.takeKept(rel) {
		return fmt.Errorf("removing %q: %w", rel, ErrNotKept)
	}
	if err := s.root.Remove(filepath.FromSlash(rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing %q: %w", rel, err)
	}
	// The body as fetched that link conversion kept goes with it.
	if err := s.root.Remove(filepath.FromSlash(path.Join(origDir, rel))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the original of %q: %w", rel, err)
	}
	return nil
}

// ErrNotKept reports a Remove of a name that Keep was not given, or that
// was taken already.
var ErrNotKept = errors.New("store: not a kept file")

// ReadFile returns the contents of rel, a file of the output directory,
// if it is at most limit bytes long.
func (s *Store) ReadFile(rel string, limit int64) ([]byte, error) {
	if err := checkRel(rel); err != nil {
		return nil, fmt.Errorf("reading %q: %w", rel, err)
	}
	return s.readFile(rel, limit)
}

// readFile reads name, a slash-separated path under the root, if it is at
// most limit bytes long.
func (s *Store) readFile(rel string, limit int64) ([]byte, error) {
	f, err := s.root.Open(filepath.FromSlash(rel))
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", rel, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", rel, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("reading %q: larger than %d bytes", rel, limit)
	}
	return data, nil
}

// syncFile fsyncs the file name of root.
func syncFile(root *os.Root, name string) error {
	f, err := root.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Has reports whether rel is a regular file of the output directory.
func (s *Store) Has(rel string) bool {
	if checkRel(rel) != nil {
		return false
	}
	fi, err := s.root.Stat(filepath.FromSlash(rel))
	return err == nil && fi.Mode().IsRegular()
}
