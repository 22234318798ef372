package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// This file holds the partial downloads that a crawl keeps for a later
// run to continue (-c): DIR/.crawl/partial/KEY holds the first bytes of a
// body, and KEY.json what is needed to ask for the rest.

// partialDir is the folder of the partial downloads.
const partialDir = WorkDir + "/partial"

// partialInfoVersion is the version of the KEY.json files.
const partialInfoVersion = 1

// PartialInfo describes a partial download: the URL whose body it begins,
// the validators and length of the response its bytes came from, and
// when it was kept.
type PartialInfo struct {
	V            int       `json:"v"`
	URL          string    `json:"url"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Length       int64     `json:"length"` // of the whole body; -1 when unknown
	Kept         time.Time `json:"kept"`
	// Size is the bytes the partial holds, as Partials found them; it is
	// not kept in the file.
	Size int64 `json:"-"`
}

// partialKey names the files of url's partial download.
func partialKey(url string) string {
	sum := sha256.Sum256([]byte(url))
	return hex.EncodeToString(sum[:16])
}

// KeepPartial keeps f, a file of TempFile (or one OpenPartial returned)
// that holds the first bytes of the body of info.URL, for OpenPartial to
// give to a later run: it is synced, so that its bytes survive a power
// cut once its description is written, and moved to DIR/.crawl/partial,
// replacing a partial download kept earlier for the same URL. f is
// closed in all cases, and its file removed on error.
func (s *Store) KeepPartial(info PartialInfo, f *os.File) error {
	tmp := s.tmpRel(f)
	if tmp == "" {
		f.Close()
		return fmt.Errorf("keeping a partial download of %s from %s: %w", info.URL, f.Name(), ErrNotTempFile)
	}
	err := s.keepPartial(info, f, tmp)
	if err != nil {
		s.root.Remove(tmp)
		return fmt.Errorf("keeping a partial download of %s: %w", info.URL, err)
	}
	return nil
}

func (s *Store) keepPartial(info PartialInfo, f *os.File, tmp string) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := s.root.MkdirAll(filepath.FromSlash(partialDir), 0o755); err != nil {
		return err
	}
	key := partialKey(info.URL)
	name := filepath.FromSlash(partialDir + "/" + key)
	// The description of an earlier partial goes first: a crash never
	// leaves these bytes with another response's validators.
	if err := s.root.Remove(name + ".json"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := s.root.Rename(tmp, name); err != nil {
		return err
	}
	if err := s.describePartial(info, key, name); err != nil {
		// Bytes without their description are never used: not kept.
		s.root.Remove(name)
		return err
	}
	s.partialsMu.Lock()
	if s.partials != nil {
		s.partials[key] = true
	}
	s.partialsMu.Unlock()
	return nil
}

// describePartial writes the description of the partial download name,
// whose key is key, beside it.
func (s *Store) describePartial(info PartialInfo, key, name string) error {
	info.V = partialInfoVersion
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	desc := filepath.FromSlash(partialDir + "/." + key + "-" + s.prefix + ".json")
	if err := s.root.WriteFile(desc, data, 0o644); err != nil {
		s.root.Remove(desc)
		return err
	}
	if err := s.root.Rename(desc, name+".json"); err != nil {
		s.root.Remove(desc)
		return err
	}
	return nil
}

// HasPartial reports whether a partial download of url is kept. The
// folder is read once per Store; later calls look at what it found and
// at what KeepPartial and OpenPartial did since.
func (s *Store) HasPartial(url string) bool {
	s.partialsMu.Lock()
	defer s.partialsMu.Unlock()
	if s.partials == nil {
		s.partials = map[string]bool{}
		ents, _ := fs.ReadDir(s.root.FS(), partialDir)
		for _, e := range ents {
			if key, ok := strings.CutSuffix(e.Name(), ".json"); ok && !strings.HasPrefix(key, ".") {
				s.partials[key] = true
			}
		}
	}
	return s.partials[partialKey(url)]
}

// OpenPartial returns the partial download of url that KeepPartial kept,
// if there is one, and forgets it: the file is moved back to the
// temporary folder, where it is one of TempFile's (PutFile takes it, and
// KeepPartial keeps it again), and opened for reading and writing. It
// returns a nil file when no partial download of url is kept, or when what
// is kept is not whole (its file or its description missing, or of
// another URL): what there is of it is then removed.
func (s *Store) OpenPartial(url string) (*os.File, PartialInfo, error) {
	var info PartialInfo
	if !s.HasPartial(url) {
		return nil, info, nil
	}
	key := partialKey(url)
	s.partialsMu.Lock()
	delete(s.partials, key)
	s.partialsMu.Unlock()
	name := filepath.FromSlash(partialDir + "/" + key)
	data, err := s.root.ReadFile(name + ".json")
	if err != nil {
		return nil, info, fmt.Errorf("reading the partial download of %s: %w", url, err)
	}
	if err := json.Unmarshal(data, &info); err != nil || info.URL != url {
		s.root.Remove(name)
		s.root.Remove(name + ".json")
		return nil, PartialInfo{}, nil
	}
	tmp := filepath.FromSlash(tmpDir + "/" + s.prefix + "-" + strconv.FormatUint(s.seq.Add(1), 10))
	if err := s.root.Rename(name, tmp); err != nil {
		s.root.Remove(name + ".json")
		if errors.Is(err, fs.ErrNotExist) {
			return nil, PartialInfo{}, nil
		}
		return nil, PartialInfo{}, fmt.Errorf("taking the partial download of %s: %w", url, err)
	}
	s.root.Remove(name + ".json")
	s.root.Remove(filepath.FromSlash(partialDir)) // when it was the last
	f, err := s.root.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		s.root.Remove(tmp)
		return nil, PartialInfo{}, fmt.Errorf("opening the partial download of %s: %w", url, err)
	}
	if ok, _ := lockTemp(s.root, f, tmp); !ok {
		// Removed as stale by another process's Open in the moment
		// before the lock: the download starts over.
		f.Close()
		return nil, PartialInfo{}, nil
	}
	return f, info, nil
}

// DropPartial removes the partial download of url, if one is kept: the
// URL was fetched whole.
func (s *Store) DropPartial(url string) error {
	if !s.HasPartial(url) {
		return nil
	}
	key := partialKey(url)
	s.partialsMu.Lock()
	delete(s.partials, key)
	s.partialsMu.Unlock()
	name := filepath.FromSlash(partialDir + "/" + key)
	var errs []error
	for _, n := range []string{name + ".json", name} {
		if err := s.root.Remove(n); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	s.root.Remove(filepath.FromSlash(partialDir)) // when it was the last
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("removing the partial download of %s: %w", url, err)
	}
	return nil
}

// Partials returns the partial downloads kept in the output directory dir,
// with their sizes, for a message: none when dir has none.
func Partials(dir string) ([]PartialInfo, error) {
	pd := filepath.Join(dir, filepath.FromSlash(partialDir))
	ents, err := os.ReadDir(pd)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing the partial downloads: %w", err)
	}
	var out []PartialInfo
	for _, e := range ents {
		key, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || strings.HasPrefix(key, ".") {
			continue
		}
		var info PartialInfo
		data, err := os.ReadFile(filepath.Join(pd, e.Name()))
		if err != nil || json.Unmarshal(data, &info) != nil {
			continue
		}
		fi, err := os.Stat(filepath.Join(pd, key))
		if err != nil {
			continue
		}
		info.Size = fi.Size()
		out = append(out, info)
	}
	return out, nil
}
