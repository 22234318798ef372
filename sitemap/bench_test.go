package sitemap

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkParse measures a 10,000-URL urlset.
func BenchmarkParse(b *testing.B) {
	var doc bytes.Buffer
	doc.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for i := range 10_000 {
		fmt.Fprintf(&doc, "<url><loc>https://example.com/page/%d</loc><lastmod>2024-05-06T07:08:09+00:00</lastmod></url>\n", i)
	}
	doc.WriteString("</urlset>\n")
	b.SetBytes(int64(doc.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(doc.Bytes()), 0); err != nil {
			b.Fatal(err)
		}
	}
}
