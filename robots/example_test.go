package robots_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/crawl-go/crawl/robots"
)

func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `# robots.txt
User-agent: *
Disallow: /

User-agent: crawl
Allow: /
Disallow: /private
Allow: /private/about
Crawl-delay: 2

Sitemap: https://example.com/sitemap.xml
`)
	}))
	defer srv.Close()
	client := &http.Client{
		Transport: &http.Transport{},
		// RFC 9309: follow at most five redirects for robots.txt.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > 5 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	defer client.CloseIdleConnections()

	cache := robots.NewCache(robots.Options{
		Agent: "crawl",
		Fetch: func(ctx context.Context, url string) (int, []byte, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return 0, nil, err
			}
			resp, err := client.Do(req)
			if err != nil {
				return 0, nil, err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(io.LimitReader(resp.Body, robots.ParseLimit))
			return resp.StatusCode, body, err
		},
	})

	ctx := context.Background()
	for _, path := range []string{"/", "/private/report.pdf", "/private/about", "/robots.txt"} {
		u, _ := url.Parse(srv.URL + path)
		d, err := cache.Check(ctx, u)
		if err != nil {
			fmt.Println(err)
			return
		}
		if d.Allowed {
			fmt.Printf("%s: allowed, crawl delay %v\n", path, d.CrawlDelay)
		} else {
			fmt.Printf("%s: %s\n", path, d.Reason)
		}
	}
	u, _ := url.Parse(srv.URL)
	sitemaps, _ := cache.Sitemaps(ctx, u)
	fmt.Println(sitemaps)
	// Output:
	// /: allowed, crawl delay 2s
	// /private/report.pdf: disallowed by robots.txt: Disallow: /private
	// /private/about: allowed, crawl delay 2s
	// /robots.txt: allowed, crawl delay 2s
	// [https://example.com/sitemap.xml]
}

func ExampleParse() {
	rules := robots.Parse([]byte("User-agent: *\nDisallow: /*.gif$\nDisallow: /tmp/\nAllow: /tmp/public/\n"), "crawl")
	for _, raw := range []string{"/logo.gif", "/logo.gif?v=2", "/tmp/x", "/tmp/public/x", "/TMP/x"} {
		u, _ := url.Parse("https://example.com" + raw)
		fmt.Println(raw, rules.Check(u).Allowed)
	}
	// Output:
	// /logo.gif false
	// /logo.gif?v=2 true
	// /tmp/x false
	// /tmp/public/x true
	// /TMP/x true
}
