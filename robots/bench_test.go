package robots

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkCheck measures the per-URL cost of applying a realistic file:
// Check runs for every URL the crawl queues.
func BenchmarkCheck(b *testing.B) {
	var file strings.Builder
	file.WriteString("User-agent: *\n")
	for i := range 50 {
		fmt.Fprintf(&file, "Disallow: /section-%d/private/\nAllow: /section-%d/*.html$\n", i, i)
	}
	rules := Parse([]byte(file.String()), "crawl")
	u := mustURL(b, "/section-42/articles/2024/05/some-long-article-name.html?utm_source=x")
	b.ReportAllocs()
	for b.Loop() {
		if !rules.Check(u).Allowed {
			b.Fatal("disallowed")
		}
	}
}
