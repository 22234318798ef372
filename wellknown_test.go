package crawl

import (
	"net/http"
	"testing"

	"github.com/crawl-go/crawl/outcome"
)

// TestSitemapProbe checks that a crawl with a depth asks each host for its
// /sitemap.xml once, whether robots.txt names it or not, reads the URLs
// it lists (an orphan page no link reaches), and records a host without
// one as missing, not as a failure.
func TestSitemapProbe(t *testing.T) {
	for _, tt := range []struct {
		name    string
		sitemap bool
	}{{"a sitemap", true}, {"no sitemap", false}} {
		t.Run(tt.name, func(t *testing.T) {
			handlers := map[string]http.HandlerFunc{}
			if tt.sitemap {
				handlers["/sitemap.xml"] = func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/xml")
					w.Write([]byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` +
						`<url><loc>` + "http://" + r.Host + `/orphan.html</loc></url></urlset>`))
				}
				handlers["/orphan.html"] = func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("orphan")) }
			}
			srv, hits := serveSite(t, handlers)
			cfg := testConfig(t, srv.URL+"/about.html")
			cfg.Depth = 1
			cfg.FollowSitemaps = true
			sum, recs := crawlT(t, cfg)
			if n := hits.get("/sitemap.xml"); n != 1 {
				t.Errorf("/sitemap.xml asked for %d times; want once", n)
			}
			r := recs[srv.URL+"/sitemap.xml"]
			switch {
			case tt.sitemap && (r == nil || r.Error != "" || recs[srv.URL+"/orphan.html"] == nil):
				t.Errorf("the sitemap %+v, and its orphan %+v", r, recs[srv.URL+"/orphan.html"])
			case !tt.sitemap && (r == nil || r.ErrorKind != outcome.Missing || sum.Failed != 0):
				t.Errorf("the missing sitemap %+v, %d failed; want it recorded as missing, not failed", r, sum.Failed)
			}
		})
	}
}
