package fetch

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTransfers reads a large body that stops half-way until the test has
// seen it listed, and small bodies that are never listed.
func TestTransfers(t *testing.T) {
	body := payload(3 << 20)
	release := make(chan struct{})
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			w.Write(body[:1000])
		case "/chunked":
			// No Content-Length: listed once past MinTransfer.
			w.Write(body[:MinTransfer+1000])
			w.(http.Flusher).Flush()
			<-release
			w.Write(body[MinTransfer+1000:])
		default:
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
			<-release
			w.Write(body[len(body)/2:])
		}
	}))
	var ts Transfers
	f := newFetcher(t, Options{Transfers: &ts, SpillThreshold: 1 << 20, TempFile: tempFileIn(t.TempDir())})
	for _, tt := range []struct {
		path  string
		total int64
		seen  int64 // bytes received at least, once listed
	}{
		{"/big", int64(len(body)), int64(len(body) / 2)},
		{"/chunked", -1, MinTransfer + 1000},
	} {
		t.Run(tt.path, func(t *testing.T) {
			done := make(chan *Response)
			go func() {
				resp, err := f.Get(context.Background(), srv.URL+tt.path)
				if err != nil {
					t.Error(err)
				}
				done <- resp
			}()
			var got Transfer
			deadline := time.Now().Add(20 * time.Second)
			for time.Now().Before(deadline) {
				if s := ts.Snapshot(); len(s) == 1 && s[0].Received >= tt.seen {
					got = s[0]
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			release <- struct{}{}
			resp := <-done
			resp.Body.Release()
			if got.URL != srv.URL+tt.path || got.Total != tt.total || got.Received < tt.seen || got.Received > int64(len(body)) {
				t.Errorf("listed %+v; want %s with %d of %d bytes or more", got, tt.path, tt.seen, tt.total)
			}
			if s := ts.Snapshot(); len(s) != 0 {
				t.Errorf("still listed once read: %+v", s)
			}
		})
	}
	resp, err := f.Get(context.Background(), srv.URL+"/small")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Release()
	if s := ts.Snapshot(); len(s) != 0 || ts.seq != 2 {
		t.Errorf("a small body was listed: %+v, %d listed in all", s, ts.seq)
	}
}

func TestTransfersOrder(t *testing.T) {
	var ts Transfers
	a := ts.start("a", 10<<20, 0, 0)
	b := ts.start("b", -1, 0, 20<<20)
	c := ts.start("c", 30<<20, 0, 0)
	d := ts.start("d", 10<<20, 0, 0)
	defer func() {
		for _, tr := range []*transfer{a, b, c, d} {
			ts.end(tr)
		}
	}()
	var got []string
	for _, t := range ts.Snapshot() {
		got = append(got, t.URL)
	}
	if want := "c b a d"; strings.Join(got, " ") != want {
		t.Errorf("order %v; want %s", got, want)
	}
	if (*Transfers)(nil).Snapshot() != nil {
		t.Error("a nil Transfers lists something")
	}
}
