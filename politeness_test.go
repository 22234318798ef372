package crawl

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/crawl-go/crawl/outcome"
	"golang.org/x/time/rate"
)

func TestCrawlRobotsAndSitemaps(t *testing.T) {
	srv, hits := serveSite(t, map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "User-agent: *\nDisallow: /blog/\nCrawl-delay: 0.01\nSitemap: http://%s/sitemap.xml\n", r.Host)
		},
		"/sitemap.xml": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://%[1]s/products/specs.html</loc></url>
  <url><loc>http://%[1]s/deep/level5.html</loc></url>
  <url><loc>http://%[1]s/blog/post-1.html</loc></url>
</urlset>`, r.Host)
		},
	})
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 1
	cfg.Robots, cfg.FollowSitemaps = true, true
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	recs := readManifest(t, cfg.OutDir)

	if n := hits.get("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times; want once", n)
	}
	for _, p := range []string{"/blog/", "/blog/post-1.html"} {
		r := recs[srv.URL+p]
		if r == nil || r.ErrorKind != "robots" || !strings.Contains(r.Error, "/blog/") || hits.get(p) != 0 {
			t.Errorf("%s: %+v, %d requests; want a robots line and no request", p, r, hits.get(p))
		}
	}
	sm := recs[srv.URL+"/sitemap.xml"]
	if sm == nil || sm.Depth != 0 || sm.Parent != srv.URL+"/robots.txt" {
		t.Errorf("sitemap record %+v", sm)
	}
	for _, p := range []string{"/products/specs.html", "/deep/level5.html"} {
		if r := recs[srv.URL+p]; r == nil || r.Error != "" || r.Depth != 1 || r.Parent != srv.URL+"/sitemap.xml" {
			t.Errorf("%s, listed in the sitemap: %+v", p, r)
		}
	}
	if sum.Failed != 0 || sum.Skipped["robots"] != 2 || sum.Declined != 2 {
		t.Errorf("failed %d, skipped %v, declined %d", sum.Failed, sum.Skipped, sum.Declined)
	}
	if got := c.fetch.polite.limiter.Rate(strings.TrimPrefix(srv.URL, "http://")); got != rate.Limit(100) {
		t.Errorf("host rate %v; want 100/s from Crawl-delay: 0.01", got)
	}
}

func TestCrawlRobotsUnreachable(t *testing.T) {
	// A robots.txt answering 503 disallows the whole host (RFC 9309): it
	// is tried as often as a page would be, then the host's URLs fail
	// (they are not skipped: the user asked for them). One answering 404
	// allows everything.
	for _, tt := range []struct {
		status       int
		want         outcome.Kind
		wantAttempts int
	}{{503, "robots_unavailable", 3}, {404, "", 1}} {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			srv, hits := serveSite(t, map[string]http.HandlerFunc{
				"/robots.txt": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(tt.status) },
			})
			cfg := testConfig(t, srv.URL+"/about.html")
			cfg.Robots = true
			sum, recs := crawlT(t, cfg)
			if r := recs[srv.URL+"/about.html"]; r == nil || r.ErrorKind != tt.want {
				t.Errorf("about.html: %+v; want error kind %q", r, tt.want)
			} else if tt.want != "" && r.Attempts != tt.wantAttempts {
				t.Errorf("about.html: %d attempts recorded; want the %d of robots.txt", r.Attempts, tt.wantAttempts)
			}
			if n := hits.get("/robots.txt"); n != tt.wantAttempts {
				t.Errorf("robots.txt fetched %d times; want %d", n, tt.wantAttempts)
			}
			if tt.want != "" && (hits.get("/about.html") != 0 || sum.Failed != 1) {
				t.Errorf("a page whose robots.txt is unavailable was fetched (%d) or not failed (%d failed)",
					hits.get("/about.html"), sum.Failed)
			}
		})
	}
}
