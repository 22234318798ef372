package crawl

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestRedirectToSessionID crawls a site that redirects every URL without a
// session id to the same URL with one, as servlet applications do for a
// client without cookies: normalization strips the id, so the target is
// the URL being fetched, and the redirect must still be followed.
func TestRedirectToSessionID(t *testing.T) {
	var mu sync.Mutex
	var served []string
	srv, _ := serveSite(t, map[string]http.HandlerFunc{
		"/app/": func(w http.ResponseWriter, r *http.Request) {
			p, _, ok := strings.Cut(r.URL.Path, ";jsessionid=")
			if !ok {
				http.Redirect(w, r, r.URL.Path+";jsessionid=ABCDEF0123456789ABCDEF0123456789", http.StatusFound)
				return
			}
			mu.Lock()
			served = append(served, p)
			n := len(served)
			mu.Unlock()
			if p == "/app/page" {
				fmt.Fprintf(w, `<a href="/app/next;jsessionid=%d">next</a>`, n)
			}
		},
	})
	cfg := testConfig(t, srv.URL+"/app/page")
	cfg.Depth = 1
	_, recs := crawlT(t, cfg)
	for _, u := range []string{"/app/page", "/app/next"} {
		r := recs[srv.URL+u]
		if r == nil || r.Status != http.StatusOK || r.Path == "" {
			t.Errorf("%s: record %+v; want the page saved", u, r)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(served) != 2 {
		t.Errorf("pages served %q; want each once", served)
	}
}
