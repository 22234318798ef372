package fetch_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/crawl-go/crawl/fetch"
)

func ExampleFetcher_Get() {
	mux := http.NewServeMux()
	mux.Handle("/old", http.RedirectHandler("/new", http.StatusMovedPermanently))
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<title>Hello</title>")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	f := fetch.New(fetch.Options{Retries: 3, Timeout: 30 * time.Second, MaxSize: 10 << 20, UserAgent: "crawl/dev"})
	defer f.CloseIdleConnections()

	res, err := f.Get(context.Background(), srv.URL+"/old")
	if err != nil {
		fmt.Println(fetch.ErrorKind(err), err)
		return
	}
	defer res.Body.Release()
	fmt.Println(res.Status, res.ContentType)
	fmt.Println("redirects:", len(res.Redirects), "attempts:", res.Attempts)
	fmt.Printf("%d bytes: %s\n", res.Body.Len(), res.Body.Bytes())
	// Output:
	// 200 text/html; charset=utf-8
	// redirects: 1 attempts: 1
	// 20 bytes: <title>Hello</title>
}

func ExampleErrorKind() {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "try later", http.StatusServiceUnavailable)
	}))
	defer srv.Close()

	f := fetch.New(fetch.Options{Retries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	defer f.CloseIdleConnections()

	// A failed Get still describes what happened, for the manifest.
	res, err := f.Get(context.Background(), srv.URL)
	fmt.Println(fetch.ErrorKind(err), res.Status, res.Attempts, calls.Load())
	// Output: http_5xx 503 3 3
}
