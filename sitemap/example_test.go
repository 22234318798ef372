package sitemap_test

import (
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/crawl-go/crawl/sitemap"
)

func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sitemap.xml":
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://example.com/pages.xml.gz</loc></sitemap>
</sitemapindex>`)
		case "/pages.xml.gz":
			// Served as an opaque file: Parse recognises gzip by its
			// first bytes.
			w.Header().Set("Content-Type", "application/octet-stream")
			zw := gzip.NewWriter(w)
			fmt.Fprint(zw, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.com/</loc><lastmod>2024-05-06</lastmod></url>
  <url><loc> https://example.com/about?lang=en&amp;x=1 </loc></url>
  <url><loc>/relative-is-skipped</loc></url>
</urlset>`)
			zw.Close()
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()

	for _, path := range []string{"/sitemap.xml", "/pages.xml.gz"} {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			fmt.Println(err)
			return
		}
		res, err := sitemap.Parse(resp.Body, 10<<20)
		resp.Body.Close()
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, s := range res.Sitemaps {
			fmt.Println("sitemap:", s)
		}
		for _, e := range res.URLs {
			fmt.Println("url:", e.URL, e.LastMod.Format("2006-01-02"))
		}
	}
	// Output:
	// sitemap: https://example.com/pages.xml.gz
	// url: https://example.com/ 2024-05-06
	// url: https://example.com/about?lang=en&x=1 0001-01-01
}
