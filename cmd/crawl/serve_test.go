package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeHidesWorkDir checks that crawl serve neither lists nor serves
// DIR/.crawl, whatever the spelling of its path, nor follows a symbolic
// link out of DIR.
func TestServeHidesWorkDir(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.html":           "<p>home</p>",
		"a/page.html":          "<p>page</p>",
		"a/.crawl/kept.html":   "<p>a folder of the site named .crawl, below the top</p>",
		".crawl/state.db":      "state",
		".crawl/orig/x.html":   "original",
		".crawl/status.json":   "{}",
		".crawlish/other.html": "<p>not the work folder</p>",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	os.Remove(filepath.Join(dir, "index.html")) // so that / is a listing
	// A symbolic link that leads out of the folder served, and one
	// that stays in it.
	secret := filepath.Join(t.TempDir(), "secret.txt")
	os.WriteFile(secret, []byte("not to be served"), 0o644)
	if err := os.Symlink(secret, filepath.Join(dir, "a", "out.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("page.html", filepath.Join(dir, "a", "in.html")); err != nil {
		t.Fatal(err)
	}
	h, closeDir, err := dirHandler(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDir()
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, listing := get("/")
	if code != 200 || strings.Contains(listing, `".crawl/"`) || !strings.Contains(listing, "a/") || !strings.Contains(listing, ".crawlish/") {
		t.Errorf("listing of /: %d %s", code, listing)
	}
	for _, p := range []string{"/.crawl/", "/.crawl", "/.crawl/state.db", "/.crawl/orig/x.html", "/a/../.crawl/status.json", "/%2Ecrawl/state.db", "/.CRAWL/state.db"} {
		if code, _ := get(p); code != http.StatusNotFound {
			t.Errorf("GET %s: %d; want 404", p, code)
		}
	}
	if code, body := get("/a/out.txt"); code == 200 || strings.Contains(body, "not to be served") {
		t.Errorf("GET /a/out.txt, a link out of the folder: %d %q; want it refused", code, body)
	}
	// A page's own charset (a mirrored windows-1252 page) is not
	// overridden by the server's.
	resp, err := http.Get(srv.URL + "/a/page.html")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/html" {
		t.Errorf("Content-Type of a page: %q; want text/html, no charset", ct)
	}
	for _, p := range []string{"/a/page.html", "/a/in.html", "/a/.crawl/kept.html", "/.crawlish/other.html"} {
		if code, _ := get(p); code != 200 {
			t.Errorf("GET %s: %d; want 200", p, code)
		}
	}
}
