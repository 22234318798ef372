package parse

import (
	"strings"
	"testing"
)

func TestCSSGolden(t *testing.T) {
	links := CSS(mustURL(t, "https://example.com/static/css/style.css"), readTestdata(t, "style.css"), Options{}, nil)
	checkGolden(t, "style.golden", formatLinks(links))
}

func TestCSS(t *testing.T) {
	const base = "http://example.com/css/site.css"
	tests := []struct{ name, css, want string }{
		{"empty", "", ""},
		{"unquoted", "a{b:url(x.png)}", "x.png"},
		{"double quoted", `a{b:url("x.png")}`, "x.png"},
		{"single quoted", `a{b:url('x.png')}`, "x.png"},
		{"whitespace inside", "a{b:url( \n x.png \t )}", "x.png"},
		{"whitespace inside quoted", `a{b:url(  "x.png"  )}`, "x.png"},
		{"uppercase", "a{b:URL(x.png)}", "x.png"},
		{"not url function", "a{b:myurl(x.png)}", ""},
		{"comment", "/* url(x.png) */ a{b:url(y.png)}", "y.png"},
		{"unterminated comment", "a{b:url(y.png)} /* url(x.png)", "y.png"},
		{"string not url", `a{content:"url(x.png)"}`, ""},
		{"escaped quote in string", `a{content:"\"url(x.png)"}`, ""},
		{"import string", `@import "a.css";`, "a.css"},
		{"import single", `@import 'a.css' screen;`, "a.css"},
		{"import url", `@import url(a.css);`, "a.css"},
		{"import uppercase", `@IMPORT "a.css";`, "a.css"},
		{"importer is not import", `@importer "a.css";`, ""},
		{"escaped paren", `a{b:url(x\).png)}`, "x).png"},
		{"hex escape", `a{b:url(x\2e png)}`, "x.png"},
		{"hex escape in string", `a{b:url("x\2e png")}`, "x.png"},
		{"newline continuation in string", "a{b:url(\"x\\\n.png\")}", "x.png"},
		{"bad url whitespace", "a{b:url(x y.png)} c{d:url(z.png)}", "z.png"},
		{"bad url quote", `a{b:url(x"y.png)} c{d:url(z.png)}`, "z.png"},
		{"bad string newline", "a{b:url(\"x\ny.png\")} c{d:url(z.png)}", "z.png"},
		{"empty url", "a{b:url()} c{d:url('')}", ""},
		{"data url skipped", "a{b:url(data:image/png;base64,AAAA)}", ""},
		{"fragment only is the stylesheet", "a{filter:url(#f)}", ""},
		{"image-set", `a{b:image-set("a.png" 1x, 'b.png' 2x)}`, "a.png b.png"},
		{"image-set type not url", `a{b:image-set("a.png" type("image/avif") 1x)}`, "a.png"},
		{"webkit image-set", `a{b:-webkit-image-set(url(a.png) 1x, "b.png" 2x)}`, "a.png b.png"},
		{"strings after image-set", `a{b:image-set("a.png" 1x); content:"c.png"}`, "a.png"},
		{"dedup", "a{b:url(x.png)} c{d:url('./x.png')}", "x.png"},
		{"eof in url", "a{b:url(x.png", "x.png"},
		{"eof in string", `a{b:url("x.png`, "x.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			links := CSS(mustURL(t, base), []byte(tt.css), Options{}, nil)
			var got string
			for i, l := range links {
				if l.Kind != Requisite {
					t.Errorf("link %s is %v, want requisite", l.URL, l.Kind)
				}
				if i > 0 {
					got += " "
				}
				got += l.URL.String()
			}
			if want := prefixAll("http://example.com/css/", tt.want); got != want {
				t.Errorf("CSS(%q) = %q, want %q", tt.css, got, want)
			}
		})
	}
}

// prefixAll prefixes every space-separated word of s with p.
func prefixAll(p, s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = p + w
	}
	return strings.Join(words, " ")
}
