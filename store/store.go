package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

const (
	// WorkDir is the folder of the output directory that holds crawl's own
	// files. Put refuses paths under it, and Path never produces one.
	WorkDir = ".crawl"
	// tmpDir holds the temporary files of TempFile until they are renamed
	// into place. It is on the same file system as the mirror, so the
	// rename is atomic.
	tmpDir = WorkDir + "/tmp"
	// tmpPrefix starts the names of Put's temporary files, which are
	// created in the folder of their final name.
	tmpPrefix = ".crawl-tmp-"

	// fileSuffix is added to a file name whose place is taken by a
	// directory, dirSuffix to a folder name whose place is taken by a file.
	fileSuffix = "~file"
	dirSuffix  = "~dir"

	// maxTries bounds the renaming loops, which only repeat when the tree
	// changes under them or when suffixed names are taken too.
	maxTries = 32
)

var (
	// ErrInvalidPath reports a relative path that Put or PutFile refuse:
	// empty, absolute, with an empty, "." or ".." component, a NUL, or
	// under WorkDir.
	ErrInvalidPath = errors.New("store: invalid relative path")
	// ErrNotTempFile reports a file given to PutFile that TempFile did not
	// create.
	ErrNotTempFile = errors.New("store: not a temporary file of this store")
)

// Options configures a Store. The zero value is the default.
type Options struct {
	// Fsync makes every write durable before Put returns: the file is
	// fsynced before its rename, and after it the directory that holds it
	// (and, once per run, each new folder's parent). This survives a power
	// cut but costs a few milliseconds per file on most disks.
	//
	// Without it, writes are still atomic against a crash or kill of the
	// process (a file is only ever seen complete under its final name),
	// and Close makes the whole tree durable with one syncfs(2) on Linux
	// (other systems: an fsync of every file written and its directory).
	Fsync bool
	// NoClobber never puts a file over one that an earlier run left: a
	// name taken on disk gets the next suffix "~2", "~3"... as a name
	// written in this run does (see Store). It is for layouts whose names
	// are not unique to their URLs (PathOptions.NoDirs, NoHostDirs), as
	// wget's -nd keeps file.1 beside file. Replace and ReplaceFile still
	// replace the names given to Keep. Files are then linked into place
	// and their temporary names removed, instead of renamed over.
	NoClobber bool
}

// Store writes files into an output directory. Every file system call
// goes through an [os.Root] opened on that directory, so no path given to
// it, and no symbolic link planted in the tree, can make it write outside.
//
// Files are written atomically: the body goes to a temporary file (in the
// final folder for Put, in DIR/.crawl/tmp for TempFile), which is then
// renamed to its final name. A Store keeps
// the set of paths written during its life (a few dozen bytes per file),
// so that two URLs of one run never overwrite each other; a file left by
// an earlier run is replaced.
//
// When a path cannot be used as it is, the Store picks another one,
// deterministically, and returns it:
//
//   - a file whose name is taken by a directory (URL /a saved after /a/b)
//     gets "~file" before its extension: "a~file", "x~file.html";
//   - a folder whose name is taken by a file (/a/b saved after /a) gets
//     "~dir": "a~dir/b"; every later path under a/ meets the same file and
//     goes to a~dir/ too;
//   - a path already written in this run (/a served as text/html is
//     "a.html", like /a.html) gets "~2", "~3" ... before its extension:
//     "a~2.html".
//
// These suffixes can coincide with names of real URLs that contain "~";
// the rules above then apply to them as well, so nothing is overwritten.
//
// A Store is safe for concurrent use by multiple goroutines, except Close,
// which must be called after every other call has returned.
type Store struct {
	root   *os.Root
	tmpAbs string // absolute path of tmpDir, to recognize TempFile's files
	opts   Options
	prefix string // random per Store, so two processes never share tmp names
	seq    atomic.Uint64

	mu      sync.Mutex
	dirs    dirCache            // folders kept open for Put's fast path
	written map[string]struct{} // final paths written (or being written) in this run
	kept    map[string]struct{} // paths of an earlier run given to Keep, not yet replaced
	durable map[string]struct{} // folders whose entry in their parent is synced (Fsync only)
	closed  bool

	partialsMu sync.Mutex
	partials   map[string]bool // keys of the partial downloads kept; nil until read
}

