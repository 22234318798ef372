package sitemap

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// readFixture returns the contents of testdata/name.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gzipped returns b compressed.
func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParse(t *testing.T) {
	urlset := []Entry{
		{"https://example.com/", day(2024, 5, 6)},
		{"https://example.com/search?q=go&page=2", time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("", 2*3600))},
		{"https://example.com/cdata?a=1&b=2", time.Date(2024, 5, 6, 7, 8, 0, 0, time.UTC)},
		{"HTTP://EXAMPLE.COM/Upper", time.Time{}},
		{"https://example.com/café", time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC)},
	}
	index := []string{"https://example.com/sitemap-pages.xml", "https://example.com/sitemap-news.xml.gz"}
	tests := []struct {
		name       string
		input      []byte
		want       Result
		wantErr    error
		wantSyntax bool // an *xml.SyntaxError
	}{
		{"urlset", readFixture(t, "urlset.xml"), Result{URLs: urlset}, nil, false},
		{"urlset gzipped", readFixture(t, "urlset.xml.gz"), Result{URLs: urlset}, nil, false},
		{"no namespace", readFixture(t, "urlset-no-namespace.xml"), Result{URLs: []Entry{
			{"https://example.com/a", day(2023, 1, 1)},
			{"https://example.com/b", time.Time{}},
		}}, nil, false},
		{"prefixed, old namespace", readFixture(t, "urlset-prefixed.xml"), Result{URLs: []Entry{
			{"https://example.com/news/1", time.Time{}},
			{"https://example.com/news/2", day(2024, 1, 1)},
		}}, nil, false},
		{"index", readFixture(t, "index.xml"), Result{Sitemaps: index}, nil, false},
		{"index gzipped, any name", readFixture(t, "index.bin"), Result{Sitemaps: index}, nil, false},
		{"text", readFixture(t, "urls.txt"), Result{URLs: []Entry{
			{URL: "https://example.com/one"}, {URL: "https://example.com/two"}, {URL: "http://example.com/three"},
		}}, nil, false},
		{"text gzipped", gzipped(t, readFixture(t, "urls.txt")), Result{URLs: []Entry{
			{URL: "https://example.com/one"}, {URL: "https://example.com/two"}, {URL: "http://example.com/three"},
		}}, nil, false},
		{"latin1", readFixture(t, "latin1.xml"), Result{URLs: []Entry{{URL: "https://example.com/café"}}}, nil, false},
		{"empty", nil, Result{}, nil, false},
		{"blank", []byte(" \n\t\r\n"), Result{}, nil, false},
		{"empty urlset", []byte(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>`), Result{}, nil, false},
		{"whitespace before XML", []byte("\n\n  <urlset><url><loc>http://a.example/</loc></url></urlset>"),
			Result{URLs: []Entry{{URL: "http://a.example/"}}}, nil, false},
		{"trailing data not read", []byte("<urlset><url><loc>http://a.example/</loc></url></urlset><oops"),
			Result{URLs: []Entry{{URL: "http://a.example/"}}}, nil, false},
		{"html", readFixture(t, "page.html"), Result{}, ErrNotSitemap, false},
		{"declaration only", []byte(`<?xml version="1.0"?>`), Result{}, ErrNotSitemap, false},
		{"text without urls", []byte("hello\nworld\n"), Result{}, ErrNotSitemap, false},
		{"json", []byte(`{"error": "not found"}`), Result{}, ErrNotSitemap, false},
		{"bad gzip", []byte{0x1f, 0x8b, 0, 0}, Result{}, io.ErrUnexpectedEOF, false},
		{"malformed", readFixture(t, "malformed.xml"), Result{URLs: []Entry{{URL: "https://example.com/ok"}}}, nil, true},
		{"truncated", readFixture(t, "truncated.xml"), Result{URLs: []Entry{{URL: "https://example.com/ok"}}}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(bytes.NewReader(tt.input), 1<<20)
			var syntax *xml.SyntaxError
			switch {
			case tt.wantSyntax:
				if !errors.As(err, &syntax) {
					t.Errorf("Parse: %v, want an *xml.SyntaxError", err)
				}
			case !errors.Is(err, tt.wantErr):
				t.Errorf("Parse: %v, want %v", err, tt.wantErr)
			}
			checkResult(t, got, tt.want)
		})
	}
}

// checkResult compares two results, times with Time.Equal.
func checkResult(t *testing.T, got, want Result) {
	t.Helper()
	if !slices.Equal(got.Sitemaps, want.Sitemaps) {
		t.Errorf("Sitemaps = %q, want %q", got.Sitemaps, want.Sitemaps)
	}
	if !slices.EqualFunc(got.URLs, want.URLs, func(a, b Entry) bool { return a.URL == b.URL && a.LastMod.Equal(b.LastMod) }) {
		t.Errorf("URLs =\n%v\nwant\n%v", got.URLs, want.URLs)
	}
}

// TestMalformedContext checks that a syntax error says where it is.
func TestMalformedContext(t *testing.T) {
	_, err := Parse(bytes.NewReader(readFixture(t, "malformed.xml")), 0)
	if err == nil || !strings.Contains(err.Error(), "line 4") || !strings.HasPrefix(err.Error(), "read sitemap xml") {
		t.Errorf("Parse(malformed.xml): %v, want an error about line 4", err)
	}
}

func TestLastMod(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"1997", time.Date(1997, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"1997-07", time.Date(1997, 7, 1, 0, 0, 0, 0, time.UTC)},
		{"1997-07-16", time.Date(1997, 7, 16, 0, 0, 0, 0, time.UTC)},
		{"1997-07-16T19:20+01:00", time.Date(1997, 7, 16, 18, 20, 0, 0, time.UTC)},
		{"1997-07-16T19:20:30+01:00", time.Date(1997, 7, 16, 18, 20, 30, 0, time.UTC)},
		{"1997-07-16T19:20:30.45+01:00", time.Date(1997, 7, 16, 18, 20, 30, 45e7, time.UTC)},
		{"1997-07-16T19:20:30Z", time.Date(1997, 7, 16, 19, 20, 30, 0, time.UTC)},
		{" 1997-07-16T19:20:30+0100 ", time.Date(1997, 7, 16, 18, 20, 30, 0, time.UTC)},
		{"1997-07-16T19:20:30", time.Date(1997, 7, 16, 19, 20, 30, 0, time.UTC)},
		{"1997-07-16 19:20:30", time.Date(1997, 7, 16, 19, 20, 30, 0, time.UTC)},
		{"Wed, 16 Jul 1997 19:20:30 +0000", time.Date(1997, 7, 16, 19, 20, 30, 0, time.UTC)},
		{"", time.Time{}},
		{"yesterday", time.Time{}},
		{"1997-13-01", time.Time{}},
	}
	for _, tt := range tests {
		if got := parseLastMod(tt.in); !got.Equal(tt.want) {
			t.Errorf("parseLastMod(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestTooLarge checks the byte cap, on plain and gzipped input, including
// gzip bombs that would expand to 100 MB.
func TestTooLarge(t *testing.T) {
	const capBytes = 1 << 20
	var doc bytes.Buffer
	doc.WriteString("<urlset>\n")
	for doc.Len() < capBytes+100 {
		fmt.Fprintf(&doc, "<url><loc>https://example.com/page/%d</loc></url>\n", doc.Len())
	}
	doc.WriteString("</urlset>\n")

	zeros := gzipBomb(t, nil)
	spaces := gzipBomb(t, []byte("<urlset>"))
	tests := []struct {
		name  string
		input []byte
	}{
		{"xml", doc.Bytes()},
		{"xml gzipped", gzipped(t, doc.Bytes())},
		{"bomb of zeros", zeros},
		{"bomb inside a urlset", spaces},
		{"long text", []byte(strings.Repeat("https://example.com/\n", capBytes/20))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			res, err := Parse(bytes.NewReader(tt.input), capBytes)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Parse: %v, want ErrTooLarge", err)
			}
			if res.count() > capBytes/20 {
				t.Errorf("%d entries from a %d-byte cap", res.count(), capBytes)
			}
			t.Logf("%d entries, %v: %v", res.count(), time.Since(start), err)
		})
	}
	// Just under the cap is fine.
	exact := []byte("<urlset><url><loc>https://example.com/</loc></url></urlset>")
	if _, err := Parse(bytes.NewReader(exact), int64(len(exact))); err != nil {
		t.Errorf("Parse of exactly maxBytes: %v", err)
	}
	if _, err := Parse(bytes.NewReader(exact), int64(len(exact))-1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Parse of maxBytes+1: %v, want ErrTooLarge", err)
	}
}

// gzipBomb returns prefix followed by 100 MB of zero bytes (or of spaces
// when prefix is not empty, to keep an XML decoder reading), gzipped as 101
// gzip members, which a gzip reader reads as one stream: compressing 1 MB
// once keeps the test fast.
func gzipBomb(t *testing.T, prefix []byte) []byte {
	t.Helper()
	chunk := make([]byte, 1<<20)
	if len(prefix) > 0 {
		for i := range chunk {
			chunk[i] = ' '
		}
	}
	member := gzipped(t, chunk)
	bomb := gzipped(t, prefix)
	for range 100 {
		bomb = append(bomb, member...)
	}
	if len(bomb) > 1<<20 {
		t.Fatalf("bomb is %d bytes compressed", len(bomb))
	}
	return bomb
}

// TestTooMany checks the protocol's limit of 50,000 entries.
func TestTooMany(t *testing.T) {
	xmlDoc := func(n int, index bool) []byte {
		var b bytes.Buffer
		item, root := "url", "urlset"
		if index {
			item, root = "sitemap", "sitemapindex"
		}
		fmt.Fprintf(&b, "<%s>\n", root)
		for i := range n {
			fmt.Fprintf(&b, "<%s><loc>https://example.com/%d</loc></%s>\n", item, i, item)
		}
		fmt.Fprintf(&b, "</%s>\n", root)
		return b.Bytes()
	}
	text := func(n int) []byte {
		var b bytes.Buffer
		for i := range n {
			fmt.Fprintf(&b, "https://example.com/%d\n", i)
		}
		return b.Bytes()
	}
	tests := []struct {
		name    string
		input   []byte
		wantErr error
	}{
		{"urlset at the limit", xmlDoc(MaxEntries, false), nil},
		{"urlset over", xmlDoc(MaxEntries+1, false), ErrTooMany},
		{"index over", xmlDoc(MaxEntries+1, true), ErrTooMany},
		{"text at the limit", text(MaxEntries), nil},
		{"text over", text(MaxEntries + 1), ErrTooMany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(bytes.NewReader(tt.input), 0)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Parse: %v, want %v", err, tt.wantErr)
			}
			if n := res.count(); n != MaxEntries {
				t.Errorf("%d entries, want %d", n, MaxEntries)
			}
			last := "https://example.com/49999"
			if n := len(res.Sitemaps); n > 0 && res.Sitemaps[n-1] != last {
				t.Errorf("last sitemap %q, want %q", res.Sitemaps[n-1], last)
			}
			if len(res.URLs) > 0 && res.URLs[len(res.URLs)-1].URL != last {
				t.Errorf("last URL %q, want %q", res.URLs[len(res.URLs)-1].URL, last)
			}
		})
	}
}

// TestLongTextLine checks that a line too long to be a URL is skipped, not
// fatal.
func TestLongTextLine(t *testing.T) {
	in := "https://example.com/a\nhttps://example.com/" + strings.Repeat("x", 100<<10) + "\nhttps://example.com/b\n"
	res, err := Parse(strings.NewReader(in), 0)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res, Result{URLs: []Entry{{URL: "https://example.com/a"}, {URL: "https://example.com/b"}}})
}

// errReader fails after its data.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestReadError checks that an error of the reader is returned, wrapped,
// with what was read before it.
func TestReadError(t *testing.T) {
	boom := errors.New("connection reset")
	tests := []struct {
		name string
		data string
		want int
	}{
		{"xml", "<urlset><url><loc>https://example.com/a</loc></url><url>", 1},
		{"text", "https://example.com/a\nhttps://example.com/b\nhttps://exa", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(&errReader{data: []byte(tt.data), err: boom}, 0)
			if !errors.Is(err, boom) {
				t.Errorf("Parse: %v, want %v", err, boom)
			}
			if res.count() != tt.want {
				t.Errorf("%d entries, want %d", res.count(), tt.want)
			}
		})
	}
}
