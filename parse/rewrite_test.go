package parse

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crawl-go/crawl/urlnorm"
)

const rewriteBase = "http://example.com/a/page.html"

// shortRef is the test rewrite: "P" or "R" for the kind, then the URL
// without "http://example.com", fragment included. A <base href> is
// removed.
func shortRef(r Ref) (string, bool) {
	if r.Base {
		return "", true
	}
	k := "P"
	if r.Kind == Requisite {
		k = "R"
	}
	return k + strings.TrimPrefix(r.URL.String(), "http://example.com"), true
}

// recordRefs wraps fn to record the Refs it is given, one per line as
// "kind url[ base]".
func recordRefs(fn func(Ref) (string, bool), calls *strings.Builder) func(Ref) (string, bool) {
	return func(r Ref) (string, bool) {
		fmt.Fprintf(calls, "%v %s", r.Kind, r.URL)
		if r.Base {
			calls.WriteString(" base")
		}
		calls.WriteByte('\n')
		return fn(r)
	}
}

func TestRewriteHTML(t *testing.T) {
	keep := func(Ref) (string, bool) { return "", false }
	quoted := func(r Ref) (string, bool) { return `it's "q" & <more>`, true }
	keepBase := func(r Ref) (string, bool) {
		if r.Base {
			return "../local/", true
		}
		return shortRef(r)
	}
	tests := []struct {
		name, html string
		fn         func(Ref) (string, bool) // shortRef if nil
		want       string
		refs       string // the Refs fn gets, if not empty
	}{
		// Attribute quoting.
		{name: "double quoted", html: `<a href="x.html">x</a>`, want: `<a href="P/a/x.html">x</a>`},
		{name: "single quoted", html: `<a href='x.html'>x</a>`, want: `<a href='P/a/x.html'>x</a>`},
		{name: "unquoted gets quotes", html: `<a href=x.html>x</a>`, want: `<a href="P/a/x.html">x</a>`},
		{name: "unquoted before slash", html: `<a href=x.html/>x`, want: `<a href="P/a/x.html/">x`},
		{name: "spaces around equals", html: `<a href = "x.html" >`, want: `<a href = "P/a/x.html" >`},
		{name: "escaped for double quotes", html: `<a href="x">`, fn: quoted, want: `<a href="it's &quot;q&quot; &amp; <more>">`},
		{name: "escaped for single quotes", html: `<a href='x'>`, fn: quoted, want: `<a href='it&#39;s "q" &amp; <more>'>`},
		{name: "escaped unquoted", html: `<a href=x>`, fn: quoted, want: `<a href="it's &quot;q&quot; &amp; <more>">`},
		{name: "uppercase tags and attributes", html: `<A HREF="X.html">1</A><IMG SRC=I.PNG>`,
			want: `<A HREF="P/a/X.html">1</A><IMG SRC="R/a/I.PNG">`},

		// Entities, carriage returns and NULs: fn gets the decoded value.
		{name: "entity in query", html: `<a href="x?a=1&amp;b=2" title="&copy;">`, want: `<a href="P/a/x?a=1&amp;b=2" title="&copy;">`,
			refs: "page http://example.com/a/x?a=1&b=2\n"},
		{name: "numeric entity", html: `<img src="&#x2F;i.png" alt="a&amp;b">`, want: `<img src="R/i.png" alt="a&amp;b">`},
		{name: "carriage return in another attribute", html: "<a title=\"a\r\nb\" href=\"x\">", want: "<a title=\"a\r\nb\" href=\"P/a/x\">"},
		{name: "stray slash before attribute with entity", html: `<a / href="x&amp;y">`, want: `<a / href="P/a/x&amp;y">`},

		// The link table.
		{name: "area and svg", html: `<area href=m><svg><a xlink:href="s.html"/><image href="i.svg"/><use xlink:href="sprite.svg#icon"/></svg>`,
			want: `<area href="P/a/m"><svg><a xlink:href="P/a/s.html"/><image href="R/a/i.svg"/><use xlink:href="R/a/sprite.svg#icon"/></svg>`},
		{name: "link rels", html: `<link rel=stylesheet href=s.css><link rel=canonical href=c.html><link rel=preconnect href="//cdn.example/"><link rel=icon href=/f.ico>`,
			want: `<link rel=stylesheet href="R/a/s.css"><link rel=canonical href="P/a/c.html"><link rel=preconnect href="//cdn.example/"><link rel=icon href="R/f.ico">`},
		{name: "media", html: `<script src=s.js></script><iframe src=f.html></iframe><frame src=fr.html><embed src=e.swf><audio src=a.ogg><track src=t.vtt></audio><video src=v.mp4 poster=p.jpg></video>`,
			want: `<script src="R/a/s.js"></script><iframe src="R/a/f.html"></iframe><frame src="R/a/fr.html"><embed src="R/a/e.swf"><audio src="R/a/a.ogg"><track src="R/a/t.vtt"></audio><video src="R/a/v.mp4" poster="R/a/p.jpg"></video>`},
		{name: "input and object", html: `<input type=image src=b.png><input type=text src=no.png><object data=o.svg></object>`,
			want: `<input type=image src="R/a/b.png"><input type=text src=no.png><object data="R/a/o.svg"></object>`},
		{name: "forms", html: `<form action=s><form method=GET action=g><form method=post action=p>`,
			want: `<form action="P/a/s"><form method=GET action="P/a/g"><form method=post action=p>`},
		{name: "background", html: `<body background=b.png><table background=t.png><tr background=r.png><th background=h.png><td background=d.png><p background=no.png>`,
			want: `<body background="R/a/b.png"><table background="R/a/t.png"><tr background="R/a/r.png"><th background="R/a/h.png"><td background="R/a/d.png"><p background=no.png>`},
		{name: "lazy loading", html: `<img data-src=a.png data-srcset="b.png 2x"><iframe data-lazy-src=f.html></iframe><img data-original=o.png><div data-src=no.png>`,
			want: `<img data-src="R/a/a.png" data-srcset="R/a/b.png 2x"><iframe data-lazy-src="R/a/f.html"></iframe><img data-original="R/a/o.png"><div data-src=no.png>`},
		{name: "duplicate attribute", html: `<a href=one.html HREF=two.html>`, want: `<a href="P/a/one.html" HREF=two.html>`},
		{name: "no value", html: `<base href=/b/><a href>x</a><a href/>`, want: `<base><a href="P/b/">x</a><a href="P/b/"/>`},
		{name: "empty value", html: `<base href=/b/><a href= >x</a><a href="">`, want: `<base><a href= "P/b/">x</a><a href="P/b/">`},

		// What fn does not see, and what it declines.
		{name: "not http", html: `<a href="mailto:a@example.com"><a href="javascript:go()"><img src="data:image/png;base64,AA=="><a href="ftp://x/">`,
			want: `<a href="mailto:a@example.com"><a href="javascript:go()"><img src="data:image/png;base64,AA=="><a href="ftp://x/">`},
		{name: "bare fragment and empty left alone", html: `<a href="#top">t</a><a href=""><a href=" #x "><a href>`,
			want: `<a href="#top">t</a><a href=""><a href=" #x "><a href>`, refs: "-"},
		{name: "self by name is a link", html: `<a href="page.html#s">s</a><a href="?q">q</a>`,
			want: `<a href="P/a/page.html#s">s</a><a href="P/a/page.html?q">q</a>`},
		{name: "fn declines", html: `<a href=x><img src=y srcset="a 1x"><p style="b:url(c)">`, fn: keep,
			want: `<a href=x><img src=y srcset="a 1x"><p style="b:url(c)">`},
		{name: "fragment kept", html: `<a href="x.html#sec%20two">`, want: `<a href="P/a/x.html#sec%20two">`,
			refs: "page http://example.com/a/x.html#sec%20two\n"},
		{name: "other host", html: `<a href="//other.example/x">`, want: `<a href="Phttp://other.example/x">`},

		// srcset.
		{name: "srcset descriptors kept", html: `<img srcset="a.png 1x,  b.png   2x , c.png 300w">`,
			want: `<img srcset="R/a/a.png 1x,  R/a/b.png   2x , R/a/c.png 300w">`},
		{name: "srcset data url kept", html: `<img srcset="data:image/png;base64,AA== 1x, b.png 2x">`,
			want: `<img srcset="data:image/png;base64,AA== 1x, R/a/b.png 2x">`},
		{name: "srcset commas", html: `<source srcset="a.png,b.png 2x"><source srcset="a.png, b.png">`,
			want: `<source srcset="R/a/a.png,b.png 2x"><source srcset="R/a/a.png, R/a/b.png">`},
		{name: "srcset unquoted", html: `<img srcset=a.png>`, want: `<img srcset="R/a/a.png">`},
		{name: "srcset entity re-encoded", html: `<img srcset="a.png?x=1&amp;y=2 1x, b&#46;png 2x">`,
			want: `<img srcset="R/a/a.png?x=1&amp;y=2 1x, R/a/b.png 2x">`},
		{name: "srcset replacement made safe", html: `<img srcset="a.png 1x, b.png 2x">`,
			fn:   func(r Ref) (string, bool) { return "x y,", true },
			want: `<img srcset="x%20y,# 1x, x%20y,# 2x">`},

		// meta refresh.
		{name: "refresh unquoted", html: `<meta http-equiv=refresh content="5; url=n.html">`,
			want: `<meta http-equiv=refresh content="5; url=P/a/n.html">`},
		{name: "refresh quoted", html: `<meta http-equiv="Refresh" content="0;URL='n.html'">`,
			want: `<meta http-equiv="Refresh" content="0;URL='P/a/n.html'">`},
		{name: "refresh without url=", html: `<meta content="1, n.html" http-equiv=refresh>`,
			want: `<meta content="1, P/a/n.html" http-equiv=refresh>`},
		{name: "refresh unquoted content", html: `<meta http-equiv=refresh content=0;url=n.html>`,
			want: `<meta http-equiv=refresh content="0;url=P/a/n.html">`},
		{name: "refresh reload only", html: `<meta http-equiv=refresh content="30">`, want: `<meta http-equiv=refresh content="30">`},
		{name: "refresh quote switched", html: `<meta http-equiv=refresh content="0; url='n.html'">`,
			fn:   func(r Ref) (string, bool) { return "it's.html", true },
			want: `<meta http-equiv=refresh content="0; url=&quot;it's.html&quot;">`},
		{name: "refresh text that needs quotes", html: `<meta http-equiv=refresh content="0; n.html">`,
			fn:   func(r Ref) (string, bool) { return "url=x.html", true },
			want: `<meta http-equiv=refresh content="0; 'url=x.html'">`},

		// CSS in style attributes and elements.
		{name: "style attribute", html: `<div style="background:url(bg.png)">`, want: `<div style="background:url('R/a/bg.png')">`},
		{name: "style attribute single quoted", html: `<div style='background:url(bg.png)'>`, want: `<div style='background:url("R/a/bg.png")'>`},
		{name: "style attribute unquoted", html: `<div style=background:url(bg.png)>`, want: `<div style="background:url('R/a/bg.png')">`},
		{name: "style attribute with entity", html: `<div style="x:url('a&amp;b.png'); y:url(c.png)">`,
			want: `<div style="x:url('R/a/a&amp;b.png'); y:url('R/a/c.png')">`, refs: "requisite http://example.com/a/a&b.png\nrequisite http://example.com/a/c.png\n"},
		{name: "style attribute on link tag", html: `<a style="x:url(i.png)" href=h.html>`, want: `<a style="x:url('R/a/i.png')" href="P/a/h.html">`},
		{name: "style attribute css escapes", html: `<div style="x:url(a.png)">`, fn: quoted,
			want: `<div style="x:url('it\'s &quot;q&quot; &amp; <more>')">`},
		{name: "style element", html: "<style>\n@import 'i.css';\n@import url(j.css) screen;\na { b: url( k.png ) }\n/* url(c.png) */ c { content: \"url(s.png)\" }\n</style>",
			want: "<style>\n@import \"R/a/i.css\";\n@import url(\"R/a/j.css\") screen;\na { b: url( \"R/a/k.png\" ) }\n/* url(c.png) */ c { content: \"url(s.png)\" }\n</style>"},
		{name: "style element escapes", html: `<style>a{b:url(x.png)}</style>`, fn: quoted,
			want: `<style>a{b:url("it's \"q\" & \3c more>")}</style>`},
		{name: "style element crlf and nul", html: "<style>\r\na{b:url(x.png)}\x00\rc{d:url(y.png)}</style>",
			want: "<style>\r\na{b:url(\"R/a/x.png\")}\x00\rc{d:url(\"R/a/y.png\")}</style>"},
		{name: "style element image-set", html: `<style>a{b:image-set("a.png" 1x, url(b.png) 2x)}</style>`,
			want: `<style>a{b:image-set("R/a/a.png" 1x, url("R/a/b.png") 2x)}</style>`},

		// Text that is not markup, or is.
		{name: "script and title text untouched", html: `<script>x = '<a href="s.html">'</script><title><a href=t.html></title><textarea><img src=x></textarea>`,
			want: `<script>x = '<a href="s.html">'</script><title><a href=t.html></title><textarea><img src=x></textarea>`},
		{name: "comments untouched", html: `<!-- <a href="c.html"> --><a href=d.html>`, want: `<!-- <a href="c.html"> --><a href="P/a/d.html">`},
		{name: "noscript scanned", html: `<noscript><img src=n.png></noscript><noframes><a href=f.html></noframes>`,
			want: `<noscript><img src="R/a/n.png"></noscript><noframes><a href="P/a/f.html"></noframes>`},

		// <base href>.
		{name: "base removed", html: `<head><base href="/b/"><link rel=stylesheet href=s.css></head><a href="#top">t</a><a href="x.html">`,
			want: `<head><base><link rel=stylesheet href="R/b/s.css"></head><a href="P/b/#top">t</a><a href="P/b/x.html">`,
			refs: "page http://example.com/b/ base\nrequisite http://example.com/b/s.css\npage http://example.com/b/#top\npage http://example.com/b/x.html\n"},
		{name: "base removed with other attributes", html: "<base\ttarget=_blank\n HREF = 'http://cdn.example/'  /><a href=x>",
			want: "<base\ttarget=_blank  /><a href=\"Phttp://cdn.example/x\">"},
		{name: "base removed unquoted", html: `<base href=/b/ target=x><a href=y>`, want: `<base target=x><a href="P/b/y">`},
		{name: "base replaced", html: `<base href="/b/"><a href=x>`, fn: keepBase, want: `<base href="../local/"><a href="P/b/x">`},
		{name: "base applies after it only", html: `<a href=x><base href="/b/"><a href=y>`, want: `<a href="P/a/x"><base><a href="P/b/y">`},
		{name: "second base untouched", html: `<base href=/b/><base href=/c/><a href=x>`, want: `<base><base href=/c/><a href="P/b/x">`},
		{name: "base without href skipped", html: `<base target=_top><base href=/b/><a href=x>`, want: `<base target=_top><base><a href="P/b/x">`},
		{name: "javascript base ignored", html: `<base href="javascript:x"><a href=x><a href="#f">`, want: `<base href="javascript:x"><a href="P/a/x"><a href="#f">`},
		{name: "base to the document itself", html: `<base href="page.html"><a href="#f">`, want: `<base><a href="#f">`},
		{name: "base fragment", html: `<base href="/b/#f"><a href=x>`, want: `<base><a href="P/b/x">`,
			refs: "page http://example.com/b/#f base\npage http://example.com/b/x\n"},

		// Malformed markup, read as the tokenizer reads it.
		{name: "attribute after unquoted-less tag", html: `<a href="two.html"<a href="three.html">`,
			want: `<a href="P/a/two.html"<a href="three.html">`},
		{name: "never closed quote", html: `<a href="x.html>text</a><a href="y.html">`,
			want: `<a href="P/a/x.html%3Etext%3C/a%3E%3Ca%20href="y.html">`},
		{name: "unterminated tag at EOF", html: `<a href="x.html`, want: `<a href="x.html`},
		{name: "unterminated url in style", html: `<div style="b:url(u.png">`, want: `<div style="b:url('R/a/u.png'">`},
		{name: "stray less-than", html: `a < b <a href=x>`, want: `a < b <a href="P/a/x">`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := tt.fn
			if fn == nil {
				fn = shortRef
			}
			var calls strings.Builder
			body := []byte(tt.html)
			got := RewriteHTML(mustURL(t, rewriteBase), body, Options{}, recordRefs(fn, &calls))
			if string(got) != tt.want {
				t.Errorf("RewriteHTML(%q):\n got %q\nwant %q", tt.html, got, tt.want)
			}
			if string(body) != tt.html {
				t.Errorf("body modified: %q", body)
			}
			switch {
			case tt.refs == "-" && calls.Len() > 0:
				t.Errorf("fn called:\n%s", calls.String())
			case tt.refs != "" && tt.refs != "-" && calls.String() != tt.refs:
				t.Errorf("fn got:\n%swant:\n%s", calls.String(), tt.refs)
			}
		})
	}
}

