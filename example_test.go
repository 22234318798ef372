package crawl_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"

	crawl "github.com/crawl-go/crawl"
	"github.com/crawl-go/crawl/store"
)

func Example() {
	// A two-page site with an image.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><a href="/about">About</a><img src="/logo.png"></html>`)
		case "/about":
			fmt.Fprint(w, `<html><h1>About</h1><a href="/">Home</a></html>`)
		case "/logo.png":
			w.Header().Set("Content-Type", "image/png")
			fmt.Fprint(w, "\x89PNG...")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	dir, _ := os.MkdirTemp("", "crawl-example")
	defer os.RemoveAll(dir)
	c, err := crawl.New(crawl.Config{
		Seeds:  []crawl.Seed{{URL: srv.URL + "/"}},
		OutDir: dir,
		Depth:  1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	sum, err := c.Run(context.Background())
	fmt.Println(sum.OK, "fetched,", sum.Failed, "failed,", err)

	// The manifest says where each URL was saved.
	f, _ := os.Open(filepath.Join(dir, "manifest.jsonl"))
	defer f.Close()
	var lines []string
	store.ReadManifest(f, func(r *store.Record) error {
		path := r.Path[strings.Index(r.Path, "/"):] // drop the host folder
		lines = append(lines, fmt.Sprintf("%s -> %s (depth %d)", strings.TrimPrefix(r.URL, srv.URL), path, r.Depth))
		return nil
	})
	slices.Sort(lines)
	fmt.Println(strings.Join(lines, "\n"))
	// Output:
	// 3 fetched, 0 failed, <nil>
	// / -> /index.html (depth 0)
	// /about -> /about.html (depth 1)
	// /logo.png -> /logo.png (depth 1)
}
