package parse

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"

	"github.com/crawl-go/crawl/urlnorm"
)

// charsetDoc has links with W, a non-ASCII word, in every context that
// the rewriter writes: an attribute value, one with a character
// reference, a srcset, a style attribute with W outside its url(), a
// <style> element and a meta refresh. HEAD is replaced by the
// document's <meta> charset, if any.
const charsetDoc = `<html><head>HEAD<title>W</title>
<meta http-equiv=refresh content="5; url=/W/refresh">
<style>/* W */ .W { background: url(/img/W.png) }</style></head>
<body><a href="/W/">W</a> <a href='/&#1078;W/'>&#1078;W</a>
<img srcset="/img/W.png 1x, /img/W-2.png 2x" alt="W">
<p style="font-family: 'W'; background: url(/img/W.png)">W</p></body></html>`

// charsetDocLocal is charsetDoc rewritten by localRef.
const charsetDocLocal = `<html><head>HEAD<title>W</title>
<meta http-equiv=refresh content="5; url=L/E/refresh">
<style>/* W */ .W { background: url("L/img/E.png") }</style></head>
<body><a href="L/E/">W</a> <a href='L/%D0%B6E/'>&#1078;W</a>
<img srcset="L/img/E.png 1x, L/img/E-2.png 2x" alt="W">
<p style="font-family: 'W'; background: url('L/img/E.png')">W</p></body></html>`

// localRef makes a link an "L" and its path as the URL has it escaped:
// the UTF-8 that the document's characters are.
func localRef(r Ref) (string, bool) { return "L" + r.URL.EscapedPath(), true }

// TestRewriteFetchedHTML rewrites documents in legacy encodings, declared
// in the Content-Type, a <meta> or a byte order mark, or not at all:
// fn gets the URLs that HTML finds in the document decoded by ToUTF8
// (the crawl's), and the result keeps the document's encoding, its bytes
// changed only in the rewritten values.
func TestRewriteFetchedHTML(t *testing.T) {
	base := mustURL(t, rewriteBase)
	tests := []struct {
		name        string
		enc         encoding.Encoding
		prefix      string // a byte order mark
		contentType string
		head        string
		w           string
	}{
		{"windows-1251 meta", charmap.Windows1251, "", "text/html", `<meta charset="windows-1251">`, "новости"},
		{"windows-1251 header", charmap.Windows1251, "", "text/html; charset=cp1251", "", "фото"},
		{"Shift_JIS header", japanese.ShiftJIS, "", "text/html; charset=Shift_JIS", "", "写真ソ表"},
		{"Shift_JIS meta", japanese.ShiftJIS, "", "text/html", `<meta charset="shift_jis">`, "ニュース"},
		{"EUC-JP meta", japanese.EUCJP, "", "text/html", `<meta charset="euc-jp">`, "ニュース"},
		{"ISO-8859-1 header", charmap.Windows1252, "", "text/html; charset=ISO-8859-1", "", "café"},
		{"ISO-8859-1 http-equiv", charmap.Windows1252, "", "text/html",
			`<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">`, "été"},
		{"undeclared, not UTF-8", charmap.Windows1252, "", "text/html", "", "naïve"},
		{"UTF-16LE BOM", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "\uFEFF", "text/html", "", "новости"},
		{"UTF-16BE BOM", unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "\uFEFF", "text/html", "", "写真"},
		{"UTF-8", unicode.UTF8, "", "text/html", `<meta charset="utf-8">`, "новости"},
		{"UTF-8 header", unicode.UTF8, "", "text/html; charset=utf-8", "", "写真"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := (&url.URL{Path: tt.w}).EscapedPath()
			fill := strings.NewReplacer("HEAD", tt.head, "W", tt.w, "E", e)
			body := encodeString(t, tt.enc, tt.prefix+fill.Replace(charsetDoc))
			want := encodeString(t, tt.enc, tt.prefix+fill.Replace(charsetDocLocal))
			orig := bytes.Clone(body)

			var refs strings.Builder
			got, err := RewriteFetchedHTML(base, body, tt.contentType, Options{}, recordRefs(localRef, &refs))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("RewriteFetchedHTML =\n%q\nwant\n%q", got, want)
			}
			if !bytes.Equal(body, orig) {
				t.Fatal("body modified")
			}
			// fn got the crawl's URLs: those of the document decoded.
			var decoded strings.Builder
			RewriteHTML(base, ToUTF8(body, tt.contentType), Options{}, recordRefs(localRef, &decoded))
			if refs.String() != decoded.String() {
				t.Errorf("fn got\n%swant those of the document decoded\n%s", refs.String(), decoded.String())
			}
			if !strings.Contains(refs.String(), "http://example.com/img/"+e+".png") {
				t.Errorf("fn got\n%swhich has no /img/%s.png", refs.String(), e)
			}

			// Declining every link keeps the document; a marked rewrite
			// gives the links marked, read as the crawl reads them.
			if got, err := RewriteFetchedHTML(base, body, tt.contentType, Options{}, func(Ref) (string, bool) { return "", false }); err != nil || !bytes.Equal(got, body) {
				t.Errorf("declining every link: %v, changed the document to\n%q", err, got)
			}
			var marks []Link
			mark := func(r Ref) (string, bool) {
				text := fmt.Sprintf("http://m.example/%d/a b'c&d,e<f>(g)\\h", len(marks))
				u, err := urlnorm.Resolve(base, text)
				if err != nil {
					t.Fatal(err)
				}
				marks = append(marks, Link{URL: u, Kind: r.Kind})
				return text, true
			}
			out, err := RewriteFetchedHTML(base, body, tt.contentType, Options{}, mark)
			if err != nil {
				t.Fatal(err)
			}
			if got := formatLinks(HTML(base, ToUTF8(out, tt.contentType), Options{}, nil)); got != formatLinks(marks) {
				t.Errorf("marked rewrite\n%q\nhas the links\n%swant\n%s", out, got, formatLinks(marks))
			}
		})
	}
}

// TestRewriteFetchedHTMLFails checks the documents whose rewrite cannot
// be written in their encoding: RewriteFetchedHTML says so, and returns
// nothing to write.
func TestRewriteFetchedHTMLFails(t *testing.T) {
	base := mustURL(t, rewriteBase)
	tests := []struct {
		name, contentType string
		body              []byte
		fn                func(Ref) (string, bool)
	}{
		{"a character the encoding lacks", "text/html; charset=windows-1251",
			[]byte("<a href=\"/\xed\xee\xe2\xee\xf1\xf2\xe8/\">x</a>"),
			func(Ref) (string, bool) { return "写真.html", true }},
		// The reference starts in ISO-2022-JP's JIS X 0208 run: an ASCII
		// replacement there would read as kanji. (ToUTF8 decodes a
		// document in ISO-2022-JP only if it has a byte that is not
		// ASCII, here a stray one in a comment.)
		{"inside a shifted run", "text/html; charset=iso-2022-jp",
			[]byte("<!-- \x80 --><a href=\"\x1b$B%K%e!<%9\x1b(B.html\">x</a>"),
			localRef},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := RewriteFetchedHTML(base, tt.body, tt.contentType, Options{}, tt.fn)
			if err == nil || out != nil {
				t.Errorf("RewriteFetchedHTML = %q, %v; want an error", out, err)
			}
		})
	}
}

// encodeString returns s in enc.
func encodeString(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encoding %q: %v", s, err)
	}
	return b
}
