package crawl

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/store"
	"golang.org/x/text/encoding/charmap"
)

// The fixture site's URLs by the depth at which a crawl from / first
// reaches them (requisites are fetched one level past the limit; see
// testdata/site).
var (
	siteRequisitesOfSeed = []string{"/css/site.css", "/js/app.js", "/img/logo.png", "/img/hero.png",
		"/img/hero@2x.png", "/css/reset.css", "/img/bg.png", "/img/dot.png"}
	siteDepth1 = []string{"/about.html", "/blog/", "/products.html", "/odd.html", "/api/posts/1.json",
		"/index.html", "/img/team.png", "/img/pattern.png", "/img/frame-bg.png", "/frame.html"}
	siteDepth2 = []string{"/people/team.html", "/blog/post-1.html", "/blog/post-2.html",
		"/products/widget.html", "/nofollow.html", "/missing.html", "/query.html?b=2&a=1", "/img/post1.png"}
	siteDepth3 = []string{"/people/alice.html", "/blog/archive.html", "/api/posts/2.json",
		"/products/specs.html", "/img/alice.png"}
)

func TestCrawlDepths(t *testing.T) {
	cat := func(lists ...[]string) []string { return sorted(slices.Concat(lists...)...) }
	tests := []struct {
		name  string
		depth int
		req   bool
		want  []string
	}{
		{"depth 0", 0, false, []string{"/"}},
		{"depth 0 with requisites", 0, true, cat([]string{"/"}, siteRequisitesOfSeed)},
		{"depth 1", 1, false, cat([]string{"/"}, siteRequisitesOfSeed, siteDepth1)},
		{"depth 2", 2, false, cat([]string{"/"}, siteRequisitesOfSeed, siteDepth1, siteDepth2)},
		{"depth 3", 3, false, cat([]string{"/"}, siteRequisitesOfSeed, siteDepth1, siteDepth2, siteDepth3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := serveSite(t, nil)
			cfg := testConfig(t, srv.URL+"/")
			cfg.Depth, cfg.Requisites = tt.depth, tt.req
			sum, recs := crawlT(t, cfg)
			if got := paths(recs, srv.URL); !slices.Equal(got, tt.want) {
				t.Errorf("fetched %d URLs:\n%s\nwant %d:\n%s", len(got), strings.Join(got, "\n"), len(tt.want), strings.Join(tt.want, "\n"))
			}
			if uri, n := hits.max(); n > 1 {
				t.Errorf("%s requested %d times", uri, n)
			}
			wantFailed := int64(0)
			if slices.Contains(tt.want, "/missing.html") {
				wantFailed = 1
			}
			if sum.OK+sum.Failed != int64(len(tt.want)) || sum.Failed != wantFailed {
				t.Errorf("summary: %d ok, %d failed; want %d, %d", sum.OK, sum.Failed, int64(len(tt.want))-wantFailed, wantFailed)
			}
		})
	}
}

// sourceFile maps a fixture-site URL path to the file it is served from.
func sourceFile(path string) string {
	path, _, _ = strings.Cut(path, "?")
	if strings.HasSuffix(path, "/") {
		path += "index.html"
	}
	return filepath.Join("testdata/site", filepath.FromSlash(path))
}

