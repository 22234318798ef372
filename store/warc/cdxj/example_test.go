package cdxj_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/crawl-go/crawl/store/warc/cdxj"
)

func Example() {
	dir, _ := os.MkdirTemp("", "cdxj")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "crawl.cdxj")
	w, _ := cdxj.Create(path, 0)
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	for i, u := range []string{"http://www.example.com/b", "http://www.example.com/a", "http://example.com/a"} {
		e := cdxj.Entry{URL: u, Mime: "text/html", Status: "200", Length: "500", Offset: fmt.Sprint(1000 * i), Filename: "crawl-00000.warc.gz"}
		e.Key(at.Add(time.Duration(i) * time.Second))
		w.Add(&e)
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
		return
	}
	data, _ := os.ReadFile(path)
	fmt.Print(string(data))
	es, _ := cdxj.Lookup(path, "http://example.com/a")
	fmt.Println(len(es), "captures of http://example.com/a")
	// Output:
	// com,example)/a 20240506070810 {"url":"http://www.example.com/a","mime":"text/html","status":"200","length":"500","offset":"1000","filename":"crawl-00000.warc.gz"}
	// com,example)/a 20240506070811 {"url":"http://example.com/a","mime":"text/html","status":"200","length":"500","offset":"2000","filename":"crawl-00000.warc.gz"}
	// com,example)/b 20240506070809 {"url":"http://www.example.com/b","mime":"text/html","status":"200","length":"500","offset":"0","filename":"crawl-00000.warc.gz"}
	// 2 captures of http://example.com/a
}
