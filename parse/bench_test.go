package parse

import (
	"bytes"
	"testing"

	"golang.org/x/net/html"
)

const benchBase = "https://www.example.com/blog/2024/06/concurrency-patterns.html"

// BenchmarkHTML measures link finding on testdata/bench.html, a 25 KB blog
// page with about 90 links of mixed forms.
func BenchmarkHTML(b *testing.B) {
	body := readTestdata(b, "bench.html")
	base := mustURL(b, benchBase)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var links []Link
	for b.Loop() {
		links = HTML(base, body, Options{}, links[:0])
	}
}

// BenchmarkHTMLTokenizeOnly is the floor under BenchmarkHTML: the
// tokenizer alone, looking at nothing.
func BenchmarkHTMLTokenizeOnly(b *testing.B) {
	body := readTestdata(b, "bench.html")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		z := html.NewTokenizer(bytes.NewReader(body))
		for z.Next() != html.ErrorToken {
		}
	}
}

// BenchmarkHTMLParseDOM is the same job done on a DOM, for comparison:
// html.Parse, then a walk that feeds the link attributes to the same
// collector as HTML (so resolution and deduplication cost the same, and
// the difference is the DOM).
func BenchmarkHTMLParseDOM(b *testing.B) {
	body := readTestdata(b, "bench.html")
	base := mustURL(b, benchBase)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var links []Link
	for b.Loop() {
		doc, err := html.Parse(bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		c := newCollector(base, Options{}, links[:0])
		walkDOM(doc, c)
		links = c.dst
	}
}

// BenchmarkHTMLParseDOMOnly is html.Parse alone: a DOM costs this much
// before any link is looked at.
func BenchmarkHTMLParseDOMOnly(b *testing.B) {
	body := readTestdata(b, "bench.html")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := html.Parse(bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
}

// walkDOM feeds the links of the elements under n to c, roughly as HTML
// does (no <base>, no meta refresh, no <style> text).
func walkDOM(n *html.Node, c *collector) {
	if n.Type == html.ElementNode {
		for _, a := range n.Attr {
			switch a.Key {
			case "href":
				kind := Requisite
				if n.Data == "a" || n.Data == "area" || n.Data == "link" && !relHas([]byte(a.Val), "stylesheet") {
					kind = Page
				}
				c.add([]byte(a.Val), kind, false)
			case "src", "poster", "data":
				c.add([]byte(a.Val), Requisite, false)
			case "srcset":
				c.addSrcset([]byte(a.Val))
			case "style":
				c.scanCSS([]byte(a.Val))
			}
		}
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		walkDOM(ch, c)
	}
}

func BenchmarkCSS(b *testing.B) {
	body := readTestdata(b, "style.css")
	base := mustURL(b, "https://example.com/static/css/style.css")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var links []Link
	for b.Loop() {
		links = CSS(base, body, links[:0])
	}
}
