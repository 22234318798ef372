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