func TestCrawlSavesIdenticalFilesAndManifest(t *testing.T) {
	srv, _ := serveSite(t, nil)
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 3
	_, recs := crawlT(t, cfg)
	host := strings.ReplaceAll(strings.TrimPrefix(srv.URL, "http://"), ":", "_")

	saved := 0
	for u, r := range recs {
		p := strings.TrimPrefix(u, srv.URL)
		if r.Error != "" || r.Path == "" {
			continue
		}
		saved++
		want, err := os.ReadFile(sourceFile(p))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(cfg.OutDir, filepath.FromSlash(r.Path)))
		if err != nil {
			t.Errorf("%s: %v", u, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: saved file differs from the served one", u)
		}
		sum := sha256.Sum256(want)
		if r.SHA256 != hex.EncodeToString(sum[:]) || r.Bytes != int64(len(want)) {
			t.Errorf("%s: sha256 %s, %d bytes; want %x, %d", u, r.SHA256, r.Bytes, sum, len(want))
		}
		if r.Status != 200 || r.Attempts != 1 || r.FetchedAt.IsZero() || r.V != store.ManifestVersion || r.Run != 1 || r.LastModified == "" || r.IP != "127.0.0.1" {
			t.Errorf("%s: record %+v", u, r)
		}
	}
	if saved != len(recs)-2 { // all but the 404 and /index.html, which redirects to /
		t.Errorf("saved %d files for %d URLs", saved, len(recs))
	}

	for _, tt := range []struct {
		url, path, contentType, parent string
		depth                          int
	}{
		{"/", host + "/index.html", "text/html; charset=utf-8", "", 0},
		{"/blog/", host + "/blog/index.html", "text/html; charset=utf-8", "/", 1},
		{"/img/hero@2x.png", host + "/img/hero@2x.png", "image/png", "/", 1},
		{"/css/reset.css", host + "/css/reset.css", "text/css; charset=utf-8", "/css/site.css", 2},
		{"/query.html?b=2&a=1", host + "/query.html?b=2&a=1", "text/html; charset=utf-8", "/odd.html", 2},
		{"/api/posts/2.json", host + "/api/posts/2.json", "application/json", "/blog/post-2.html", 3},
	} {
		r := recs[srv.URL+tt.url]
		if r == nil {
			t.Errorf("no record for %s", tt.url)
			continue
		}
		parent := ""
		if tt.parent != "" {
			parent = srv.URL + tt.parent
		}
		if r.Path != tt.path || r.ContentType != tt.contentType || r.Depth != tt.depth || r.Parent != parent {
			t.Errorf("%s: path %q, type %q, depth %d, parent %q; want %q, %q, %d, %q",
				tt.url, r.Path, r.ContentType, r.Depth, r.Parent, tt.path, tt.contentType, tt.depth, parent)
		}
	}

	missing := recs[srv.URL+"/missing.html"]
	if missing.Status != 404 || missing.ErrorKind != "http_4xx" || missing.Path != "" || missing.Error == "" {
		t.Errorf("404 record: %+v", missing)
	}
	// http.FileServer redirects /index.html to /, which is fetched on its
	// own: the redirect is recorded, not followed.
	idx := recs[srv.URL+"/index.html"]
	if idx.Status != 301 || idx.Path != "" || idx.Error != "" || !slices.Equal(idx.Redirects, []string{srv.URL + "/"}) {
		t.Errorf("redirected record: %+v", idx)
	}
	if _, err := os.Stat(filepath.Join(cfg.OutDir, host, "missing.html")); !os.IsNotExist(err) {
		t.Errorf("a 404 left a file: %v", err)
	}
}

func TestCrawlRespectNoFollow(t *testing.T) {
	srv, hits := serveSite(t, nil)
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 2
	cfg.RespectNoFollow = true
	_, recs := crawlT(t, cfg)
	if recs[srv.URL+"/nofollow.html"] != nil || hits.get("/nofollow.html") != 0 {
		t.Error("a rel=nofollow link was followed")
	}
	if recs[srv.URL+"/missing.html"] == nil {
		t.Error("an ordinary link on the same page was not followed")
	}
}

func TestCrawlSeedsAndBadLines(t *testing.T) {
	srv, _ := serveSite(t, nil)
	cfg := testConfig(t, srv.URL+"/about.html", "not a url", "ftp://example.test/x", srv.URL+"/about.html#again")
	sum, recs := crawlT(t, cfg)
	if sum.OK != 1 || sum.Failed != 2 || sum.Errors["bad_url"] != 2 {
		t.Errorf("summary %+v", sum)
	}
	for _, bad := range []string{"not a url", "ftp://example.test/x"} {
		if r := recs[bad]; r == nil || r.ErrorKind != "bad_url" {
			t.Errorf("bad seed %q recorded as %+v", bad, r)
		}
	}
}

