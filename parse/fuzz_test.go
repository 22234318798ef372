package parse

import (
	"bytes"
	"net/url"
	"testing"

	"github.com/crawl-go/crawl/urlnorm"
)

// checkLinks fails unless links are absolute normalized http(s) URLs
// without fragments, each reported once, none the document itself.
func checkLinks(t testing.TB, doc *url.URL, links []Link) {
	t.Helper()
	self := *doc
	urlnorm.Normalize(&self)
	seen := make(map[string]bool, len(links))
	for _, l := range links {
		u := l.URL
		s := u.String()
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Fragment != "" || u.RawFragment != "" {
			t.Fatalf("link %q: want absolute http(s) without fragment", s)
		}
		again := *u
		urlnorm.Normalize(&again)
		if again.String() != s {
			t.Fatalf("link %q is not normalized: %q", s, again.String())
		}
		if seen[s] {
			t.Fatalf("link %q reported twice", s)
		}
		seen[s] = true
		if s == self.String() {
			t.Fatalf("the document itself %q was reported", s)
		}
		if l.NoFollow && l.Kind != Page {
			t.Fatalf("link %q: NoFollow on a %v", s, l.Kind)
		}
	}
}

func FuzzHTML(f *testing.F) {
	// Small seeds only: the fuzzer minimizes every new interesting input,
	// which takes long on big ones.
	for _, name := range []string{"links.html", "malformed.html"} {
		f.Add(readTestdata(f, name))
	}
	for _, s := range []string{
		`<a href="x">`, `<base href="//o/"><a href=y>`, `<img srcset="a 1x,b 2x">`,
		`<meta http-equiv=refresh content="0;url=z">`, `<style>a{b:url(c)}</style>`,
		`<a HREF='x' href=y/ =z a=b>`, `<div style="x:url('a&amp;b')">`, "<a href=\"a\r\nb\x00\">",
	} {
		f.Add([]byte(s))
	}
	base := &url.URL{Scheme: "https", Host: "example.com", Path: "/dir/page.html"}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, opts := range []Options{{}, {RespectNoFollow: true}} {
			links := HTML(base, body, opts, nil)
			checkLinks(t, base, links)
			if again := HTML(base, body, opts, nil); formatLinks(again) != formatLinks(links) {
				t.Fatalf("not deterministic:\n%s\nthen\n%s", formatLinks(links), formatLinks(again))
			}
		}
		checkScan(t, body)
		checkSameAsReference(t, base, body)
	})
}

func FuzzCSS(f *testing.F) {
	f.Add(readTestdata(f, "style.css"))
	for _, s := range []string{
		`a{b:url(x)}`, `@import "y";`, `a{b:image-set("a" 1x)}`, `/* url(x) */`, `a{b:url(\28 x\29)}`,
		`a{b:url("x\`, `url(`, `@import`, `image-set(`, "a{b:url(\"x\\\r\ny\")}",
	} {
		f.Add([]byte(s))
	}
	base := &url.URL{Scheme: "http", Host: "example.com", Path: "/css/site.css"}
	f.Fuzz(func(t *testing.T, body []byte) {
		links := CSS(base, body, Options{}, nil)
		checkLinks(t, base, links)
		for _, l := range links {
			if l.Kind != Requisite || l.NoFollow {
				t.Fatalf("link %s: %v nofollow=%v, want a followable requisite", l.URL, l.Kind, l.NoFollow)
			}
		}
		if again := CSS(base, body, Options{}, nil); formatLinks(again) != formatLinks(links) {
			t.Fatalf("not deterministic:\n%s\nthen\n%s", formatLinks(links), formatLinks(again))
		}
		checkLinks(t, base, CSS(base, body, Options{Mode: ModeAll}, nil))
		checkCSSModes(t, base, body)
	})
}

func FuzzJS(f *testing.F) {
	for _, name := range []string{"js/doctools.js"} {
		f.Add(readTestdata(f, name))
	}
	for _, s := range []string{
		`fetch("/a")`, `x.open("GET", "/b")`, `location.href = '/c'`, "`/d/${e}`", `a = b / c / "/d"`,
		`/re"/.test(x); "/e"`, `document.write('<img src="/f">')`, `"/g"`, "//# sourceMappingURL=h.map",
		`import("./i.js")`, `define(["./j"], f)`, `"data:text/html,<a href=/k>"`, `"javascript:fetch('/l')"`,
		`x = "url(/m)"`, "'unterminated", "/* unterminated", "`${`${`", `{"@context": "https://schema.org"}`,
	} {
		f.Add([]byte(s))
	}
	base := &url.URL{Scheme: "https", Host: "example.com", Path: "/js/app.js"}
	f.Fuzz(func(t *testing.T, body []byte) {
		orig := bytes.Clone(body)
		links := checkOnLink(t, "JS", body, Options{Mode: ModeAll}, func(o Options) []Link { return JS(base, body, o, nil) })
		checkLinks(t, base, links)
		if again := JS(base, body, Options{Mode: ModeAll}, nil); formatSources(again) != formatSources(links) {
			t.Fatalf("not deterministic:\n%s\nthen\n%s", formatSources(links), formatSources(again))
		}
		if !bytes.Equal(body, orig) {
			t.Fatalf("body modified")
		}
		if page := JS(base, body, Options{}, nil); len(page) != 0 {
			t.Fatalf("ModePage: %d links", len(page))
		}
	})
}

// asciiLower lowercases ASCII letters only, as the tokenizer does.
func asciiLower(b []byte) []byte {
	out := bytes.Clone(b)
	for i, c := range out {
		if 'A' <= c && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return out
}
