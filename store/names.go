package store

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// This file holds how the Store finds a name for a file when the one it
// wants is taken: by a folder, by a file where a folder must go, or by
// another URL of the same run.

// place renames the temporary file tmp to rel or to the alternative that
// the conflict rules of Store give, and returns the name used; dirMade
// says that rel's folder was just created by mkdirs. Conflicts
// are detected from the errors of MkdirAll and Rename rather than checked
// beforehand, so that concurrent writers cannot slip between a check and
// its use.
func (s *Store) place(tmp, rel string, dirMade bool) (string, error) {
	dir, base := path.Split(rel)
	dir = strings.TrimSuffix(dir, "/")
	var err error
	taken := 0 // names found taken on disk, with Options.NoClobber
	for try := 0; try < maxTries; try++ {
		if dir != "" && (try > 0 || !dirMade) {
			if dir, err = s.mkdirs(dir); err != nil {
				return "", err
			}
		}
		name := s.reserve(path.Join(dir, base))
		err = s.moveIn(s.root, tmp, filepath.FromSlash(name))
		if s.opts.NoClobber && errors.Is(err, fs.ErrExist) && !s.isDir(name) && taken < maxTaken {
			// A file of an earlier run keeps its name, which stays
			// reserved: the next suffix is tried. Each such name is
			// tried once per run, so this ends.
			taken++
			try--
			continue
		}
		if err == nil {
			if s.opts.Fsync {
				if err := s.syncDirs(dir); err != nil {
					return name, err // the file is in place; only durability failed
				}
			}
			return name, nil
		}
		s.release(name)
		switch {
		case errors.Is(err, syscall.EEXIST), errors.Is(err, syscall.EISDIR), errors.Is(err, syscall.ENOTEMPTY):
			// A directory holds the name: try the file alternative.
			base = withSuffix(path.Base(name), fileSuffix)
		case errors.Is(err, syscall.ENOTDIR), errors.Is(err, fs.ErrNotExist) && s.exists(tmp):
			// The tree changed between MkdirAll and Rename: look again.
		default:
			return "", fmt.Errorf("renaming into place: %w", err)
		}
	}
	return "", fmt.Errorf("renaming into place: giving up after %d tries: %w", maxTries, err)
}

// mkdirs creates the folder dir and its parents, replacing a component
// held by a file with its "~dir" alternative, and returns the folder
// created.
func (s *Store) mkdirs(dir string) (string, error) {
	var err error
	for range maxTries {
		err = s.root.MkdirAll(filepath.FromSlash(dir), 0o755)
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, syscall.ENOTDIR) && !errors.Is(err, syscall.EEXIST) {
			return "", fmt.Errorf("creating folder: %w", err)
		}
		if dir, err = s.altDir(dir); err != nil {
			return "", fmt.Errorf("creating folder: %w", err)
		}
	}
	return "", fmt.Errorf("creating folder: giving up after %d tries: %w", maxTries, err)
}

// altDir returns dir with its first component that exists but is not a
// directory replaced by its "~dir" alternative. If there is none (the
// tree changed), dir is returned as it is, to be tried again.
func (s *Store) altDir(dir string) (string, error) {
	parts := strings.Split(dir, "/")
	for i := range parts {
		fi, err := s.root.Stat(filepath.FromSlash(strings.Join(parts[:i+1], "/")))
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return "", err
		}
		if !fi.IsDir() {
			parts[i] = shorten(parts[i] + dirSuffix)
			return strings.Join(parts, "/"), nil
		}
	}
	return dir, nil
}

// maxTaken bounds the names Options.NoClobber finds taken on disk for
// one file: far more than a folder holds files of one name.
const maxTaken = 1 << 20

// renamer is what moveIn needs of an os.Root or a folder.
type renamer interface {
	Rename(oldname, newname string) error
	Link(oldname, newname string) error
	Remove(name string) error
}

// moveIn moves the temporary file tmp of root to name: renamed over
// whatever has the name, or with Options.NoClobber linked, which fails
// with fs.ErrExist when the name is taken, and then unlinked from tmp.
func (s *Store) moveIn(root renamer, tmp, name string) error {
	if !s.opts.NoClobber {
		return root.Rename(tmp, name)
	}
	if err := root.Link(tmp, name); err != nil {
		return err
	}
	if err := root.Remove(tmp); err != nil {
		return fmt.Errorf("removing the temporary name: %w", err)
	}
	return nil
}

// isDir reports whether rel is a directory.
func (s *Store) isDir(rel string) bool {
	fi, err := s.root.Lstat(filepath.FromSlash(rel))
	return err == nil && fi.IsDir()
}

func (s *Store) exists(name string) bool {
	_, err := s.root.Lstat(name)
	return err == nil
}

// reserve claims name, or if it was already written in this run the
// first free alternative name~2, name~3 ..., and returns the claimed name.
func (s *Store) reserve(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	cand := name
	for i := 2; ; i++ {
		if _, taken := s.written[cand]; !taken {
			s.written[cand] = struct{}{}
			return cand
		}
		cand = withSuffix(name, "~"+strconv.Itoa(i))
	}
}

// reserveExact claims name if it was not written in this run.
func (s *Store) reserveExact(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.written[name]; taken {
		return false
	}
	s.written[name] = struct{}{}
	return true
}

func (s *Store) release(name string) {
	s.mu.Lock()
	delete(s.written, name)
	s.mu.Unlock()
}

// checkRel reports whether rel is a path Put accepts.
func checkRel(rel string) error {
	if rel == "" || strings.IndexByte(rel, 0) >= 0 {
		return ErrInvalidPath
	}
	for i, c := range strings.Split(rel, "/") {
		if c == "" || c == "." || c == ".." || (i == 0 && c == WorkDir) {
			return ErrInvalidPath
		}
	}
	return nil
}

// withSuffix inserts suffix into the last component of name, before its
// extension if it has one, keeping the component within MaxName bytes.
func withSuffix(name, suffix string) string {
	dir, base := path.Split(name)
	if i := extIndex(base); i > 0 && len(base)-i <= maxExt {
		base = base[:i] + suffix + base[i:]
	} else {
		base += suffix
	}
	return dir + shorten(base)
}
