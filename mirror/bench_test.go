package mirror

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkConvert measures -k on the pages parse's benchmarks use
// (../parse/testdata: a blog page and eleven pages of the Python
// documentation, UTF-8, served as "text/html"), saved as a crawl of
// docs.python.org would have: each op converts them all again, reading
// each file and its kept original, rewriting its links and comparing, as
// Convert does after a resumed crawl.
func BenchmarkConvert(b *testing.B) {
	var files []file
	var size int64
	add := func(rel, name string) {
		body, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, file{"https://docs.python.org/3.11/" + rel, "docs.python.org/3.11/" + rel, "text/html", string(body)})
		size += int64(len(body))
	}
	add("blog.html", filepath.Join("..", "parse", "testdata", "bench.html"))
	dir := filepath.Join("..", "parse", "testdata", "pages", "python")
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err == nil {
			add(filepath.ToSlash(rel), p)
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	st, _, manifest := fakeCrawl(b, files)
	first, err := Convert(context.Background(), st, bytes.NewReader(manifest), Options{Workers: 1})
	if err != nil || first.Files != len(files) || first.Local == 0 {
		b.Fatalf("first Convert: %+v, %v", first, err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Convert(context.Background(), st, bytes.NewReader(manifest), Options{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
