package store_test

import (
	"fmt"
	"log"
	"net/url"
	"os"
	"strings"

	"github.com/crawl-go/crawl/store"
)

func ExamplePath() {
	for _, s := range []string{
		"http://127.0.0.1:18080/",
		"http://127.0.0.1:18080/a%20b/c.html",
		"http://127.0.0.1:18081/_static/pydoctheme.css?2022.1",
		"http://127.0.0.1:18080/search?q=1",
		"http://127.0.0.1:18080/img/42",
	} {
		u, err := url.Parse(s)
		if err != nil {
			log.Fatal(err)
		}
		ct := "text/html"
		if strings.Contains(s, "img") {
			ct = "image/png"
		}
		fmt.Println(store.Path(u, ct))
	}
	// Output:
	// 127.0.0.1_18080/index.html
	// 127.0.0.1_18080/a b/c.html
	// 127.0.0.1_18081/_static/pydoctheme.css?2022.1
	// 127.0.0.1_18080/search?q=1.html
	// 127.0.0.1_18080/img/42.png
}

func ExampleStore_Put() {
	dir, err := os.MkdirTemp("", "crawl-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := store.Open(dir, store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, rel := range []string{"h/a.html", "h/a.html", "h/b", "h/b/c.html"} {
		got, err := s.Put(rel, []byte("body"))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rel, "->", got)
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// h/a.html -> h/a.html
	// h/a.html -> h/a~2.html
	// h/b -> h/b
	// h/b/c.html -> h/b~dir/c.html
}

func ExampleReadManifest() {
	const manifest = `{"v":1,"url":"http://h/","status":200,"content_type":"text/html","bytes":5120,"path":"h/index.html","depth":0,"attempts":1,"duration_ms":3,"fetched_at":"2026-11-23T11:16:00Z"}
{"v":1,"url":"http://h/missing.html","status":404,"bytes":0,"depth":1,"parent":"http://h/","error":"http status 404","error_kind":"http","attempts":1,"duration_ms":1,"fetched_at":"2026-11-23T11:16:01Z"}
{"v":1,"url":"http://h/cut-short`

	err := store.ReadManifest(strings.NewReader(manifest), func(r *store.Record) error {
		if r.Error != "" {
			fmt.Printf("%s failed (%s): %s\n", r.URL, r.ErrorKind, r.Error)
			return nil
		}
		fmt.Printf("%s saved as %s (%d bytes)\n", r.URL, r.Path, r.Bytes)
		return nil
	})
	fmt.Println("error:", err)
	// Output:
	// http://h/ saved as h/index.html (5120 bytes)
	// http://h/missing.html failed (http): http status 404
	// error: <nil>
}

func ExampleJSONLWriter() {
	w := store.NewJSONLWriter(os.Stdout)
	w.Write(map[string]any{"url": "http://h/", "title": "Home <1>"})
	w.Write(&store.Record{URL: "http://h/", Status: 200})
	// Output:
	// {"title":"Home \u003c1\u003e","url":"http://h/"}
	// {"v":3,"url":"http://h/","status":200,"bytes":0,"depth":0,"attempts":0,"duration_ms":0,"fetched_at":"0001-01-01T00:00:00Z"}
}

func ExamplePathOptions_Path() {
	u, _ := url.Parse("http://127.0.0.1:18080/docs/sub/guide?v=2")
	for _, o := range []store.PathOptions{{}, {NoHostDirs: true}, {NoDirs: true}} {
		fmt.Println(o.Path(u, "text/html"))
	}
	// Output:
	// 127.0.0.1_18080/docs/sub/guide?v=2.html
	// docs/sub/guide?v=2.html
	// guide?v=2.html
}
