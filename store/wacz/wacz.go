// Package wacz packages WARC files, their CDXJ index and a list of pages
// as a WACZ file (Web Archive Collection Zipped, version 1.1.1), the
// single file that ReplayWeb.page and other Webrecorder tools open:
//
//	archive/NAME-00000.warc.gz ...   the WARC files, stored (not compressed again)
//	indexes/index.cdxj               the sorted CDXJ index
//	pages/pages.jsonl                the pages: url, ts, title
//	datapackage.json                 every file's path, SHA-256 and size
//	datapackage-digest.json          the SHA-256 of datapackage.json
//
// Every file is stored in the ZIP without compression and without data
// descriptors, so that a reader can fetch a record with one range
// request at the index's offset plus the file's offset in the ZIP.
package wacz

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/crawl-go/crawl/internal/atomicfile"
	"github.com/crawl-go/crawl/parse"
)

// Version is the WACZ version written.
const Version = "1.1.1"

// Page is one line of pages/pages.jsonl: a page a viewer offers to open.
type Page struct {
	ID    string `json:"id,omitempty"`
	URL   string `json:"url"`
	TS    string `json:"ts"` // RFC 3339
	Title string `json:"title,omitempty"`
}

// NewPage returns the Page of url captured at ts.
func NewPage(url string, ts time.Time, title string) Page {
	return Page{URL: url, TS: ts.UTC().Format(time.RFC3339Nano), Title: title}
}

// TitleScan is how much of a page Title looks at: a title is near the
// start of a page, and reading more would cost for every page.
const TitleScan = 4 << 10

// Title returns the text of the first <title> of an HTML document, given
// its first bytes (TitleScan is enough), with spaces collapsed; "" when
// there is none in them.
func Title(head []byte) string { return parse.Title(head) }

// Options says what to package.
type Options struct {
	// WARCs are the paths of the WARC files, stored under archive/ by
	// their base names, which must differ.
	WARCs []string
	// Index is the path of the sorted CDXJ index of the WARC files,
	// stored as indexes/index.cdxj.
	Index string
	// Pages is the path of a file of Page objects, one JSON object per
	// line, stored as pages/pages.jsonl after the header line that the
	// format asks for. Empty means no pages.
	Pages string
	// Title, Software and Created describe the package in
	// datapackage.json; a zero Created means now.
	Title, Software string
	Created         time.Time
	// MainPageURL and MainPageDate name the page to open first; empty
	// and zero leave them out.
	MainPageURL  string
	MainPageDate time.Time
}

// resource is an entry of datapackage.json.
type resource struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Hash  string `json:"hash"`
	Bytes int64  `json:"bytes"`
}

// Write writes the package to path: through a temporary file in the same
// folder, renamed into place when complete, so that path is either the
// earlier file or the whole new one.
func Write(path string, opts Options) error {
	if len(opts.WARCs) == 0 || opts.Index == "" {
		return errors.New("wacz: write: no WARC file or no index")
	}
	err := atomicfile.Write(path, true, func(w io.Writer) error { return write(w, opts) })
	if err != nil {
		return fmt.Errorf("wacz: %w", err)
	}
	return nil
}

func write(out io.Writer, opts Options) error {
	zw := zip.NewWriter(out)
	var resources []resource
	seen := map[string]bool{}
	for _, p := range opts.WARCs {
		name := "archive/" + filepath.Base(p)
		if seen[name] {
			return fmt.Errorf("two WARC files named %s", filepath.Base(p))
		}
		seen[name] = true
		r, err := storeFile(zw, name, p, nil)
		if err != nil {
			return err
		}
		resources = append(resources, r)
	}
	r, err := storeFile(zw, "indexes/index.cdxj", opts.Index, nil)
	if err != nil {
		return err
	}
	resources = append(resources, r)
	header := []byte(`{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}` + "\n")
	if opts.Pages != "" {
		r, err = storeFile(zw, "pages/pages.jsonl", opts.Pages, header)
	} else {
		r, err = storeBytes(zw, "pages/pages.jsonl", header)
	}
	if err != nil {
		return err
	}
	resources = append(resources, r)

	created := opts.Created
	if created.IsZero() {
		created = time.Now()
	}
	pkg := struct {
		Profile      string     `json:"profile"`
		WACZVersion  string     `json:"wacz_version"`
		Title        string     `json:"title,omitempty"`
		Created      string     `json:"created"`
		Software     string     `json:"software,omitempty"`
		MainPageURL  string     `json:"mainPageUrl,omitempty"`
		MainPageDate string     `json:"mainPageDate,omitempty"`
		Resources    []resource `json:"resources"`
	}{
		Profile: "data-package", WACZVersion: Version, Title: opts.Title,
		Created: created.UTC().Format(time.RFC3339), Software: opts.Software,
		MainPageURL: opts.MainPageURL, Resources: resources,
	}
	if !opts.MainPageDate.IsZero() {
		pkg.MainPageDate = opts.MainPageDate.UTC().Format(time.RFC3339)
	}
	data, err := json.MarshalIndent(pkg, "", "  ")
	if err != nil {
		return err
	}
	dp, err := storeBytes(zw, "datapackage.json", data)
	if err != nil {
		return err
	}
	digest, _ := json.MarshalIndent(struct {
		Path string `json:"path"`
		Hash string `json:"hash"`
	}{dp.Path, dp.Hash}, "", "  ")
	if _, err := storeBytes(zw, "datapackage-digest.json", digest); err != nil {
		return err
	}
	return zw.Close()
}

// storeBytes stores data as the file name.
func storeBytes(zw *zip.Writer, name string, data []byte) (resource, error) {
	return store(zw, name, func(w io.Writer) error { _, err := w.Write(data); return err })
}

// storeFile stores the file at path, after prefix, as the file name.
func storeFile(zw *zip.Writer, name, path string, prefix []byte) (resource, error) {
	f, err := os.Open(path)
	if err != nil {
		return resource{}, err
	}
	defer f.Close()
	return store(zw, name, func(w io.Writer) error {
		if _, err := w.Write(prefix); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		_, err := io.Copy(w, f)
		return err
	})
}

// store stores what emit writes as the file name, without compression:
// emit is called twice, first to learn the size, CRC-32 and SHA-256 that
// the local header must announce (no data descriptor follows the data),
// then to write.
func store(zw *zip.Writer, name string, emit func(io.Writer) error) (resource, error) {
	crc, sum := crc32.NewIEEE(), sha256.New()
	n := &counter{}
	if err := emit(io.MultiWriter(crc, sum, n)); err != nil {
		return resource{}, fmt.Errorf("read %s: %w", name, err)
	}
	h := &zip.FileHeader{Name: name, Method: zip.Store, CRC32: crc.Sum32(),
		CompressedSize64: uint64(n.n), UncompressedSize64: uint64(n.n), Modified: time.Now()}
	w, err := zw.CreateRaw(h)
	if err != nil {
		return resource{}, err
	}
	check := &counter{}
	if err := emit(io.MultiWriter(w, check)); err != nil {
		return resource{}, fmt.Errorf("store %s: %w", name, err)
	}
	if check.n != n.n {
		return resource{}, fmt.Errorf("store %s: it changed while being packaged", name)
	}
	return resource{Name: filepath.Base(name), Path: name, Hash: hexHash(sum), Bytes: n.n}, nil
}

func hexHash(h hash.Hash) string { return "sha256:" + hex.EncodeToString(h.Sum(nil)) }

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
