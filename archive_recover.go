package crawl

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crawl-go/crawl/store/warc"
	"github.com/crawl-go/crawl/store/warc/cdxj"
)

// This file recovers the archive files that a crawl killed (kill -9, a
// second Ctrl-C, a crash) could not finish: WARC files whose CDXJ index
// is written only when the archive is closed, and for --wacz, the folder
// of WARC files and the list of pages that the package was to be made of.

// indexWARC returns the CDXJ entries of the response and revisit records
// of the WARC file at path, as archiver.write makes them. A record cut
// short, the last of a killed writer's file, is cut off the file, so that
// it holds whole records only.
func indexWARC(path string) ([]cdxj.Entry, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	r := warc.NewReader(f)
	var entries []cdxj.Entry
	end := fi.Size()
	for {
		rec, err := r.Next()
		if err == nil {
			// Each record is a gzip member of its own: the last entry
			// ends where this record starts.
			if n := len(entries); n > 0 && entries[n-1].Length == "" {
				setLength(&entries[n-1], rec.Offset)
			}
			err = indexRecord(rec, name, &entries)
		}
		if err == io.EOF {
			break
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			// Cut short: the record that starts there is dropped.
			end = r.MemberStart()
			if err := f.Truncate(end); err != nil {
				return nil, fmt.Errorf("cutting the record cut short off %s: %w", path, err)
			}
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
	}
	if n := len(entries); n > 0 && entries[n-1].Length == "" {
		setLength(&entries[n-1], end)
	}
	return entries, nil
}

func setLength(e *cdxj.Entry, next int64) {
	off, _ := strconv.ParseInt(e.Offset, 10, 64)
	e.Length = strconv.FormatInt(next-off, 10)
}

// indexRecord reads rec whole, and adds the entry of a response or revisit
// record to entries (without its length, which the next record gives).
func indexRecord(rec *warc.Record, file string, entries *[]cdxj.Entry) error {
	typ := rec.Type()
	if typ != warc.TypeResponse && typ != warc.TypeRevisit {
		_, err := io.Copy(io.Discard, rec.Block)
		return err
	}
	e := cdxj.Entry{URL: rec.Header.Get("WARC-Target-URI"), Offset: strconv.FormatInt(rec.Offset, 10), Filename: file}
	br := bufio.NewReader(rec.Block)
	if resp, err := http.ReadResponse(br, nil); err == nil {
		e.Status = strconv.Itoa(resp.StatusCode)
		e.Mime = cdxj.MediaType(resp.Header.Get("Content-Type"))
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return err
	}
	if typ == warc.TypeRevisit {
		e.Mime = "warc/revisit"
	}
	if e.Mime == "" {
		e.Mime = "unk"
	}
	if e.Status == "" {
		e.Status = "-"
	}
	if rec.Header.Get("WARC-Profile") != warc.ProfileServerNotModified {
		e.Digest = rec.Header.Get("WARC-Payload-Digest")
	}
	date, err := time.Parse(time.RFC3339Nano, rec.Header.Get("WARC-Date"))
	if err != nil {
		return fmt.Errorf("%w: record at offset %d: WARC-Date %q", warc.ErrFormat, rec.Offset, rec.Header.Get("WARC-Date"))
	}
	e.Key(date)
	*entries = append(*entries, e)
	return nil
}

// killedArchives is what crawls killed before they closed their archive
// left: WARC files without an index, and for --wacz the folders of WARC
// files and the lists of pages that the package was to be made of.
type killedArchives struct {
	warcs   []string     // their WARC files, cut back to whole records
	entries []cdxj.Entry // the index of their records
	pages   []string     // the lists of pages, beside the package
	tmpDirs []string     // the folders of WARC files to package
}

// warcName matches the WARC files of a run: PREFIX-NNNNN.warc.gz, where
// PREFIX is the crawl's name or the name a later run took (NAME-STAMP or
// NAME-STAMP-N), which holds their index as PREFIX.cdxj.
var warcName = regexp.MustCompile(`^(.+)-[0-9]{5}\.warc\.gz$`)

// runLockName is the lock file of the run that writes the WARC files
// PREFIX-*.warc.gz in a folder: held while it runs, removed on close.
func runLockName(prefix string) string { return "." + prefix + ".lock" }

// findKilledArchives finds what killed crawls left of cfg's archive,
// indexes it, and writes the index of WARC files (cfg.WARC) beside them.
// Files a running crawl holds (holdLock) are left alone.
func findKilledArchives(cfg Config) (*killedArchives, error) {
	k := &killedArchives{}
	if cfg.WARC != "" {
		if err := k.findWARCs(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.WACZ != "" {
		if err := k.findPackaging(filepath.Dir(cfg.WACZ)); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// findWARCs finds the WARC files named after cfg.WARC that have no index
// and no running writer, and writes their index.
func (k *killedArchives) findWARCs(cfg Config) error {
	dir, base := filepath.Split(strings.TrimSuffix(cfg.WARC, ".warc.gz"))
	if dir == "" {
		dir = "."
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	groups := map[string][]string{} // by the prefix of their run
	for _, e := range ents {
		m := warcName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() || m[1] != base && !strings.HasPrefix(m[1], base+"-") {
			continue
		}
		groups[m[1]] = append(groups[m[1]], filepath.Join(dir, e.Name()))
	}
	for prefix, files := range groups {
		index := filepath.Join(dir, prefix+".cdxj")
		lock := filepath.Join(dir, runLockName(prefix))
		if _, err := os.Stat(index); err == nil || !lockFree(lock) {
			continue // closed, or running
		}
		entries, err := indexWARCs(files)
		if err != nil {
			return err
		}
		if err := writeIndex(index, entries); err != nil {
			return fmt.Errorf("writing the index of WARC files a killed crawl left: %w", err)
		}
		os.Remove(lock)
		fmt.Fprintf(cfg.Log, "crawl: indexed %s, which a killed crawl left without an index\n", strings.Join(files, ", "))
		k.warcs = append(k.warcs, files...)
		k.entries = append(k.entries, entries...)
	}
	return nil
}

// findPackaging finds, in dir (the package's folder), the folders of WARC
// files and the lists of pages that killed crawls were to package.
func (k *killedArchives) findPackaging(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name, path := e.Name(), filepath.Join(dir, e.Name())
		switch {
		case e.IsDir() && strings.HasPrefix(name, ".crawl-wacz-") && !strings.HasPrefix(name, ".crawl-wacz-earlier-"):
			if !lockFree(filepath.Join(path, waczLockName)) {
				continue
			}
			files, _ := filepath.Glob(filepath.Join(path, "*.warc.gz"))
			entries, err := indexWARCs(files)
			if err != nil {
				return err
			}
			k.warcs = append(k.warcs, files...)
			k.entries = append(k.entries, entries...)
			k.tmpDirs = append(k.tmpDirs, path)
		case e.Type().IsRegular() && strings.HasPrefix(name, ".crawl-pages-") && strings.HasSuffix(name, ".jsonl"):
			if lockFree(path) {
				k.pages = append(k.pages, path)
			}
		}
	}
	return nil
}

// indexWARCs sorts files, WARC files a killed crawl left, and returns the
// index entries of their records (indexWARC).
func indexWARCs(files []string) ([]cdxj.Entry, error) {
	slices.Sort(files)
	var all []cdxj.Entry
	for _, f := range files {
		entries, err := indexWARC(f)
		if err != nil {
			return nil, fmt.Errorf("indexing %s, which a killed crawl left: %w", f, err)
		}
		all = append(all, entries...)
	}
	return all, nil
}

// writeIndex writes the CDXJ index at path of the lines of the indexes
// files and of entries, sorted.
func writeIndex(path string, entries []cdxj.Entry, files ...string) error {
	w, err := cdxj.Create(path, 0)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := addIndexFile(w, f); err != nil {
			w.Close()
			return err
		}
	}
	for i := range entries {
		if err := w.Add(&entries[i]); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// waczLockName is the lock file in the folder of WARC files to package.
const waczLockName = "lock"

// adopt makes the package of this run hold what killed crawls left: their
// WARC files and index join those of the earlier package (made if there
// is none), and their pages the list of pages.
func (a *archiver) adopt(k *killedArchives, beside string) error {
	for _, p := range k.pages {
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("reading the list of pages a killed crawl left, %s: %w", p, err)
		}
		// Whole lines only: the kill may have cut the last.
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			if _, err := a.pagesW.Write(b[:i+1]); err != nil {
				return fmt.Errorf("writing the WACZ's list of pages: %w", err)
			}
		}
	}
	if len(k.warcs) == 0 {
		return nil
	}
	e := a.earlier
	if e == nil {
		dir, err := os.MkdirTemp(beside, ".crawl-wacz-earlier-*")
		if err != nil {
			return err
		}
		e = &earlierPackage{dir: dir, names: map[string]bool{}}
		a.earlier = e
	}
	var earlierIndex []string
	if e.index != "" {
		earlierIndex = append(earlierIndex, e.index)
	}
	adopted := filepath.Join(e.dir, "adopted.cdxj")
	if err := writeIndex(adopted, k.entries, earlierIndex...); err != nil {
		return err
	}
	e.index = adopted
	for _, p := range k.warcs {
		base := filepath.Base(p)
		if e.names[base] {
			return fmt.Errorf("two WARC files named %s: one in the earlier package, one a killed crawl left", base)
		}
		e.names[base] = true
		e.warcs = append(e.warcs, p)
	}
	a.killed = k
	return nil
}