// Open opens the output directory dir for writing, creating it and its
// DIR/.crawl/tmp folder if needed. The Store must be closed.
func Open(dir string, opts Options) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("opening output directory: %w", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("creating output directory: %w", err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("opening output directory: %w", err)
	}
	if err := root.MkdirAll(filepath.FromSlash(tmpDir), 0o755); err != nil {
		root.Close()
		return nil, fmt.Errorf("creating temporary folder: %w", err)
	}
	// What a killed crawl was streaming to disk; an error here only
	// leaves the files for the next run.
	removeStaleTemps(root)
	var rnd [4]byte
	rand.Read(rnd[:])
	return &Store{
		root:    root,
		tmpAbs:  filepath.Join(root.Name(), filepath.FromSlash(tmpDir)),
		opts:    opts,
		prefix:  hex.EncodeToString(rnd[:]),
		written: make(map[string]struct{}),
		durable: make(map[string]struct{}),
	}, nil
}

// Dir returns the absolute path of the output directory.
func (s *Store) Dir() string { return s.root.Name() }

// TempFile creates a new temporary file in DIR/.crawl/tmp, for a body that
// is streamed to disk. Its Name is an absolute path. The caller writes it
// and hands it to PutFile, or closes and removes it (os.Remove) to discard
// it. The file is locked while open: one that a killed process left is
// removed by the next Open of the directory.
func (s *Store) TempFile() (*os.File, error) {
	for range maxTries {
		name := tmpDir + "/" + s.prefix + "-" + strconv.FormatUint(s.seq.Add(1), 10)
		f, err := s.root.OpenFile(filepath.FromSlash(name), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("creating temporary file: %w", err)
		}
		ok, err := lockTemp(s.root, f, filepath.FromSlash(name))
		if !ok {
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("creating temporary file: %w", err)
			}
			continue // removed by a cleaner before the lock
		}
		return f, nil
	}
	return nil, fmt.Errorf("creating temporary file: %w", fs.ErrExist)
}

// Put writes data to the file rel, a slash-separated path relative to the
// output directory such as one returned by Path, creating its folders. It
// returns the path actually written, which differs from rel when rel was
// taken (see Store). The file appears complete or not at all: on error,
// nothing is left under the final name and the temporary file is removed.
//
// The temporary file is created in the folder of the final name, as a
// hidden file named ".crawl-tmp-*", because renaming within one folder is
// much cheaper than across folders on ext4 (about twice the files per
// second measured here). A process killed while writing can leave such a
// file behind, never a partial file under a final name.
func (s *Store) Put(rel string, data []byte) (string, error) {
	if err := checkRel(rel); err != nil {
		return "", fmt.Errorf("saving %q: %w", rel, err)
	}
	dir, base := path.Split(rel)
	dir = strings.TrimSuffix(dir, "/")
	if dir != "" && !s.opts.Fsync {
		if final, ok := s.putFast(dir, base, data); ok {
			return final, nil
		}
	}
	var err error
	if dir != "" {
		if dir, err = s.mkdirs(dir); err != nil {
			return "", fmt.Errorf("saving %q: %w", rel, err)
		}
	}
	f, tmp, err := s.create(dir)
	if err != nil {
		return "", fmt.Errorf("saving %q: %w", rel, err)
	}
	err = s.writeClose(f, data)
	if err != nil {
		s.root.Remove(tmp)
		return "", fmt.Errorf("saving %q: writing temporary file: %w", rel, err)
	}
	final, err := s.place(tmp, path.Join(dir, base), true)
	if err != nil {
		s.root.Remove(tmp)
		return "", fmt.Errorf("saving %q: %w", rel, err)
	}
	return final, nil
}

