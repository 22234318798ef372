package crawl

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/crawl-go/crawl/store/wacz"
	"github.com/crawl-go/crawl/store/warc/cdxj"
)

// earlierPackage is what the WACZ of earlier runs of the crawl holds,
// taken out of it so that this run's package holds it too: a crawl
// resumed, extended or updated with --wacz packages the captures of every
// run, not those of the last one alone.
type earlierPackage struct {
	dir   string          // the temporary folder they are in
	warcs []string        // the WARC files, in the package's order
	names map[string]bool // their base names
	index string          // the CDXJ index of the WARC files
}

// openEarlierPackage takes the WARC files and the index of the WACZ at
// path out into a temporary folder beside it, and writes its page lines
// (without the header line) to pages. It returns the first of them.
func openEarlierPackage(path string, pages io.Writer) (_ *earlierPackage, first *wacz.Page, err error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, err
	}
	defer zr.Close()
	dir, err := os.MkdirTemp(filepath.Dir(path), ".crawl-wacz-earlier-*")
	if err != nil {
		return nil, nil, err
	}
	e := &earlierPackage{dir: dir, names: map[string]bool{}}
	defer func() {
		if err != nil {
			e.remove()
		}
	}()
	for _, f := range zr.File {
		switch {
		case strings.HasPrefix(f.Name, "archive/"):
			base := strings.TrimPrefix(f.Name, "archive/")
			if base == "" || base == "." || base == ".." || strings.ContainsAny(base, `/\`) || e.names[base] {
				return nil, nil, fmt.Errorf("unexpected file %q in the package", f.Name)
			}
			p := filepath.Join(dir, base)
			if err := extract(f, p); err != nil {
				return nil, nil, err
			}
			e.warcs = append(e.warcs, p)
			e.names[base] = true
		case f.Name == "indexes/index.cdxj":
			e.index = filepath.Join(dir, "index.cdxj")
			if err := extract(f, e.index); err != nil {
				return nil, nil, err
			}
		case f.Name == "pages/pages.jsonl":
			if first, err = copyPages(f, pages); err != nil {
				return nil, nil, err
			}
		}
	}
	if len(e.warcs) == 0 || e.index == "" {
		return nil, nil, errors.New("no WARC file or no index in the package")
	}
	return e, first, nil
}

// extract copies the file f of a ZIP to a new file at path.
func extract(f *zip.File, path string) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("reading %s: %w", f.Name, err)
	}
	defer rc.Close()
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, rc)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("taking %s out: %w", f.Name, err)
	}
	return nil
}

// copyPages copies the page lines of the package's pages.jsonl to w,
// without its header line, and returns the first page.
func copyPages(f *zip.File, w io.Writer) (*wacz.Page, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", f.Name, err)
	}
	defer rc.Close()
	var first *wacz.Page
	r := bufio.NewReader(rc)
	for {
		line, rerr := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var p wacz.Page
			if err := json.Unmarshal(line, &p); err != nil {
				return nil, fmt.Errorf("reading %s: %w", f.Name, err)
			}
			if p.URL != "" { // the header line has none
				if first == nil {
					first = &p
				}
				if line[len(line)-1] != '\n' {
					line = append(line, '\n')
				}
				if _, err := w.Write(line); err != nil {
					return nil, fmt.Errorf("writing the WACZ's list of pages: %w", err)
				}
			}
		}
		if rerr == io.EOF {
			return first, nil
		}
		if rerr != nil {
			return nil, fmt.Errorf("reading %s: %w", f.Name, rerr)
		}
	}
}

// clashes reports whether the WARC files of a Writer with the prefix
// could be named as one of the earlier package's.
func (e *earlierPackage) clashes(prefix string) bool {
	if e == nil {
		return false
	}
	for name := range e.names {
		if strings.HasPrefix(name, prefix+"-") {
			return true
		}
	}
	return false
}

// mergeIndex writes the index of the earlier package's records and of
// those of index, sorted, and returns its path.
func (e *earlierPackage) mergeIndex(index string) (string, error) {
	w, err := cdxj.Create(filepath.Join(e.dir, "merged.cdxj"), 0)
	if err != nil {
		return "", err
	}
	for _, p := range []string{e.index, index} {
		if err := addIndexFile(w, p); err != nil {
			w.Close()
			return "", err
		}
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return w.Path(), nil
}

// addIndexFile adds the lines of the CDXJ index at path to w.
func addIndexFile(w *cdxj.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := w.AddIndex(f); err != nil {
		return fmt.Errorf("reading the index %s: %w", path, err)
	}
	return nil
}

// remove removes the files taken out of the package.
func (e *earlierPackage) remove() {
	if e != nil && e.dir != "" {
		os.RemoveAll(e.dir)
		e.dir = ""
	}
}
