package crawl

import (
	"net/http"
	"testing"

	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/parse"
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

// TestRobotsPaths checks that, discovering all links, a crawl tries the
// paths robots.txt names: those it allows, and, with robots.txt not
// obeyed, those it disallows too; without ModeAll it does not.
func TestRobotsPaths(t *testing.T) {
	for _, tt := range []struct {
		name          string
		mode          parse.Mode
		robots        bool
		want, notWant []string
	}{
		{"all, obeyed", parse.ModeAll, true, []string{"/public/page"}, []string{"/private/"}},
		{"all, not obeyed", parse.ModeAll, false, []string{"/public/page", "/private/"}, nil},
		{"page", parse.ModePage, true, nil, []string{"/public/page", "/private/"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := serveSite(t, map[string]http.HandlerFunc{
				"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
					w.Write([]byte("User-agent: *\nDisallow: /private/\nAllow: /public/page\n"))
				},
				"/public/page": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("public")) },
				"/private/":    func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("private")) },
			})
			cfg := testConfig(t, srv.URL+"/about.html")
			cfg.Depth, cfg.Discover, cfg.Robots = 1, tt.mode, tt.robots
			_, recs := crawlT(t, cfg)
			for _, p := range tt.want {
				if hits.get(p) != 1 || recs[srv.URL+p] == nil || recs[srv.URL+p].Parent != srv.URL+"/robots.txt" {
					t.Errorf("%s: %d requests, line %+v; want it fetched, found in robots.txt", p, hits.get(p), recs[srv.URL+p])
				}
			}
			for _, p := range tt.notWant {
				if hits.get(p) != 0 {
					t.Errorf("%s requested", p)
				}
			}
		})
	}
}
