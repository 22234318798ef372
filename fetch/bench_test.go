package fetch

import (
	"context"
	"net/http"
	"strconv"
	"testing"
)

// BenchmarkGet measures the per-request overhead of Get over loopback for a
// typical 25 KB page: retry machinery, hashing and the pooled buffer.
func BenchmarkGet(b *testing.B) {
	for _, tt := range []struct {
		name    string
		chunked bool
	}{
		{name: "content-length"},
		{name: "chunked", chunked: true},
	} {
		b.Run(tt.name, func(b *testing.B) {
			page := payload(25 << 10)
			srv := newServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !tt.chunked {
					w.Header().Set("Content-Length", strconv.Itoa(len(page)))
				}
				w.Header().Set("Content-Type", "text/html")
				w.Write(page)
			}))
			f := newFetcher(b, Options{Retries: 3, MaxSize: 10 << 20})
			ctx := context.Background()
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				res, err := f.Get(ctx, srv.URL)
				if err != nil {
					b.Fatal(err)
				}
				if res.Body.Len() != int64(len(page)) {
					b.Fatalf("Len = %d", res.Body.Len())
				}
				res.Body.Release()
			}
		})
	}
}

// BenchmarkGetCapture compares a Get of a 25 KB page with and without
// the wire capture of an archived crawl (KeepExchange over a capturing
// transport): the cost of recording the request and the response, and of
// releasing them.
func BenchmarkGetCapture(b *testing.B) {
	page := payload(25 << 10)
	srv := newServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		w.Header().Set("Content-Type", "text/html")
		w.Write(page)
	}))
	for _, capture := range []bool{false, true} {
		b.Run("capture="+strconv.FormatBool(capture), func(b *testing.B) {
			opts := Options{Retries: 3, MaxSize: 10 << 20, KeepExchange: capture,
				Transport: NewTransportWith(TransportOptions{Conns: 4, Capture: capture})}
			f := newFetcher(b, opts)
			ctx := context.Background()
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				res, err := f.Get(ctx, srv.URL)
				if err != nil {
					b.Fatal(err)
				}
				res.Body.Release()
				res.ReleaseExchanges()
			}
		})
	}
}
