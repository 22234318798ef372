package parse

import (
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/crawl-go/crawl/urlnorm"
)

func TestHTMLGolden(t *testing.T) {
	tests := []struct {
		name, file, base string
		opts             Options
	}{
		{"links", "links.html", "https://example.com/docs/guide/page.html", Options{}},
		{"links-respect-nofollow", "links.html", "https://example.com/docs/guide/page.html", Options{RespectNoFollow: true}},
		{"discovery", "discovery.html", "https://example.com/site/page.html", Options{}},
		{"malformed", "malformed.html", "http://Example.org:80/dir/index.html", Options{}},
		{"bench", "bench.html", "https://www.example.com/blog/2024/06/concurrency-patterns.html", Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			links := HTML(mustURL(t, tt.base), readTestdata(t, tt.file), tt.opts, nil)
			checkGolden(t, tt.name+".golden", formatLinks(links))
		})
	}
}

func TestHTML(t *testing.T) {
	const base = "http://example.com/a/page.html"
	tests := []struct {
		name, html string
		opts       Options
		want       string
	}{
		{"empty document", "", Options{}, ""},
		{"text only", "hello", Options{}, ""},
		{"self links skipped", `<a href="">x</a><a href="#top">x</a><a href="page.html">x</a><a href="/a/page.html#x">x</a>`, Options{}, ""},
		{"dedup keeps first position", `<a href="x">1</a><a href="y">2</a><a href="./x">3</a>`, Options{},
			"page http://example.com/a/x\npage http://example.com/a/y\n"},
		{"page then requisite", `<a href="i.png">1</a><img src="i.png">`, Options{},
			"requisite http://example.com/a/i.png\n"},
		{"requisite then page", `<img src="i.png"><a href="i.png">1</a>`, Options{},
			"requisite http://example.com/a/i.png\n"},
		{"nofollow then follow", `<a rel=nofollow href=x>1</a><a href=x>2</a>`, Options{},
			"page http://example.com/a/x\n"},
		{"follow then nofollow", `<a href=x>1</a><a rel=nofollow href=x>2</a>`, Options{},
			"page http://example.com/a/x\n"},
		{"nofollow only", `<a rel=nofollow href=x>1</a><area rel="nofollow" href=y>`, Options{},
			"page http://example.com/a/x nofollow\npage http://example.com/a/y nofollow\n"},
		{"nofollow dropped", `<a rel=nofollow href=x>1</a><area rel="nofollow" href=y>`, Options{RespectNoFollow: true}, ""},
		{"nofollow dropped then followable", `<a rel=nofollow href=x>1</a><a href=x>2</a>`, Options{RespectNoFollow: true},
			"page http://example.com/a/x\n"},
		{"relative base", `<base href="../b/"><a href="x">1</a>`, Options{},
			"page http://example.com/b/x\n"},
		{"base applies after it only", `<a href="x">1</a><base href="/b/"><a href="y">2</a>`, Options{},
			"page http://example.com/a/x\npage http://example.com/b/y\n"},
		{"base without href skipped", `<base target="_blank"><base href="/b/"><a href="x">1</a>`, Options{},
			"page http://example.com/b/x\n"},
		{"javascript base ignored", `<base href="javascript:x"><a href="x">1</a>`, Options{},
			"page http://example.com/a/x\n"},
		{"self-closing tags", `<img src="i.png"/><a href="x"/>`, Options{},
			"requisite http://example.com/a/i.png\npage http://example.com/a/x\n"},
		{"style element", `<style>a{b:url(c.png)}</style><style></style>`, Options{},
			"requisite http://example.com/a/c.png\n"},
		{"style text not markup", `<style>/* <a href="x"> */</style>`, Options{}, ""},
		{"script text ignored", `<script>url("x.png"); "<a href=y>"</script>`, Options{}, ""},
		{"style attribute on any tag", `<section style="background:url(s.png)"><custom-element style='x:url("c.png")'>`, Options{},
			"requisite http://example.com/a/s.png\nrequisite http://example.com/a/c.png\n"},
		{"meta refresh forms", `<meta http-equiv=refresh content="0;URL=r1"><meta http-equiv="REFRESH" content="1, url = 'r2' "><meta content="2 r3" http-equiv="refresh"><meta http-equiv="refresh" content="5">`, Options{},
			"page http://example.com/a/r1\npage http://example.com/a/r2\npage http://example.com/a/r3\n"},
		{"other meta ignored", `<meta name="x" content="0; url=nope">`, Options{}, ""},
		{"link kinds", `<link rel="stylesheet alternate" href="s.css"><link href="no-rel"><link rel="preconnect" href="//x.example">`, Options{},
			"requisite http://example.com/a/s.css\npage http://example.com/a/no-rel\n"},
		{"input types", `<input type=image src=a.png><input src=b.png><input type=" image" src=c.png>`, Options{},
			"requisite http://example.com/a/a.png\n"},
		{"srcset and src", `<img src="a.png" srcset="a.png 1x, b.png 2x">`, Options{},
			"requisite http://example.com/a/a.png\nrequisite http://example.com/a/b.png\n"},
		{"noscript content scanned", `<noscript><a href="ns">x</a></noscript>`, Options{},
			"page http://example.com/a/ns\n"},
		{"title content not markup", `<title><a href="t">x</a></title>`, Options{}, ""},
		{"long tag names", `<blockquote cite="x"><figcaption><a href="y">1</a>`, Options{},
			"page http://example.com/a/y\n"},
		{"uppercase everything", `<A HREF="X">1</A><IMG SRC="I.PNG"><LINK REL=STYLESHEET HREF=S.CSS>`, Options{},
			"page http://example.com/a/X\nrequisite http://example.com/a/I.PNG\nrequisite http://example.com/a/S.CSS\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := formatLinks(HTML(mustURL(t, base), []byte(tt.html), tt.opts, nil))
			if got != tt.want {
				t.Errorf("HTML(%q):\n--- got\n%s--- want\n%s", tt.html, got, tt.want)
			}
		})
	}
}