func TestRewriteCSS(t *testing.T) {
	tests := []struct{ name, css, want string }{
		{"unquoted", "a{b:url(x.png)}", `a{b:url("R/css/x.png")}`},
		{"double quoted", `a{b:url("x.png")}`, `a{b:url("R/css/x.png")}`},
		{"single quoted", `a{b:url('x.png')}`, `a{b:url("R/css/x.png")}`},
		{"whitespace kept", "a{b:URL( \n x.png \t )}", "a{b:URL( \n \"R/css/x.png\" \t )}"},
		{"escaped", `a{b:url(x\).png)} c{d:url("y\"z.png")}`, `a{b:url("R/css/x).png")} c{d:url("R/css/y%22z.png")}`},
		{"hex escape", `a{b:url(x\2e png)}`, `a{b:url("R/css/x.png")}`},
		{"import string", `@import "a.css" screen; @IMPORT 'b.css';`, `@import "R/css/a.css" screen; @IMPORT "R/css/b.css";`},
		{"import url", `@import url(a.css);`, `@import url("R/css/a.css");`},
		{"image-set", `a{b:-webkit-image-set("a.png" 1x, 'b.png' 2x); c:"s.png"}`, `a{b:-webkit-image-set("R/css/a.png" 1x, "R/css/b.png" 2x); c:"s.png"}`},
		{"comments untouched", "/* url(x.png) @import 'y.css'; */ a{b:url(z.png)} /* url(", `/* url(x.png) @import 'y.css'; */ a{b:url("R/css/z.png")} /* url(`},
		{"strings untouched", `a{content:"url(x.png)"}`, `a{content:"url(x.png)"}`},
		{"bad url untouched", "a{b:url(x y.png)} c{d:url(\"x\ny\")}", "a{b:url(x y.png)} c{d:url(\"x\ny\")}"},
		{"empty and fragment untouched", "a{b:url()} c{filter:url(#f)} d{e:url('')}", "a{b:url()} c{filter:url(#f)} d{e:url('')}"},
		{"data untouched", "a{b:url(data:image/png;base64,AA==)}", "a{b:url(data:image/png;base64,AA==)}"},
		{"not url function", "a{b:myurl(x.png)}", "a{b:myurl(x.png)}"},
		{"eof in url", "a{b:url(x.png", `a{b:url("R/css/x.png"`},
		{"eof in string", `a{b:url("x.png`, `a{b:url("R/css/x.png"`},
		{"fragment kept", "a{b:url(s.svg#i)}", `a{b:url("R/css/s.svg#i")}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RewriteCSS(mustURL(t, "http://example.com/css/site.css"), []byte(tt.css), Options{}, shortRef)
			if string(got) != tt.want {
				t.Errorf("RewriteCSS(%q):\n got %q\nwant %q", tt.css, got, tt.want)
			}
		})
	}
}

func TestAppendCSSString(t *testing.T) {
	tests := []struct {
		s, want  string
		q        byte
		escapeLT bool
	}{
		{"a.png", `"a.png"`, '"', false},
		{`a"b'c\d`, `"a\"b'c\\d"`, '"', false},
		{`a"b'c`, `'a"b\'c'`, '\'', false},
		{"a\nb\tc\x00d\x7f", `"a\a b\9 c%00d\7f "`, '"', false},
		{"</style>", `"\3c /style>"`, '"', true},
		{"</style>", `"</style>"`, '"', false},
	}
	for _, tt := range tests {
		if got := string(appendCSSString(nil, tt.s, tt.q, tt.escapeLT)); got != tt.want {
			t.Errorf("appendCSSString(%q, %c, %v) = %s, want %s", tt.s, tt.q, tt.escapeLT, got, tt.want)
		}
		// CSS reads back what was written.
		var c collector
		var back string
		c.cssRef = func(ref []byte, _, _ int) { back = string(ref) }
		c.scanCSS([]byte("@import " + string(appendCSSString(nil, tt.s, tt.q, tt.escapeLT)) + ";"))
		if want := strings.ReplaceAll(tt.s, "\x00", "%00"); back != want {
			t.Errorf("appendCSSString(%q) reads back as %q", tt.s, back)
		}
	}
}

// rewriteFixtures returns the HTML and CSS files of the parse and crawl
// testdata directories.
func rewriteFixtures(t *testing.T) (htmlFiles, cssFiles []string) {
	t.Helper()
	for _, root := range []string{"testdata", filepath.Join("..", "testdata")} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch {
			case d.IsDir() && d.Name() == "fuzz":
				return filepath.SkipDir
			case strings.HasSuffix(path, ".html"):
				htmlFiles = append(htmlFiles, path)
			case strings.HasSuffix(path, ".css"):
				cssFiles = append(cssFiles, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(htmlFiles) < 10 || len(cssFiles) < 2 {
		t.Fatalf("found only %d HTML and %d CSS fixtures", len(htmlFiles), len(cssFiles))
	}
	return htmlFiles, cssFiles
}

// fixtureURL is the URL a fixture is served at in these tests.
func fixtureURL(t *testing.T, path string) *url.URL {
	return mustURL(t, "http://example.com/"+filepath.ToSlash(path))
}

// TestRewriteSameLinks checks, on every fixture, that RewriteHTML hands fn
// the links HTML finds, and RewriteCSS those CSS finds: the two tables
// cannot drift apart.
func TestRewriteSameLinks(t *testing.T) {
	htmlFiles, cssFiles := rewriteFixtures(t)
	total := 0
	check := func(t *testing.T, base *url.URL, links []Link, rewrite func(fn func(Ref) (string, bool)) []byte) {
		t.Helper()
		want := map[string]Kind{}
		for _, l := range links {
			want[l.URL.String()] = l.Kind
		}
		self := *base
		urlnorm.Normalize(&self)
		got := map[string]Kind{}
		rewrite(func(r Ref) (string, bool) {
			if r.Base {
				return "", false
			}
			u := *r.URL
			urlnorm.Normalize(&u)
			if s := u.String(); s != self.String() {
				got[s] = max(got[s], r.Kind)
			}
			return "", false
		})
		if !maps.Equal(got, want) {
			t.Errorf("rewrite saw %d links, HTML/CSS found %d", len(got), len(want))
			for _, k := range slices.Sorted(maps.Keys(got)) {
				if w, ok := want[k]; !ok || w != got[k] {
					t.Errorf("  rewrite: %v %s", got[k], k)
				}
			}
			for _, k := range slices.Sorted(maps.Keys(want)) {
				if g, ok := got[k]; !ok || g != want[k] {
					t.Errorf("  found:   %v %s", want[k], k)
				}
			}
		}
		total += len(want)
	}
	for _, path := range htmlFiles {
		t.Run(path, func(t *testing.T) {
			body := readFile(t, path)
			base := fixtureURL(t, path)
			check(t, base, HTML(base, body, Options{}, nil), func(fn func(Ref) (string, bool)) []byte {
				return RewriteHTML(base, body, Options{}, fn)
			})
		})
	}
	for _, path := range cssFiles {
		t.Run(path, func(t *testing.T) {
			body := readFile(t, path)
			base := fixtureURL(t, path)
			check(t, base, CSS(base, body, Options{}, nil), func(fn func(Ref) (string, bool)) []byte {
				return RewriteCSS(base, body, Options{}, fn)
			})
		})
	}
	if total < 100 {
		t.Errorf("the fixtures have only %d links", total)
	}
}

// TestRewriteFixtures runs the fuzz properties on every fixture.
func TestRewriteFixtures(t *testing.T) {
	htmlFiles, cssFiles := rewriteFixtures(t)
	for _, path := range htmlFiles {
		t.Run(path, func(t *testing.T) {
			checkRewriteHTML(t, fixtureURL(t, path), readFile(t, path))
		})
	}
	for _, path := range cssFiles {
		t.Run(path, func(t *testing.T) {
			checkRewriteCSS(t, fixtureURL(t, path), readFile(t, path))
		})
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzRewriteHTML(f *testing.F) {
	for _, name := range []string{"links.html", "malformed.html"} {
		f.Add(readTestdata(f, name))
	}
	for _, s := range []string{
		`<a href="x">`, `<base href="//o/"><a href=y><a href="#z">`, `<img srcset="a 1x,b 2x, data:x,y 3x">`,
		`<meta http-equiv=refresh content="0;url='z'">`, "<style>a{b:url(c)}\r\n@import 'd';</style>",
		`<a HREF='x' href=y/ =z a=b>`, `<div style="x:url('a&amp;b')">`, "<a href=\"a\r\nb\x00\">",
		`<a href><a href= ><base href=x/>`, "<style/>\x00a{b:url(c)}",
	} {
		f.Add([]byte(s))
	}
	base := mustURL(f, "https://example.com/dir/page.html")
	f.Fuzz(func(t *testing.T, body []byte) {
		checkRewriteHTML(t, base, body)
	})
}

func FuzzRewriteCSS(f *testing.F) {
	f.Add(readTestdata(f, "style.css"))
	for _, s := range []string{
		`a{b:url(x)}`, `@import "y";`, `a{b:image-set("a" 1x)}`, `/* url(x) */`, `a{b:url(\28 x\29)}`,
		`a{b:url("x\`, `url(`, "a{b:url(\"x\\\r\ny\")}", `a{b:url(#f)}`,
	} {
		f.Add([]byte(s))
	}
	base := mustURL(f, "http://example.com/css/site.css")
	f.Fuzz(func(t *testing.T, body []byte) {
		checkRewriteCSS(t, base, body)
	})
}

// checkRewriteHTML checks the properties of RewriteHTML on one document:
//
//   - the scanner splits the document as the tokenizer does (checkScan);
//   - when fn declines every link, the result is the document itself;
//   - when fn answers with the absolute URL, HTML finds the same links in
//     the result as in the document, with or without the <base href>;
//   - when fn answers with a new URL per call, written with characters
//     that need escaping in every context, HTML finds in the result
//     exactly those URLs, each of the Kind fn was told.
func checkRewriteHTML(t *testing.T, base *url.URL, body []byte) {
	t.Helper()
	checkScan(t, body)
	orig := bytes.Clone(body)

	if got := RewriteHTML(base, body, Options{}, func(Ref) (string, bool) { return "", false }); !bytes.Equal(got, body) {
		t.Fatalf("declining every link changed the document:\n%q\nto\n%q", body, got)
	}

	want := formatLinks(HTML(base, body, Options{}, nil))
	absolute := func(r Ref) (string, bool) { return r.URL.String(), true }
	if out := RewriteHTML(base, body, Options{}, absolute); formatLinks(HTML(base, out, Options{}, nil)) != want {
		t.Fatalf("absolute rewrite of\n%q\nis\n%q\nwith links\n%swant\n%s", body, out, formatLinks(HTML(base, out, Options{}, nil)), want)
	}
	noBase := func(r Ref) (string, bool) {
		if r.Base {
			return "", true
		}
		return r.URL.String(), true
	}
	if out := RewriteHTML(base, body, Options{}, noBase); !sameLinkSet(HTML(base, out, Options{}, nil), HTML(base, body, Options{}, nil)) {
		t.Fatalf("absolute rewrite without base of\n%q\nis\n%q\nwith links\n%swant\n%s", body, out, formatLinks(HTML(base, out, Options{}, nil)), want)
	}

	var marks []Link
	mark := func(r Ref) (string, bool) {
		if r.Base {
			return "", true
		}
		text := fmt.Sprintf("http://m.example/%d/a b'c&d,e<f>(g)\\h", len(marks))
		u, err := urlnorm.Resolve(base, text)
		if err != nil {
			t.Fatal(err)
		}
		marks = append(marks, Link{URL: u, Kind: r.Kind})
		return text, true
	}
	out := RewriteHTML(base, body, Options{}, mark)
	got := HTML(base, out, Options{}, nil)
	for i := range got {
		got[i].NoFollow = false
	}
	if formatLinks(got) != formatLinks(marks) {
		t.Fatalf("marked rewrite of\n%q\nis\n%q\nwith links\n%swant\n%s", body, out, formatLinks(got), formatLinks(marks))
	}
	if !bytes.Equal(body, orig) {
		t.Fatalf("body modified")
	}
}

// sameLinkSet reports whether a and b hold the same URLs with the same
// kinds, in any order.
func sameLinkSet(a, b []Link) bool {
	set := func(links []Link) map[string]Kind {
		m := make(map[string]Kind, len(links))
		for _, l := range links {
			m[l.URL.String()] = l.Kind
		}
		return m
	}
	return maps.Equal(set(a), set(b))
}

// checkRewriteCSS is checkRewriteHTML for a stylesheet.
func checkRewriteCSS(t *testing.T, base *url.URL, body []byte) {
	t.Helper()
	if got := RewriteCSS(base, body, Options{}, func(Ref) (string, bool) { return "", false }); !bytes.Equal(got, body) {
		t.Fatalf("declining every link changed the stylesheet:\n%q\nto\n%q", body, got)
	}
	want := formatLinks(CSS(base, body, Options{}, nil))
	out := RewriteCSS(base, body, Options{}, func(r Ref) (string, bool) { return r.URL.String(), true })
	if got := formatLinks(CSS(base, out, Options{}, nil)); got != want {
		t.Fatalf("absolute rewrite of\n%q\nis\n%q\nwith links\n%swant\n%s", body, out, got, want)
	}
	var marks []Link
	out = RewriteCSS(base, body, Options{}, func(r Ref) (string, bool) {
		text := fmt.Sprintf("http://m.example/%d/a b'c\"d\\e\nf(g)", len(marks))
		u, err := urlnorm.Resolve(base, text)
		if err != nil {
			t.Fatal(err)
		}
		marks = append(marks, Link{URL: u, Kind: Requisite})
		return text, true
	})
	if got := formatLinks(CSS(base, out, Options{}, nil)); got != formatLinks(marks) {
		t.Fatalf("marked rewrite of\n%q\nis\n%q\nwith links\n%swant\n%s", body, out, got, formatLinks(marks))
	}
}

// BenchmarkRewriteHTML rewrites every link of testdata/bench.html to its
// absolute URL.
func BenchmarkRewriteHTML(b *testing.B) {
	body := readTestdata(b, "bench.html")
	base := mustURL(b, benchBase)
	fn := func(r Ref) (string, bool) { return r.URL.String(), true }
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		RewriteHTML(base, body, Options{}, fn)
	}
}
