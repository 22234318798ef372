package store

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPathOptions(t *testing.T) {
	tests := []struct {
		url, ct string
		hosts   string // the default layout, for comparison
		noHost  string // -nH
		flat    string // -nd
	}{
		{"http://h:8080/a/b.html", "", "h_8080/a/b.html", "a/b.html", "b.html"},
		{"http://h/", "text/html", "h/index.html", "index.html", "index.html"},
		{"http://h/a/b/", "text/html", "h/a/b/index.html", "a/b/index.html", "index.html"},
		{"http://h/a/search?q=1", "text/html", "h/a/search?q=1.html", "a/search?q=1.html", "search?q=1.html"},
		{"http://h/a%20b/c%2Fd.pdf", "", "h/a b/c%2Fd.pdf", "a b/c%2Fd.pdf", "c%2Fd.pdf"},
		{"http://h/a//b", "", "h/a/%/b", "a/%/b", "b"},
		// The names of crawl's own files and folder are escaped at the
		// top level only.
		{"http://h/manifest.jsonl", "", "h/manifest.jsonl", "%6Danifest.jsonl", "%6Danifest.jsonl"},
		{"http://h/x/Records.JSONL", "", "h/x/Records.JSONL", "x/Records.JSONL", "%52ecords.JSONL"},
		{"http://h/.crawl/state.db", "", "h/.crawl/state.db", "%2Ecrawl/state.db", "state.db"},
		{"http://h/a/.crawl-tmp-1", "", "h/a/.crawl-tmp-1", "a/.crawl-tmp-1", "%2Ecrawl-tmp-1"},
		{"http://h/manifest.jsonl?x", "", "h/manifest.jsonl?x", "manifest.jsonl?x", "manifest.jsonl?x"},
		{"http://h/a/..%2F..%2Fetc", "", "h/a/..%2F..%2Fetc", "a/..%2F..%2Fetc", "..%2F..%2Fetc"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			u := mustParse(t, tt.url)
			for _, c := range []struct {
				o    PathOptions
				want string
			}{
				{PathOptions{}, tt.hosts},
				{PathOptions{NoHostDirs: true}, tt.noHost},
				{PathOptions{NoDirs: true}, tt.flat},
				{PathOptions{NoDirs: true, NoHostDirs: true}, tt.flat},
			} {
				if got := c.o.Path(u, tt.ct); got != c.want {
					t.Errorf("%+v: %q; want %q", c.o, got, c.want)
				}
			}
		})
	}
}

// checkLayoutPath checks what every path of PathOptions.Path must be:
// relative, bounded, with no empty, "." or ".." component, no control
// byte, never one of crawl's own top-level names, and accepted by Put.
func checkLayoutPath(t testing.TB, o PathOptions, p string) {
	t.Helper()
	if err := checkRel(p); err != nil || strings.HasPrefix(p, "/") {
		t.Fatalf("%+v: path %q is not one Put takes: %v", o, p, err)
	}
	if len(p) > MaxPath || !utf8.ValidString(p) {
		t.Fatalf("%+v: path of %d bytes, valid UTF-8 %v", o, len(p), utf8.ValidString(p))
	}
	comps := strings.Split(p, "/")
	if o.NoDirs && len(comps) != 1 {
		t.Fatalf("%+v: path %q has folders", o, p)
	}
	for _, c := range comps {
		if len(c) > MaxName || strings.ContainsFunc(c, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("%+v: path %q has component %q", o, p, c)
		}
	}
	top := comps[0]
	if strings.EqualFold(top, ManifestName) || strings.EqualFold(top, RecordsName) ||
		strings.HasPrefix(strings.ToLower(top), WorkDir) {
		t.Fatalf("%+v: path %q takes a name of crawl's own", o, p)
	}
}

func FuzzPathOptions(f *testing.F) {
	f.Add("manifest.jsonl", "q", ".crawl", "text/html")
	f.Add(".CRAWL-x", "", "a//b/", "")
	f.Add(strings.Repeat("%FF", 100), "x=1", ".crawl"+strings.Repeat("a", 300), "image/png")
	f.Fuzz(func(t *testing.T, p1, query, p2, ct string) {
		for _, u := range []*url.URL{
			{Scheme: "http", Host: "h", Path: "/" + p1, RawQuery: query},
			{Scheme: "http", Host: "h", Path: "/" + p1 + "/" + p2, RawQuery: query},
			{Scheme: "http", Host: "h", Path: strings.Repeat("/"+p1+"x", 3000/(len(p1)+2)) + "/" + p2},
		} {
			for _, o := range []PathOptions{{NoHostDirs: true}, {NoDirs: true}} {
				checkLayoutPath(t, o, o.Path(u, ct))
			}
		}
	})
}

// TestNoClobber saves names that an earlier run left: with NoClobber the
// earlier files stay and the new ones get the next suffix, on both of
// Put's paths and PutFile's; a folder in the way still gets "~file", and
// a kept name is still replaced.
func TestNoClobber(t *testing.T) {
	dir := t.TempDir()
	open := func(o Options) *Store {
		s, err := Open(dir, o)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open(Options{})
	for _, rel := range []string{"index.html", "index~2.html", "a/index.html", "b/c"} {
		put(t, s, rel, "old "+rel)
	}
	s.Close()

	for _, fsync := range []bool{false, true} {
		s = open(Options{NoClobber: true, Fsync: fsync})
		s.Keep("a/index.html")
		tests := []struct {
			name string
			do   func() (string, error)
			want string
		}{
			{"put at the top", func() (string, error) { return s.Put("index.html", []byte("new")) }, "index~3.html"},
			{"put again", func() (string, error) { return s.Put("index.html", []byte("new")) }, "index~4.html"},
			{"a folder in the way", func() (string, error) { return s.Put("b", []byte("new")) }, "b~file"},
			{"put in a folder", func() (string, error) { return s.Put("b/c", []byte("new")) }, "b/c~2"},
			{"put a temporary file", func() (string, error) {
				f, err := s.TempFile()
				if err != nil {
					return "", err
				}
				f.WriteString("new")
				return s.PutFile("a/index.html", f)
			}, "a/index~2.html"},
			{"replace a kept name", func() (string, error) { return s.Replace("a/index.html", []byte("new")) }, "a/index.html"},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("fsync=%v/%s", fsync, tt.name), func(t *testing.T) {
				got, err := tt.do()
				if err != nil || got != tt.want {
					t.Fatalf("saved as %q, %v; want %q", got, err, tt.want)
				}
				wantFile(t, dir, got, "new")
			})
		}
		s.Close()
		for _, rel := range []string{"index.html", "index~2.html", "b/c"} {
			wantFile(t, dir, rel, "old "+rel)
		}
		wantNoTemp(t, dir)
		// Start the second round from the earlier run's files only.
		for _, rel := range []string{"index~3.html", "index~4.html", "b~file", "b/c~2", "a/index~2.html"} {
			if err := os.Remove(filepath.Join(dir, rel)); err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
		}
		os.WriteFile(filepath.Join(dir, "a", "index.html"), []byte("old a/index.html"), 0o644)
	}
}