func TestHTMLAppends(t *testing.T) {
	base := mustURL(t, "http://example.com/")
	prev := HTML(base, []byte(`<a href="/x">x</a>`), Options{}, nil)
	// The same URL again: links already in dst are kept and not
	// deduplicated against.
	got := HTML(base, []byte(`<a href="/x">x</a><a href="/y">y</a>`), Options{}, prev)
	want := "page http://example.com/x\npage http://example.com/x\npage http://example.com/y\n"
	if s := formatLinks(got); s != want {
		t.Errorf("got\n%swant\n%s", s, want)
	}
}

func TestHTMLMaxLinks(t *testing.T) {
	var b strings.Builder
	for i := range MaxLinks + 10 {
		fmt.Fprintf(&b, `<a href="/%d">x</a>`, i)
	}
	links := HTML(mustURL(t, "http://example.com/"), []byte(b.String()), Options{}, nil)
	if len(links) != MaxLinks {
		t.Fatalf("got %d links, want MaxLinks = %d", len(links), MaxLinks)
	}
	if got, want := links[len(links)-1].URL.String(), fmt.Sprintf("http://example.com/%d", MaxLinks-1); got != want {
		t.Errorf("last link %s, want %s", got, want)
	}
}

func TestHTMLDoesNotModifyBase(t *testing.T) {
	base := mustURL(t, "HTTP://Example.com:80/a#frag")
	HTML(base, []byte(`<a href="x">x</a>`), Options{}, nil)
	if got := base.String(); got != "http://Example.com:80/a#frag" {
		t.Errorf("base became %q", got)
	}
}

func TestSrcset(t *testing.T) {
	tests := []struct{ srcset, want string }{
		{"a.png", "a.png"},
		{"a.png 1x, b.png 2x", "a.png b.png"},
		{"a.png 1x,b.png 2x", "a.png b.png"},
		{"a.png, b.png 2x", "a.png b.png"},
		{"a.png,b.png 2x", "a.png,b.png"}, // a comma inside a URL: one candidate
		{"a.png,, b.png", "a.png b.png"},
		{"  a.png  100w  ,  b.png  200w  ", "a.png b.png"},
		{"a.png (foo, bar) 1x, b.png", "a.png b.png"},
		{"data:image/png;base64,AA== 1x, b.png 2x", "data:image/png;base64,AA== b.png"},
		{",,,", ""},
		{"", ""},
		{"a.png 1x,\n\tb.png 2x", "a.png b.png"},
	}
	for _, tt := range tests {
		t.Run(tt.srcset, func(t *testing.T) {
			var got []string
			v := []byte(tt.srcset)
			for i := 0; i < len(v); {
				var s, e int
				if s, e, i = nextSrcsetURL(v, i); s < e {
					got = append(got, string(v[s:e]))
				}
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("srcset %q: URLs %q, want %q", tt.srcset, g, tt.want)
			}
		})
	}
}

