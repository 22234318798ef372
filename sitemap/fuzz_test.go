package sitemap

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics, keeps its limits, returns only
// absolute http(s) URLs, and gives the same answer twice.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if fi, err := os.Stat(name); err != nil || fi.IsDir() {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("<urlset><url><loc>http://a/&amp;&#x41;<![CDATA[x]]></loc></url></urlset>"))
	f.Add([]byte("\x1f\x8b"))

	const maxBytes = 64 << 10
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(bytes.NewReader(data), maxBytes)
		if res.count() > MaxEntries {
			t.Fatalf("%d entries", res.count())
		}
		if errors.Is(err, ErrTooLarge) && len(data) <= maxBytes && !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			t.Fatalf("ErrTooLarge for %d bytes of plain input", len(data))
		}
		for _, e := range res.URLs {
			if !validURL(e.URL) {
				t.Fatalf("invalid URL %q", e.URL)
			}
		}
		for _, s := range res.Sitemaps {
			if !validURL(s) {
				t.Fatalf("invalid sitemap URL %q", s)
			}
		}
		again, err2 := Parse(bytes.NewReader(data), maxBytes)
		if (err == nil) != (err2 == nil) || again.count() != res.count() {
			t.Fatalf("second Parse differs: %d entries, %v; then %d, %v", res.count(), err, again.count(), err2)
		}
	})
}
