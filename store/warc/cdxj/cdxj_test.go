package cdxj

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSURT(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"http://example.com/", "com,example)/"},
		{"https://www.Example.com/A/b.html", "com,example)/a/b.html"},
		{"http://www2.example.co.uk/x?b=2&a=1", "uk,co,example)/x?a=1&b=2"},
		{"http://wwwx.example.com/", "com,example,wwwx)/"},
		{"http://example.com:8080/p", "com,example:8080)/p"},
		{"https://example.com:443/p", "com,example)/p"},
		{"http://example.com:80/p", "com,example)/p"},
		{"http://127.0.0.1:8080/index.html", "1,0,0,127:8080)/index.html"},
		{"http://example.com", "com,example)/"},
		{"http://example.com/a%20b#frag", "com,example)/a%20b"},
		{"ftp://example.com/", "ftp://example.com/"},
		{"urn:x", "urn:x"},
	} {
		if got := SURT(tt.in); got != tt.want {
			t.Errorf("SURT(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLineRoundTrip(t *testing.T) {
	e := Entry{URL: "http://example.com/a?q=\"x\"", Mime: "text/html", Status: "200", Digest: "sha1:ABC",
		Length: "123", Offset: "456", Filename: "crawl-00000.warc.gz"}
	e.Key(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC))
	line := e.AppendLine(nil)
	want := `com,example)/a?q="x" 20240506070809 {"url":"http://example.com/a?q=\"x\"","mime":"text/html","status":"200","digest":"sha1:ABC","length":"123","offset":"456","filename":"crawl-00000.warc.gz"}` + "\n"
	if string(line) != want {
		t.Errorf("line\n%s\nwant\n%s", line, want)
	}
	got, err := ParseLine(line)
	if err != nil || got != e {
		t.Errorf("ParseLine = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "x", "x 2024", "x 20240506070809 {", "x 20240506070809 []"} {
		if _, err := ParseLine([]byte(bad)); err == nil {
			t.Errorf("ParseLine(%q) succeeded", bad)
		}
	}
}

// TestWriterSorts adds lines in random order, with runs small enough to
// spill many times, and finds every URL again by binary search.
func TestWriterSorts(t *testing.T) {
	for _, tt := range []struct {
		name     string
		n, runBy int
	}{{"empty", 0, 0}, {"memory", 50, 0}, {"spilled", 2000, 4096}, {"one-per-run", 30, 1}} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "index.cdxj")
			w, err := Create(path, tt.runBy)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			var want [][]byte
			base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			for i := range tt.n {
				// Some URLs twice, at two times.
				u := fmt.Sprintf("http://h%d.example/p/%d", rng.IntN(7), rng.IntN(tt.n/2+1))
				e := Entry{URL: u, Mime: "text/html", Status: "200", Length: "1", Offset: strconv.Itoa(i), Filename: "f"}
				e.Key(base.Add(time.Duration(rng.IntN(1000)) * time.Second))
				if err := w.Add(&e); err != nil {
					t.Fatal(err)
				}
				want = append(want, e.AppendLine(nil))
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(want, bytes.Compare)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, bytes.Join(want, nil)) {
				t.Fatalf("index of %d bytes is not the %d lines sorted", len(got), len(want))
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("temporary files left: %d entries", len(ents))
			}
			// Every URL's lines, and no others, by binary search.
			byURL := map[string]int{}
			for _, l := range want {
				e, _ := ParseLine(l)
				byURL[e.URL]++
			}
			byURL["http://h9.example/none"] = 0
			for u, n := range byURL {
				es, err := Lookup(path, u)
				if err != nil || len(es) != n {
					t.Fatalf("Lookup(%s) = %d entries, %v; want %d", u, len(es), err, n)
				}
				for i, e := range es {
					if e.URL != u || (i > 0 && es[i-1].Timestamp > e.Timestamp) {
						t.Errorf("Lookup(%s)[%d] = %+v", u, i, e)
					}
				}
			}
		})
	}
}

// FuzzSearch searches arbitrary bytes as an index: it must not fail other
// than with ErrFormat, nor return a line of another SURT.
func FuzzSearch(f *testing.F) {
	f.Add([]byte("a 20240101000000 {}\nb 20240101000000 {\"url\":\"x\"}\n"), "b")
	f.Add([]byte("\n\n\n"), "")
	f.Add([]byte("com,example)/ 2024"), "com,example)/")
	f.Fuzz(func(t *testing.T, data []byte, surt string) {
		es, err := Search(bytes.NewReader(data), int64(len(data)), surt)
		if err != nil && !errorsIsFormat(err) {
			t.Fatalf("Search: %v", err)
		}
		for _, e := range es {
			if e.SURT != surt {
				t.Fatalf("Search(%q) returned %q", surt, e.SURT)
			}
		}
		_ = SURT(string(data))
	})
}

func errorsIsFormat(err error) bool { return errors.Is(err, ErrFormat) }

// TestWriterAddIndex merges two indexes, one without a final newline and
// with a blank line, into one sorted index; a line that does not parse
// fails with its number.
func TestWriterAddIndex(t *testing.T) {
	line := func(u string, sec int) string {
		e := Entry{URL: u, Mime: "text/html", Status: "200", Length: "1", Offset: "0", Filename: "f"}
		e.Key(time.Date(2024, 1, 1, 0, 0, sec, 0, time.UTC))
		return string(e.AppendLine(nil))
	}
	a := line("http://b.example/", 1) + line("http://a.example/", 2)
	b := "\n" + strings.TrimSuffix(line("http://c.example/", 3), "\n")
	path := filepath.Join(t.TempDir(), "merged.cdxj")
	w, err := Create(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, idx := range []string{a, b} {
		if err := w.AddIndex(strings.NewReader(idx)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.AddIndex(strings.NewReader(line("http://d.example/", 4) + "not a line\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("AddIndex of a bad line: %v; want an error naming line 2", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := line("http://a.example/", 2) + line("http://b.example/", 1) + line("http://c.example/", 3) + line("http://d.example/", 4)
	if string(got) != want {
		t.Errorf("merged index\n%s\nwant\n%s", got, want)
	}
}
