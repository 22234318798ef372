package parse

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// refTitle is the title as x/net/html's tokenizer reads it.
func refTitle(doc []byte) string {
	z := html.NewTokenizer(strings.NewReader(string(doc)))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Title:
				if z.Next() != html.TextToken {
					return ""
				}
				return strings.Join(strings.Fields(string(z.Text())), " ")
			case atom.Body, atom.Svg:
				return ""
			}
		}
	}
}

func TestTitle(t *testing.T) {
	for _, doc := range []string{
		"<title>A page</title>",
		"<html><head><title>\n  Tom &amp; Jerry &lt;3\n</title>",
		"<title>caf&eacute; &#x263A;</title>",
		"<!-- <title>no</title> --><title>yes</title>",
		"<body><title>in the body</title>",
		"<svg><title>an image</title></svg>",
		"<script>var t='<title>x</title>'</script><title>after a script</title>",
		"<title></title>",
		"no title at all",
		"<title>cut",
	} {
		if got, want := Title([]byte(doc)), refTitle([]byte(doc)); got != want {
			t.Errorf("Title(%q) = %q; the tokenizer reads %q", doc, got, want)
		}
	}
}

func FuzzTitle(f *testing.F) {
	f.Add([]byte("<title>Tom &amp; Jerry</title>"))
	f.Add([]byte("<head><title>a\tb</title></head>"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		if got, want := Title(doc), refTitle(doc); got != want {
			t.Fatalf("Title(%q) = %q; the tokenizer reads %q", doc, got, want)
		}
	})
}

// TestDocTitle checks that DocTitle, which skips decoding when it can,
// reads what Title reads in the decoded document.
func TestDocTitle(t *testing.T) {
	latin1 := "<title>caf\xe9</title>"
	for _, tc := range []struct{ doc, contentType, want string }{
		{"<title>plain</title>", "text/html", "plain"},
		{"<title>plain</title>\xff\xfe after", "text/html", "plain"},
		{"<title>caf\xc3\xa9</title>", "text/html", "café"},
		{latin1, "text/html; charset=iso-8859-1", "café"},
		{latin1, "text/html", "café"}, // not UTF-8: windows-1252
		{"<meta charset=iso-8859-1><title>caf\xe9</title>", "", "café"},
		// ToUTF8 leaves an ASCII document as it is, even in a charset
		// that would replace it whole.
		{"<meta charset=hz-gb-2312><title>plain</title>", "", "plain"},
		{"<title>plain</title>", "text/html; charset=hz-gb-2312", "plain"},
		{"<meta charset=hz-gb-2312><title>plain</title>\xe9", "", ""}, // decoded: not HZ
		{"\xfe\xff\x00<\x00t\x00i\x00t\x00l\x00e\x00>\x00x\x00<\x00/\x00t\x00i\x00t\x00l\x00e\x00>", "text/html", "x"},
		{"<title>plain</title>", "text/html; charset=utf-16", ""},
		{"<body>no title</body>\xe9", "text/html", ""},
	} {
		doc := []byte(tc.doc)
		got, slow := DocTitle(doc, tc.contentType), Title(ToUTF8(doc, tc.contentType))
		if got != slow {
			t.Errorf("DocTitle(%q, %q) = %q; Title of the decoded document = %q", tc.doc, tc.contentType, got, slow)
		}
		if got != tc.want {
			t.Errorf("DocTitle(%q, %q) = %q, want %q", tc.doc, tc.contentType, got, tc.want)
		}
	}
}

func FuzzDocTitle(f *testing.F) {
	f.Add([]byte("<title>Tom &amp; Jerry</title>"), "text/html")
	f.Add([]byte("<meta charset=shift_jis><title>\x82\xa0</title>"), "")
	f.Add([]byte("<title>x</title>"), "text/html; charset=iso-2022-jp")
	f.Fuzz(func(t *testing.T, doc []byte, contentType string) {
		if got, want := DocTitle(doc, contentType), Title(ToUTF8(doc, contentType)); got != want {
			t.Fatalf("DocTitle(%q, %q) = %q; Title of the decoded document = %q", doc, contentType, got, want)
		}
	})
}