func TestCrawlScope(t *testing.T) {
	// The other server is reached as "localhost", a different host name
	// from the seed's 127.0.0.1.
	other, otherHits := serveSite(t, nil)
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	srv, _ := serveSite(t, map[string]http.HandlerFunc{
		"/links.html": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<a href="%s/about.html">other host</a><img src="%s/img/logo.png">
				<a href="/about.html">here</a><a href="/private/x.html">excluded</a>`, otherURL, otherURL)
		},
	})
	cfg := testConfig(t, srv.URL+"/links.html")
	cfg.Depth = 1
	cfg.Exclude = []*regexp.Regexp{regexp.MustCompile(`/private/`)}
	sum, recs := crawlT(t, cfg)
	// about.html's requisites are fetched one level past the limit.
	want := []string{"/about.html", "/css/reset.css", "/css/site.css", "/img/bg.png", "/img/dot.png", "/img/team.png", "/links.html"}
	if got := paths(recs, srv.URL); !slices.Equal(got, want) {
		t.Errorf("fetched %v", got)
	}
	if _, n := otherHits.max(); n != 0 {
		t.Error("the off-site host was requested")
	}
	if sum.Skipped["off_site"] != 2 || sum.Skipped["excluded"] != 1 {
		t.Errorf("skipped %v", sum.Skipped)
	}

	cfg = testConfig(t, srv.URL+"/links.html")
	cfg.Depth = 1
	cfg.Scope = scope.Any
	_, recs = crawlT(t, cfg)
	if recs[otherURL+"/about.html"] == nil || recs[otherURL+"/img/logo.png"] == nil {
		t.Errorf("--scope any did not follow the other host: %v", paths(recs, ""))
	}
}

func TestCrawlMaxPages(t *testing.T) {
	srv, hits := serveSite(t, nil)
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 3
	cfg.MaxPages = 5
	sum, recs := crawlT(t, cfg)
	if len(recs) != 5 || sum.Skipped["max_pages"] == 0 {
		t.Errorf("%d URLs recorded, skipped %v", len(recs), sum.Skipped)
	}
	total := 0
	for _, u := range paths(recs, srv.URL) {
		total += hits.get(u)
	}
	if total != 5 {
		t.Errorf("%d requests for 5 pages", total)
	}
}

func TestCrawlSelect(t *testing.T) {
	srv, _ := serveSite(t, nil)
	cfg := testConfig(t, srv.URL+"/", srv.URL+"/blog/")
	for _, spec := range []string{"title=h1.title", "links[]=nav a@href", "lede=p.lede"} {
		f, err := parse.ParseField(spec)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Select = append(cfg.Select, f)
	}
	crawlT(t, cfg)
	data, err := os.ReadFile(filepath.Join(cfg.OutDir, "records.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		got[m["url"].(string)] = m
	}
	home := got[srv.URL+"/"]
	if home["title"] != "Welcome to the crawl test site" || home["lede"] != "Pages here link each other at known depths." {
		t.Errorf("home record %v", home)
	}
	if links, _ := home["links"].([]any); len(links) != 8 || links[0] != "about.html" {
		t.Errorf("home links %v", home["links"])
	}
	blog := got[srv.URL+"/blog/"]
	if blog["title"] != "Blog" || blog["lede"] != nil {
		t.Errorf("blog record %v", blog)
	}
}

func TestCrawlRedirects(t *testing.T) {
	srv, hits := serveSite(t, map[string]http.HandlerFunc{
		"/old": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/moved/", http.StatusMovedPermanently)
		},
		"/moved/": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/people/team.html", http.StatusFound)
		},
		"/loop": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/loop", http.StatusFound)
		},
		"/links.html": func(w http.ResponseWriter, r *http.Request) {
			// about.html is also linked directly: fetched once.
			fmt.Fprint(w, `<a href="/old">old</a> <a href="/about.html">about</a> <a href="/loop">loop</a>`)
		},
	})
	cfg := testConfig(t, srv.URL+"/links.html")
	cfg.Depth = 1
	_, recs := crawlT(t, cfg)
	host := strings.ReplaceAll(strings.TrimPrefix(srv.URL, "http://"), ":", "_")
	old := recs[srv.URL+"/old"]
	want := []string{srv.URL + "/moved/", srv.URL + "/people/team.html"}
	if old == nil || !slices.Equal(old.Redirects, want) || old.FinalURL != srv.URL+"/people/team.html" ||
		old.Path != host+"/people/team.html" || old.Status != 200 {
		t.Errorf("redirect record %+v", old)
	}
	if hits.get("/about.html") != 1 {
		t.Errorf("/about.html fetched %d times", hits.get("/about.html"))
	}
	if loop := recs[srv.URL+"/loop"]; loop.ErrorKind != "redirects" || hits.get("/loop") != 1 {
		t.Errorf("redirect loop: %+v after %d requests", loop, hits.get("/loop"))
	}
}

func TestCrawlHostsThroughResolve(t *testing.T) {
	// Three host names served by one test server, reached through
	// Config.Transport.Resolve (--resolve): the scope modes apply to the
	// names, and --user credentials go to the seed's host only.
	var mu sync.Mutex
	auth := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		user, _, _ := r.BasicAuth()
		mu.Lock()
		auth[host] = user
		mu.Unlock()
		_, port, _ := net.SplitHostPort(r.Host)
		if r.URL.Path == "/" {
			fmt.Fprintf(w, `<a href="http://www.example.test:%s/x">www</a> <a href="http://static.example.test:%[1]s/y">static</a> <a href="http://other.test:%[1]s/z">other</a>`, port)
		}
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	resolve := map[string]string{}
	for _, h := range []string{"www.example.test", "static.example.test", "other.test"} {
		key, addr, _ := fetch.ParseResolve(h + ":" + port + ":127.0.0.1")
		resolve[key] = addr
	}
	seed := "http://www.example.test:" + port + "/"
	for _, tt := range []struct {
		mode scope.Mode
		want []string
	}{
		{scope.Host, []string{"www.example.test/", "www.example.test/x"}},
		{scope.Domain, []string{"static.example.test/y", "www.example.test/", "www.example.test/x"}},
		{scope.Any, []string{"other.test/z", "static.example.test/y", "www.example.test/", "www.example.test/x"}},
	} {
		t.Run(tt.mode.String(), func(t *testing.T) {
			cfg := testConfig(t, seed)
			cfg.Depth, cfg.Scope = 1, tt.mode
			cfg.Transport.Resolve = resolve
			cfg.User = url.UserPassword("alice", "secret")
			_, recs := crawlT(t, cfg)
			var got []string
			for u := range recs {
				got = append(got, strings.Replace(strings.TrimPrefix(u, "http://"), ":"+port, "", 1))
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("fetched %v; want %v", got, tt.want)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if auth["www.example.test"] != "alice" || auth["static.example.test"] != "" || auth["other.test"] != "" {
		t.Errorf("credentials seen by host: %v; want only www.example.test", auth)
	}
}

func TestCrawlHeaderLinks(t *testing.T) {
	srv, _ := serveSite(t, map[string]http.HandlerFunc{
		"/headers": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", `</css/site.css>; rel=preload; as=style, </about.html>; rel="next"`)
			w.Header().Set("Refresh", "3; url=/products.html")
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"links": "in headers only"}`)
		},
	})
	cfg := testConfig(t, srv.URL+"/headers")
	cfg.Depth = 1
	_, recs := crawlT(t, cfg)
	for _, p := range []string{"/css/site.css", "/about.html", "/products.html"} {
		if r := recs[srv.URL+p]; r == nil || r.Parent != srv.URL+"/headers" {
			t.Errorf("%s, linked from a response header, was not fetched: %+v", p, r)
		}
	}
}

