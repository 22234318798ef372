package fetch_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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

// With KeepExchange over a capturing transport, a Get keeps each hop's
// request and response as they went over the connection, for a WARC
// archive.
func ExampleOptions_keepExchange() {
	mux := http.NewServeMux()
	mux.Handle("/old", http.RedirectHandler("/new", http.StatusMovedPermanently))
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["x-lower-case"] = []string{"kept as sent"}
		io.WriteString(w, "hello")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tr := fetch.NewTransportWith(fetch.TransportOptions{Conns: 1, Capture: true})
	f := fetch.New(fetch.Options{Transport: tr, KeepExchange: true})
	defer f.CloseIdleConnections()

	res, err := f.Get(context.Background(), srv.URL+"/old")
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Body.Release()
	defer res.ReleaseExchanges()
	for _, ex := range res.Exchanges {
		raw := make([]byte, ex.Response.Len())
		ex.Response.ReadAt(raw, 0)
		line, _, _ := strings.Cut(string(ex.Request), "\r\n")
		fmt.Printf("%s -> %d, wire %v, lower-case header kept: %v\n", line, ex.Status, ex.Wire,
			strings.Contains(string(raw), "\r\nx-lower-case: kept as sent\r\n"))
	}
	// Output:
	// GET /old HTTP/1.1 -> 301, wire true, lower-case header kept: false
	// GET /new HTTP/1.1 -> 200, wire true, lower-case header kept: true
}