// putFast writes data to dir/base through the folder's cached handle: a
// create, a write, a close and a rename, with no walk of the path. It
// reports false, having left nothing behind, when anything is out of the
// ordinary (the folder is missing, the name is taken, an error), and Put
// then takes the general path, which handles every case.
func (s *Store) putFast(dir, base string, data []byte) (string, bool) {
	d, done, err := s.dirs.get(s.root, dir)
	if err != nil {
		return "", false
	}
	tmp := tmpPrefix + s.prefix + "-" + strconv.FormatUint(s.seq.Add(1), 10)
	if err := d.create(tmp, data); err != nil {
		// The folder may have been removed or replaced: open it again
		// next time (forget leaves a folder in use alone).
		done()
		s.dirs.forget(dir)
		return "", false
	}
	defer done()
	final := path.Join(dir, base)
	if !s.reserveExact(final) {
		d.Remove(tmp)
		return "", false // written in this run: Put picks another name
	}
	if err = s.moveIn(d, tmp, base); err == nil {
		return final, true
	}
	s.release(final)
	d.Remove(tmp)
	return "", false
}

// create makes a new temporary file in the folder dir ("" for the top)
// and returns it with its root-relative name.
func (s *Store) create(dir string) (*os.File, string, error) {
	for range maxTries {
		name := filepath.FromSlash(path.Join(dir, tmpPrefix+s.prefix+"-"+strconv.FormatUint(s.seq.Add(1), 10)))
		f, err := s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("creating temporary file: %w", err)
		}
		return f, name, nil
	}
	return nil, "", fmt.Errorf("creating temporary file: %w", fs.ErrExist)
}

// writeClose writes data to f, a new temporary file, fsyncs it when
// Options.Fsync asks for it, and closes it.
func (s *Store) writeClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil && s.opts.Fsync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// PutFile moves f, a file returned by TempFile and fully written, to rel
// as Put does, and returns the path actually used. PutFile closes f in all
// cases; on error it also removes f's file, unless f did not come from
// TempFile (ErrNotTempFile).
func (s *Store) PutFile(rel string, f *os.File) (string, error) {
	tmp := s.tmpRel(f)
	if tmp == "" {
		f.Close()
		return "", fmt.Errorf("saving %q from %s: %w", rel, f.Name(), ErrNotTempFile)
	}
	final, err := s.putFile(rel, f, tmp)
	if err != nil {
		s.root.Remove(tmp)
		return "", fmt.Errorf("saving %q: %w", rel, err)
	}
	return final, nil
}

func (s *Store) putFile(rel string, f *os.File, tmp string) (string, error) {
	if err := checkRel(rel); err != nil {
		f.Close()
		return "", err
	}
	if s.opts.Fsync {
		if err := f.Sync(); err != nil {
			f.Close()
			return "", fmt.Errorf("syncing temporary file: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("closing temporary file: %w", err)
	}
	return s.place(tmp, rel, false)
}

// tmpRel returns the root-relative name of a file made by TempFile, or ""
// if f is not one.
func (s *Store) tmpRel(f *os.File) string {
	dir, base := filepath.Split(f.Name())
	if filepath.Clean(dir) != s.tmpAbs || !strings.HasPrefix(base, s.prefix+"-") {
		return ""
	}
	return filepath.FromSlash(tmpDir + "/" + base)
}

// Close makes the run durable (see Options.Fsync), removes the temporary
// folder if it is empty, and closes the Store. Files written so far stay
// in place whatever it returns. A second Close does nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	closed := s.closed
	s.closed = true
	s.mu.Unlock()
	if closed {
		return nil
	}
	var errs []error
	if !s.opts.Fsync {
		if err := s.syncAll(); err != nil {
			errs = append(errs, fmt.Errorf("syncing output directory: %w", err))
		}
	}
	// Remove fails on a folder that is not empty, which is what we want:
	// a temporary file still open by a caller is not ours to delete.
	if s.root.Remove(filepath.FromSlash(tmpDir)) == nil {
		s.root.Remove(WorkDir)
	}
	s.dirs.close()
	if err := s.root.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing output directory: %w", err))
	}
	return errors.Join(errs...)
}
