package parse

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
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
		links = CSS(base, body, Options{}, links[:0])
	}
}

// benchPage is one page of a benchmark corpus.
type benchPage struct {
	base *url.URL
	body []byte
}

// benchCorpus is a named collection of pages, and where to find it.
type benchCorpus struct {
	name string
	dir  func(b *testing.B) string // skips the benchmark when missing
	base string                    // the URL prefix of the pages
}

var benchCorpora = []benchCorpus{
	// The whole Python documentation, when installed.
	{"python", func(b *testing.B) string { return pythonDocs(b) }, "https://docs.python.org/3.11/"},
	// Eleven pages of it, committed.
	{"pysample", func(*testing.B) string { return filepath.Join("testdata", "pages", "python") }, "https://docs.python.org/3.11/"},
	// The bench's synthetic site, when CRAWL_GENSITE names it.
	{"gensite", func(b *testing.B) string { return gensiteDir(b) }, "http://127.0.0.1:18080/"},
	// Eight pages of it, committed.
	{"gensample", func(*testing.B) string { return filepath.Join("testdata", "pages", "gensite") }, "http://127.0.0.1:18080/"},
}

// loadCorpus reads the pages of c, each with one byte of spare capacity
// (which lexers that want a NUL after the input use), and returns them
// with their total size.
func loadCorpus(b *testing.B, c benchCorpus) ([]benchPage, int64) {
	b.Helper()
	dir := c.dir(b)
	var pages []benchPage
	var size int64
	for _, rel := range htmlFiles(b, dir) {
		body, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			b.Fatal(err)
		}
		body = append(make([]byte, 0, len(body)+1), body...)
		pages = append(pages, benchPage{base: mustURL(b, c.base+rel), body: body})
		size += int64(len(body))
	}
	if len(pages) == 0 {
		b.Fatalf("no pages in %s", dir)
	}
	return pages, size
}

// linkFinders are the implementations of link finding that
// BenchmarkLinks compares.
var linkFinders = []struct {
	name string
	fn   func(base *url.URL, body []byte, opts Options, dst []Link) []Link
}{
	{"scanner", HTML},
	{"tokenizer", refHTML},
	// ModeAll, which reads every token, scripts included.
	{"all", func(base *url.URL, body []byte, opts Options, dst []Link) []Link {
		opts.Mode = ModeAll
		return HTML(base, body, opts, dst)
	}},
}

// BenchmarkLinks measures link finding over whole collections of pages,
// in MB/s and pages/s, with the scanner (HTML) and with the Tokenizer it
// replaced (refHTML), and in ModeAll. See benchCorpora for the collections; run it with
// -cpu 1,2 to see that pages are parsed in parallel by separate calls,
// with -run '^$' -bench 'Links/python/'.
func BenchmarkLinks(b *testing.B) {
	for _, c := range benchCorpora {
		b.Run(c.name, func(b *testing.B) {
			pages, size := loadCorpus(b, c)
			for _, f := range linkFinders {
				b.Run(f.name, func(b *testing.B) {
					b.SetBytes(size)
					b.ReportAllocs()
					// Each op is the whole collection, spread over
					// GOMAXPROCS goroutines as the crawl's parsers do.
					b.RunParallel(func(pb *testing.PB) {
						var links []Link
						for pb.Next() {
							for _, p := range pages {
								links = f.fn(p.base, p.body, Options{}, links[:0])
							}
						}
					})
					b.ReportMetric(float64(len(pages))*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
				})
			}
		})
	}
}

// BenchmarkScan is the floor under BenchmarkLinks: the scanner alone,
// and the Tokenizer alone, looking at nothing.
func BenchmarkScan(b *testing.B) {
	for _, c := range benchCorpora {
		b.Run(c.name, func(b *testing.B) {
			pages, size := loadCorpus(b, c)
			b.Run("scanner", func(b *testing.B) {
				b.SetBytes(size)
				b.ReportAllocs()
				for b.Loop() {
					for _, p := range pages {
						s := newScanner(p.body, 0)
						for s.next().kind != tokEOF {
						}
					}
				}
			})
			b.Run("tokenizer", func(b *testing.B) {
				b.SetBytes(size)
				b.ReportAllocs()
				for b.Loop() {
					for _, p := range pages {
						z := html.NewTokenizer(bytes.NewReader(p.body))
						for z.Next() != html.ErrorToken {
						}
					}
				}
			})
		})
	}
}
