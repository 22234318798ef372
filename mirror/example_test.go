package mirror_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/crawl-go/crawl/mirror"
	"github.com/crawl-go/crawl/store"
)

// ExampleConvert converts a mirror of two pages, one of which links to the
// other through a redirect and to a page that was not saved.
func ExampleConvert() {
	dir, err := os.MkdirTemp("", "mirror-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	// What a crawl of http://example.test/ left: two files and their
	// manifest lines; /old answered 301 to /new.html.
	var manifest bytes.Buffer
	w := store.NewManifestWriter(&manifest)
	save := func(url, rel, body string) {
		path, err := st.Put(rel, []byte(body))
		if err != nil {
			log.Fatal(err)
		}
		sum := sha256.Sum256([]byte(body))
		w.Write(&store.Record{URL: url, Status: 200, ContentType: "text/html", Path: path,
			SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(body))})
	}
	save("http://example.test/", "example.test/index.html",
		`<a href="/old#top">moved</a> <a href="http://example.test/elsewhere">not saved</a>`)
	save("http://example.test/new.html", "example.test/new.html", `<p>new`)
	w.Write(&store.Record{URL: "http://example.test/old", Status: 301, Redirects: []string{"http://example.test/new.html"}})

	stats, err := mirror.Convert(context.Background(), st, &manifest, mirror.Options{})
	if err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "example.test", "index.html"))
	fmt.Println(string(b))
	fmt.Printf("%d files converted, %d link made local, %d to the web\n", stats.Files, stats.Local, stats.Remote)
	// Output:
	// <a href="new.html#top">moved</a> <a href="http://example.test/elsewhere">not saved</a>
	// 2 files converted, 1 link made local, 1 to the web
}