func TestCrawlRedirectScope(t *testing.T) {
	// old.test/ moved to www.new.test/: the seed's redirect brings
	// www.new.test into scope, so its links are followed. A page that
	// redirects to an unrelated host is recorded, not followed.
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, port, _ := net.SplitHostPort(r.Host)
		mu.Lock()
		hits[host+r.URL.Path]++
		mu.Unlock()
		switch host + r.URL.Path {
		case "old.test/":
			http.Redirect(w, r, "http://www.new.test:"+port+"/", http.StatusMovedPermanently)
		case "www.new.test/":
			fmt.Fprint(w, `<a href="/about">about</a> <a href="/gone">gone</a>`)
		case "www.new.test/gone":
			http.Redirect(w, r, "http://elsewhere.test:"+port+"/", http.StatusFound)
		default:
			fmt.Fprint(w, "page")
		}
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	resolve := map[string]string{}
	for _, h := range []string{"old.test", "www.new.test", "elsewhere.test"} {
		key, addr, _ := fetch.ParseResolve(h + ":" + port + ":127.0.0.1")
		resolve[key] = addr
	}
	cfg := testConfig(t, "http://old.test:"+port+"/")
	cfg.Depth = 1
	cfg.Transport.Resolve = resolve
	sum, recs := crawlT(t, cfg)
	if r := recs["http://www.new.test:"+port+"/about"]; r == nil || r.Error != "" {
		t.Errorf("the moved site's link was not followed: %+v", r)
	}
	gone := recs["http://www.new.test:"+port+"/gone"]
	if gone == nil || gone.Status != http.StatusFound || gone.Path != "" || gone.Error != "" {
		t.Errorf("off-site redirect record: %+v", gone)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits["elsewhere.test/"] != 0 {
		t.Error("the off-site redirect was followed")
	}
	if sum.Skipped["redirect_off_site"] != 1 || sum.Failed != 0 {
		t.Errorf("skipped %v, failed %d", sum.Skipped, sum.Failed)
	}
}

func TestCrawlCharset(t *testing.T) {
	page, _ := charmap.Windows1251.NewEncoder().String(`<meta charset="windows-1251"><a href="/новости.html">news</a>`)
	srv, _ := serveSite(t, map[string]http.HandlerFunc{
		"/ru": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, page)
		},
	})
	cfg := testConfig(t, srv.URL+"/ru")
	cfg.Depth = 1
	_, recs := crawlT(t, cfg)
	if recs[srv.URL+"/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8.html"] == nil {
		t.Errorf("the windows-1251 link was not decoded: %v", paths(recs, srv.URL))
	}
	saved, err := os.ReadFile(filepath.Join(cfg.OutDir, recs[srv.URL+"/ru"].Path))
	if err != nil || string(saved) != page {
		t.Errorf("the page was not saved as received: %v", err)
	}
}

