package fetch_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/crawl-go/crawl/fetch"
)

// A download cut off half-way is kept as a partial download, and a later
// fetch asks for the rest of it only.
func ExampleRequest_resume() {
	body := []byte(strings.Repeat("0123456789", 300))
	var cut atomic.Bool
	cut.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Etag", `"v1"`)
		if cut.Load() {
			// Half the body, then the connection closes.
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body[:1000])
			return
		}
		fmt.Println("asked for", r.Header.Get("Range"), "if", r.Header.Get("If-Range"))
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	}))
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "crawl-example")
	defer os.RemoveAll(dir)

	// Bodies over 512 bytes go to files, which can be continued.
	f := fetch.New(fetch.Options{SpillThreshold: 512, TempFile: func() (*os.File, error) { return os.CreateTemp(dir, "body-") }})
	defer f.CloseIdleConnections()
	res, err := f.Get(context.Background(), srv.URL)
	fmt.Println(err != nil, "kept:", res.Partial != nil)

	cut.Store(false)
	res, err = f.Do(context.Background(), fetch.Request{URL: srv.URL, Resume: res.Partial})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Release()
	fmt.Println(res.Status, res.Body.Len(), "bytes")
	// Output:
	// true kept: true
	// asked for bytes=1000- if "v1"
	// 206 3000 bytes
}
