package store

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// This file holds what writes a body to a file the user named, outside
// the output directory (wget's -O FILE): atomically, as Put does.

// SaveAs writes data to the file name, a path of the file system (not
// relative to the output directory, and not confined to it): to a new
// temporary file in name's folder, renamed over name, so that name is
// never seen partial, whatever it held before. With Options.Fsync the
// file is synced before the rename.
//
// A name that is not a regular file (a device such as /dev/null, a FIFO)
// is written into, as wget and curl do; a symbolic link is followed, so
// that its target gets the body and the link stays; an existing file keeps
// its permissions.
func (s *Store) SaveAs(name string, data []byte) error {
	name, special, err := outputTarget(name)
	if err != nil {
		return fmt.Errorf("saving %s: %w", name, err)
	}
	if special != nil {
		if err := writeInto(special, bytes.NewReader(data)); err != nil {
			return fmt.Errorf("saving %s: %w", name, err)
		}
		return nil
	}
	f, err := createBeside(name)
	if err != nil {
		return fmt.Errorf("saving %s: %w", name, err)
	}
	if err := s.writeClose(f, data); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("saving %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), name); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("saving %s: %w", name, err)
	}
	return nil
}

// SaveFileAs moves f, a file of TempFile fully written, to the file name
// as SaveAs does: renamed, when name is on the output directory's file
// system, or else copied to a temporary file in name's folder which is
// renamed. f is closed and its file removed in all cases.
func (s *Store) SaveFileAs(name string, f *os.File) error {
	tmp := s.tmpRel(f)
	if tmp == "" {
		f.Close()
		return fmt.Errorf("saving %s from %s: %w", name, f.Name(), ErrNotTempFile)
	}
	defer s.root.Remove(tmp)
	err := s.saveFileAs(name, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("saving %s: %w", name, err)
	}
	return nil
}

func (s *Store) saveFileAs(name string, f *os.File) error {
	name, special, err := outputTarget(name)
	if err != nil {
		return err
	}
	if special != nil {
		return writeInto(special, io.NewSectionReader(f, 0, 1<<62))
	}
	if s.opts.Fsync {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	if err := keepMode(f, name); err != nil {
		return err
	}
	err = os.Rename(f.Name(), name)
	if !errors.Is(err, syscall.EXDEV) {
		return err
	}
	// Another file system: copy.
	out, err := createBeside(name)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, io.NewSectionReader(f, 0, 1<<62))
	if err == nil && s.opts.Fsync {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(out.Name(), name)
	}
	if err != nil {
		os.Remove(out.Name())
	}
	return err
}

// outputTarget returns the file that -O name writes: name, or what the
// symbolic link name leads to. When that exists and is not a regular file
// (a device, a FIFO), it returns it opened for writing, to write into
// instead of renaming over it.
func outputTarget(name string) (string, *os.File, error) {
	for range maxLinks {
		fi, err := os.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			return name, nil, nil
		}
		if err != nil {
			return name, nil, err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			to, err := os.Readlink(name)
			if err != nil {
				return name, nil, err
			}
			if !filepath.IsAbs(to) {
				to = filepath.Join(filepath.Dir(name), to)
			}
			name = to
			continue
		case fi.Mode().IsRegular():
			return name, nil, nil
		case fi.IsDir():
			return name, nil, fmt.Errorf("%w: a directory", fs.ErrExist)
		}
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		return name, f, err
	}
	return name, nil, fmt.Errorf("more than %d symbolic links", maxLinks)
}

// writeInto copies r into dst, a device or FIFO that -O names, and
// closes it.
func writeInto(dst *os.File, r io.Reader) error {
	_, err := io.Copy(dst, r)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	return err
}

// keepMode gives f, a temporary file that replaces name, the permissions
// of name if it is a regular file.
func keepMode(f *os.File, name string) error {
	fi, err := os.Stat(name)
	if err != nil || !fi.Mode().IsRegular() {
		return nil // none to keep
	}
	return f.Chmod(fi.Mode().Perm())
}

// maxLinks bounds the symbolic links outputTarget follows.
const maxLinks = 40

// createBeside creates a new hidden temporary file in the folder of name,
// with the permissions a new file gets (0666 less the umask), unlike
// os.CreateTemp's 0600, or those of the file name if there is one.
func createBeside(name string) (*os.File, error) {
	dir, base := filepath.Split(name)
	for range maxTries {
		var rnd [6]byte
		rand.Read(rnd[:])
		tmp := filepath.Join(dir, "."+base+tmpSuffix+hex.EncodeToString(rnd[:]))
		f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := keepMode(f, name); err != nil {
			f.Close()
			os.Remove(tmp)
			return nil, err
		}
		return f, nil
	}
	return nil, fs.ErrExist
}

// tmpSuffix follows the name of the file a temporary file of SaveAs
// becomes.
const tmpSuffix = ".crawl-tmp-"
