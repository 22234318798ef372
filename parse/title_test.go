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
