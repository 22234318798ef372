package mirror

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

// charsetPage is a page whose links have non-ASCII characters: W1 names
// a saved folder, W2 a saved image. NCR is W1 with its first character
// written as a numeric character reference. META is replaced by the
// page's <meta> charset, if any.
const charsetPage = `<!DOCTYPE html><html><head>META<title>W1</title></head>
<body><a href="/W1/">W1</a> <a href="/NCR/">NCR</a> <img src="/img/W2.png" alt="W2">
<img srcset="/img/W2.png 2x" alt="W1">
<p style="font-family: 'W1'; background: url(/img/W2.png)">W2</p>
<a href="http://h/W1/#W2">W1, W2</a> <a href="/other/W1">not saved</a>
</body></html>`

// charsetWant is charsetPage converted: E1 and E2 are W1's and W2's
// percent-encoded UTF-8, the paths of their files.
const charsetWant = `<!DOCTYPE html><html><head>META<title>W1</title></head>
<body><a href="E1/index.html">W1</a> <a href="E1/index.html">NCR</a> <img src="img/E2.png" alt="W2">
<img srcset="img/E2.png 2x" alt="W1">
<p style="font-family: 'W1'; background: url('img/E2.png')">W2</p>
<a href="E1/index.html#E2">W1, W2</a> <a href="http://h/other/E1">not saved</a>
</body></html>`

// TestConvertCharsets converts pages in legacy encodings, declared by the
// Content-Type, by a <meta> or by a byte order mark, or not at all: each
// link resolves to the URL that the crawl found in the page decoded (the
// percent-encoded UTF-8 of its characters, as a browser asks for), so it
// leads to the saved file; the file keeps its encoding, its bytes changed
// only in the links, which are ASCII.
func TestConvertCharsets(t *testing.T) {
	tests := []struct {
		name        string
		enc         encoding.Encoding
		bom         string
		contentType string
		meta        string
		w1, w2      string
	}{
		{"windows-1251 meta", charmap.Windows1251, "", "text/html", `<meta charset="windows-1251">`, "новости", "фото"},
		{"Shift_JIS header", japanese.ShiftJIS, "", "text/html; charset=Shift_JIS", "", "ニュース表", "写真ソ"},
		{"ISO-8859-1 http-equiv", charmap.ISO8859_1, "", "text/html",
			`<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">`, "café", "été"},
		{"windows-1252 undeclared", charmap.Windows1252, "", "text/html", "", "naïve", "œuvre"},
		{"UTF-16LE BOM", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "\uFEFF", "text/html", "", "новости", "写真"},
		{"UTF-8", unicode.UTF8, "", "text/html", `<meta charset="utf-8">`, "новости", "写真"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r1, size := utf8.DecodeRuneInString(tt.w1)
			ncr := fmt.Sprintf("&#%d;%s", r1, tt.w1[size:])
			e1, e2 := (&url.URL{Path: tt.w1}).EscapedPath(), (&url.URL{Path: tt.w2}).EscapedPath()
			fill := strings.NewReplacer("META", tt.meta, "NCR", ncr, "W1", tt.w1, "W2", tt.w2, "E1", e1, "E2", e2)
			page := encode(t, tt.enc, tt.bom+fill.Replace(charsetPage))
			want := encode(t, tt.enc, tt.bom+fill.Replace(charsetWant))
			folder := (&url.URL{Scheme: "http", Host: "h", Path: "/" + tt.w1 + "/"}).String()
			image := (&url.URL{Scheme: "http", Host: "h", Path: "/img/" + tt.w2 + ".png"}).String()
			st, dir, manifest := fakeCrawl(t, []file{
				{"http://h/", "h/index.html", tt.contentType, page},
				{folder, "h/" + tt.w1 + "/index.html", html, "<p>" + tt.w1},
				{image, "h/img/" + tt.w2 + ".png", "image/png", "\x89PNG"},
			})
			stats, err := Convert(context.Background(), st, bytes.NewReader(manifest), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := read(t, dir, "h/index.html"); got != want {
				t.Errorf("h/index.html =\n%q\nwant\n%q", got, want)
			}
			if stats.Files != 2 || stats.Local != 6 || stats.Remote != 1 || stats.Failed != 0 {
				t.Errorf("stats %+v; want 2 files, 6 links local, 1 to the web, no failure", stats)
			}
		})
	}
}

// encode returns s in enc.
func encode(t *testing.T, enc encoding.Encoding, s string) string {
	t.Helper()
	b, err := enc.NewEncoder().String(s)
	if err != nil {
		t.Fatalf("encoding %q: %v", s, err)
	}
	return b
}

// TestConvertLeavesAPageItCannotWrite converts a page whose link starts
// inside a shifted run of ISO-2022-JP (decoded for the stray byte that is
// not ASCII), where an ASCII link would read as kanji: the page is left as
// it was, with a message naming it.
func TestConvertLeavesAPageItCannotWrite(t *testing.T) {
	page := "<!-- \x80 --><a href=\"\x1b$B%K%e!<%9\x1b(B.html\">x</a>"
	st, dir, manifest := fakeCrawl(t, []file{
		{"http://h/", "h/index.html", "text/html; charset=iso-2022-jp", page},
		{"http://h/%E3%83%8B%E3%83%A5%E3%83%BC%E3%82%B9.html", "h/ニュース.html", html, "x"},
	})
	var log bytes.Buffer
	stats, err := Convert(context.Background(), st, bytes.NewReader(manifest), Options{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Failed != 1 || !strings.Contains(log.String(), "h/index.html") || !strings.Contains(log.String(), "encoding") {
		t.Errorf("stats %+v, log %q; want one failure naming h/index.html and its encoding", stats, log.String())
	}
	if got := read(t, dir, "h/index.html"); got != page {
		t.Errorf("h/index.html = %q; want it as fetched", got)
	}
}