func TestRefreshURL(t *testing.T) {
	tests := []struct {
		content, want string
		ok            bool
	}{
		{"5; url=next.html", "next.html", true},
		{"5;URL='next.html'", "next.html", true},
		{`0; url="a b.html"`, "a b.html", true},
		{"0 ; url = x", "x", true},
		{"0, x", "x", true},
		{"0 x", "x", true},
		{"1.5; url=x", "x", true},
		{".5; url=x", "x", true},
		{"0; url='x", "x", true},
		{"0; urlx", "urlx", true},
		{"5", "", false},
		{"5; ", "", false},
		{"", "", false},
		{"x; url=y", "", false},
		{"5x; url=y", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.content, func(t *testing.T) {
			got, ok := refreshURL([]byte(tt.content))
			if string(got) != tt.want || ok != tt.ok {
				t.Errorf("refreshURL(%q) = %q, %v, want %q, %v", tt.content, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestLookupTag(t *testing.T) {
	tests := []struct {
		name string
		want tagID
	}{
		{"a", tagA},
		{"IMG", tagImg},
		{"Script", tagScript},
		{"noscript", tagNoscript},
		{"plaintext", tagPlaintext},
		{"blockquote", tagOther},
		{"br", tagOther},
		{"", tagOther},
		{"scripts", tagOther},
	}
	for _, tt := range tests {
		if got := lookupTag([]byte(tt.name)); got != tt.want {
			t.Errorf("lookupTag(%q) = %d, want %d", tt.name, got, tt.want)
		}
	}
	for id := tagA; id < tagApplet; id++ {
		if got := lookupTag([]byte(strings.ToUpper(tagNames[id]))); got != id {
			t.Errorf("lookupTag(%q) = %d, want %d", strings.ToUpper(tagNames[id]), got, id)
		}
	}
	// The elements of ModeAll are tagOther to the scanner.
	for id := tagApplet; id < numTags; id++ {
		name := strings.ToUpper(tagNames[id])
		if got := lookupTag([]byte(name)); got != tagOther {
			t.Errorf("lookupTag(%q) = %d, want tagOther", name, got)
		}
		if got := lookupTagAll([]byte(name)); got != id {
			t.Errorf("lookupTagAll(%q) = %d, want %d", name, got, id)
		}
	}
}

// TestHTMLReusesNothingOfThePreviousPage reads pages one after the other
// on one goroutine, as a parse worker does, so that each call gets the
// collector the previous one gave back: a <base href>, a page cut short
// at MaxLinks, a page with more links than a pooled collector keeps, or a
// self-link must not change what the next page reports.
func TestHTMLReusesNothingOfThePreviousPage(t *testing.T) {
	var many strings.Builder
	for i := range 3 * maxPooledEntries {
		fmt.Fprintf(&many, `<a href="/m%d">x</a>`, i)
	}
	var full strings.Builder
	for i := range MaxLinks + 1 {
		fmt.Fprintf(&full, `<a href="/f%d">x</a>`, i)
	}
	pages := []struct{ url, body string }{
		{"http://a.test/dir/", `<base href="http://b.test/other/"><a href="x">x</a><img src="y.png">`},
		{"http://a.test/dir/", `<a href="x">x</a><a href="/dir/">self</a><style>p{background:url(bg.png)}</style>`},
		{"http://a.test/full", full.String()},
		{"http://c.test/", `<a href="/dir/">dir</a><a href="x">x</a>`},
		{"http://a.test/many", many.String()},
		{"http://a.test/dir/", `<a href="x">x</a><a href="http://a.test/dir/">self</a>`},
	}
	for round := range 2 {
		for i, p := range pages {
			base := mustURL(t, p.url)
			got := formatLinks(HTML(base, []byte(p.body), Options{}, nil))
			want := formatLinks(refHTML(base, []byte(p.body), Options{}, nil))
			if got != want {
				t.Errorf("round %d, page %d (%s): got\n%.300s\nwant\n%.300s", round, i, p.url, got, want)
			}
		}
	}
}

// FuzzRawKey checks the shortcut that resolves the references of a page
// that differ only in their fragment once (collector.rawKey): the links
// found must be those of resolving every reference on its own.
func FuzzRawKey(f *testing.F) {
	f.Add("http://a.test/dir/page", "x.html", "one", "two")
	f.Add("http://a.test/dir/page", "x.html ", "a", "b")
	f.Add("http://a.test/dir/", "//b.test/x", "a", "%zz")
	f.Add("http://a.test/dir/", "http://b.test/x", "a", "%zz")
	f.Add("http://a.test/dir/", "http://user@b.test/x", "%zz", "a") // through url.Parse
	f.Add("https://a.test/", "page", "a\tb", " ")
	f.Add("http://a.test/dir/page", "?q=1", "a", "")
	f.Add("http://a.test/dir/page", "page", "a", "b")
	f.Fuzz(func(t *testing.T, base, prefix, frag1, frag2 string) {
		b, err := url.Parse(base)
		if err != nil || !b.IsAbs() {
			return
		}
		for _, s := range []string{prefix, frag1, frag2} {
			if strings.ContainsAny(s, "\x00\r") || !utf8.ValidString(s) {
				return // the tokenizer changes these in attribute values
			}
		}
		refs := []string{prefix + "#" + frag1, prefix + "#" + frag2, prefix, prefix + "#" + frag1}
		var doc strings.Builder
		for _, r := range refs {
			fmt.Fprintf(&doc, `<a href="%s">x</a>`, html.EscapeString(r))
		}
		var want []string
		self := *b
		urlnorm.Normalizer{}.Normalize(&self)
		seen := map[string]bool{self.String(): true}
		for _, r := range refs {
			u, err := urlnorm.Normalizer{}.Resolve(&self, r)
			if err != nil || seen[u.String()] {
				continue
			}
			seen[u.String()] = true
			want = append(want, u.String())
		}
		var got []string
		for _, l := range HTML(b, []byte(doc.String()), Options{}, nil) {
			got = append(got, l.URL.String())
		}
		if !slices.Equal(got, want) {
			t.Fatalf("links of %q on %s:\n got %q\nwant %q", refs, base, got, want)
		}
	})
}
