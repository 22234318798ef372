package warc_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/crawl-go/crawl/store/warc"
)

// Example archives two fetches of the same page under two URLs, then reads
// the file back: the second fetch becomes a revisit record.
func Example() {
	dir, err := os.MkdirTemp("", "warc-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	n := 0
	w, err := warc.Create(warc.Options{
		Dir:      dir,
		Prefix:   "crawl",
		Software: "crawl/0.1.0",
		Info:     warc.Header{{Name: "isPartOf", Value: "example"}},
		// A fixed clock and counted IDs keep the output below stable; leave
		// them out to get the time and random UUIDs.
		Now: func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC) },
		NewRecordID: func() string {
			n++
			return fmt.Sprintf("<urn:uuid:00000000-0000-4000-8000-%012d>", n)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	body := []byte("<html><p>Hello</p></html>")
	for _, path := range []string{"/", "/index.html"} {
		res, err := w.WriteExchange(&warc.Exchange{
			URL:          "http://example.com" + path,
			IP:           "192.0.2.1",
			Request:      []byte("GET " + path + " HTTP/1.1\r\nHost: example.com\r\n\r\n"),
			ResponseHead: []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 25\r\n\r\n"),
			Body:         bytes.NewReader(body),
			BodyLen:      int64(len(body)),
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(res.File, path, "revisit:", res.Revisit)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	f, err := os.Open(w.Files()[0])
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r := warc.NewReader(f)
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		line := fmt.Sprintf("%-8s %-29s %s", rec.Type(), rec.Header.Get("WARC-Target-URI"), rec.Header.Get("WARC-Payload-Digest"))
		fmt.Println(strings.TrimSpace(line))
	}
	// Output:
	// crawl-00000.warc.gz / revisit: false
	// crawl-00000.warc.gz /index.html revisit: true
	// warcinfo
	// request  http://example.com/
	// response http://example.com/           sha1:5NOT7QMP64TWPLBYJLAT5XNNUYJMPX4N
	// request  http://example.com/index.html
	// revisit  http://example.com/index.html sha1:5NOT7QMP64TWPLBYJLAT5XNNUYJMPX4N
}