func TestCrawlContentDisposition(t *testing.T) {
	srv, _ := serveSite(t, map[string]http.HandlerFunc{
		"/dl/get": func(w http.ResponseWriter, r *http.Request) {
			name := `../../../escape.txt`
			if r.URL.Query().Get("id") == "2" {
				name = "report.pdf"
			}
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
			w.Header().Set("Content-Type", "application/octet-stream")
			fmt.Fprint(w, "file ", r.URL.Query().Get("id"))
		},
	})
	host := strings.ReplaceAll(strings.TrimPrefix(srv.URL, "http://"), ":", "_")
	for _, tt := range []struct {
		on   bool
		want map[string]string // URL query -> path
	}{
		{false, map[string]string{"1": host + "/dl/get?id=1", "2": host + "/dl/get?id=2"}},
		{true, map[string]string{"1": host + "/dl/escape.txt", "2": host + "/dl/report.pdf"}},
	} {
		cfg := testConfig(t, srv.URL+"/dl/get?id=1", srv.URL+"/dl/get?id=2")
		cfg.ContentDisposition = tt.on
		_, recs := crawlT(t, cfg)
		for id, want := range tt.want {
			if r := recs[srv.URL+"/dl/get?id="+id]; r == nil || r.Path != want {
				t.Errorf("content-disposition %v, id %s: %+v; want path %s", tt.on, id, r, want)
			}
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(cfg.OutDir), "escape.txt")); err == nil {
			t.Error("a Content-Disposition name escaped the output directory")
		}
	}
}
