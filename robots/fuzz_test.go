package robots

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics on any file, and that the answer
// for a URL is deterministic and consistent: /robots.txt is always allowed,
// and a disallowed URL names the rule that disallowed it.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "/example/page.html?q=1")
	}
	f.Add([]byte("User-agent: crawl\nDisallow: /*.gif$\nAllow: /a%3c\n"), "/x.gif")
	f.Add([]byte("User-agent: *\rDisallow: \xff*\r\nCrawl-delay: 1e9\nSitemap: http://x/\n"), "/%FF")
	f.Add([]byte("Disallow /\nuser-agent CRAWL/1\n\ndisallow:/$\n"), "/")

	f.Fuzz(func(t *testing.T, data []byte, path string) {
		r := Parse(data, "crawl")
		u, err := url.Parse("http://example.com/" + strings.TrimPrefix(path, "/"))
		if err != nil {
			return
		}
		d := r.Check(u)
		if again := Parse(data, "crawl").Check(u); again != d {
			t.Fatalf("Check(%q) = %+v, then %+v", u, d, again)
		}
		if d.Allowed != (d.Reason == "") {
			t.Fatalf("Check(%q) = %+v: Reason must be empty exactly when allowed", u, d)
		}
		if !d.Allowed && !strings.HasPrefix(d.Reason, "disallowed by robots.txt: Disallow: ") {
			t.Fatalf("Check(%q) = %+v: unexpected reason", u, d)
		}
		if d.CrawlDelay < 0 || d.CrawlDelay > maxCrawlDelay {
			t.Fatalf("CrawlDelay = %v", d.CrawlDelay)
		}
		if d := r.Check(&url.URL{Scheme: "http", Host: "example.com", Path: "/robots.txt"}); !d.Allowed {
			t.Fatalf("/robots.txt disallowed: %+v", d)
		}
		for _, s := range r.Sitemaps() {
			if !strings.HasPrefix(strings.ToLower(s), "http") {
				t.Fatalf("sitemap %q is not http(s)", s)
			}
		}
	})
}
