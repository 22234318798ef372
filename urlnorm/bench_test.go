package urlnorm

import (
	"net/url"
	"testing"
)

// benchRefs is a mix of link forms as found on a typical page.
var benchRefs = []string{
	"https://www.example.com/news/2024/05/story.html",
	"/about/team",
	"../images/logo.png",
	"style.css?v=3",
	"//cdn.example.net/js/app.min.js",
	"#main",
	"javascript:void(0)",
	"/search?q=go+crawler&page=2",
	"https://Other.Example.org:443/A/./b/../c",
	"page%202.html",
}

func BenchmarkResolve(b *testing.B) {
	base, err := Parse("https://www.example.com/news/2024/05/index.html")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, _ = Resolve(base, benchRefs[i%len(benchRefs)])
	}
}

// BenchmarkResolveNetURL is the same work done with net/url alone, for
// comparison.
func BenchmarkResolveNetURL(b *testing.B) {
	base, err := Parse("https://www.example.com/news/2024/05/index.html")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r, err := url.Parse(benchRefs[i%len(benchRefs)])
		if err != nil {
			continue
		}
		u := base.ResolveReference(r)
		Normalize(u)
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = Parse("https://www.Example.com:443/news/./2024/../story.html?id=42#comments")
	}
}

func BenchmarkNormalizeCanonical(b *testing.B) {
	u, err := Parse("https://www.example.com/news/story.html?id=42")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Normalize(u)
	}
}
