package fetch

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestRemoteIPAndTTFB fetches from a server that waits before the final
// response's first byte: the response names the server's address, and
// its TTFB is at least that wait, for the final hop of a redirect too.
func TestRemoteIPAndTTFB(t *testing.T) {
	const delay = 30 * time.Millisecond
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hop":
			http.Redirect(w, r, "/slow", http.StatusFound)
		case "/slow":
			time.Sleep(delay) // bounded: the first byte comes after it
			w.Write([]byte("body"))
		default:
			http.NotFound(w, r)
		}
	}))
	for _, tt := range []struct {
		path    string
		wantErr bool
	}{{"/slow", false}, {"/hop", false}, {"/missing", true}} {
		t.Run(tt.path, func(t *testing.T) {
			for _, capture := range []bool{false, true} {
				f := newFetcher(t, Options{Transport: NewTransportWith(TransportOptions{Conns: 1, Capture: capture}), KeepExchange: capture})
				resp, err := f.Get(context.Background(), srv.URL+tt.path)
				if (err != nil) != tt.wantErr {
					t.Fatalf("capture %v: error %v", capture, err)
				}
				resp.Body.Release()
				resp.ReleaseExchanges()
				if resp.RemoteIP != "127.0.0.1" {
					t.Errorf("capture %v: RemoteIP %q; want 127.0.0.1", capture, resp.RemoteIP)
				}
				if tt.wantErr {
					if resp.TTFB <= 0 {
						t.Errorf("capture %v: TTFB %v of the 404; want more than 0", capture, resp.TTFB)
					}
				} else if resp.TTFB < delay {
					t.Errorf("capture %v: TTFB %v; want at least %v", capture, resp.TTFB, delay)
				}
			}
		})
	}
	// No response: nothing to report.
	f := newFetcher(t, Options{})
	resp, err := f.Get(context.Background(), "http://127.0.0.1:1/")
	if err == nil || resp.RemoteIP != "" || resp.TTFB != 0 {
		t.Errorf("connection refused: err %v, RemoteIP %q, TTFB %v", err, resp.RemoteIP, resp.TTFB)
	}
}
