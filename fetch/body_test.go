package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/crawl-go/crawl/outcome"
)

// serveBody writes data, with a Content-Length header or, when chunked,
// in pieces flushed one by one so that the length is not known up front.
func serveBody(data []byte, chunked bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !chunked {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.Write(data)
			return
		}
		for p := data; len(p) > 0; {
			n := min(len(p), 700)
			w.Write(p[:n])
			w.(http.Flusher).Flush()
			p = p[n:]
		}
	}
}

func TestMaxSize(t *testing.T) {
	const limit = 4000
	tests := []struct {
		name    string
		size    int
		chunked bool
		spillAt int64 // 0: no spilling
		tooBig  bool
	}{
		{name: "under, length known", size: limit - 1},
		{name: "exactly, length known", size: limit},
		{name: "over by one, length known", size: limit + 1, tooBig: true},
		{name: "under, chunked", size: limit - 1, chunked: true},
		{name: "exactly, chunked", size: limit, chunked: true},
		{name: "over by one, chunked", size: limit + 1, chunked: true, tooBig: true},
		{name: "far over, chunked", size: 10 * limit, chunked: true, tooBig: true},
		{name: "over, length known, spilling", size: 2 * limit, spillAt: 100, tooBig: true},
		{name: "over after spilling, chunked", size: 2 * limit, chunked: true, spillAt: 100, tooBig: true},
		{name: "exactly, spilled", size: limit, chunked: true, spillAt: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := payload(tt.size)
			srv := newServer(t, serveBody(data, tt.chunked))
			dir := t.TempDir()
			opts := Options{Retries: 2, MaxSize: limit}
			if tt.spillAt > 0 {
				opts.SpillThreshold, opts.TempFile = tt.spillAt, tempFileIn(dir)
			}
			f := newFetcher(t, opts)
			res, err := f.Get(context.Background(), srv.URL)
			if tt.tooBig {
				if !errors.Is(err, ErrTooLarge) || ErrorKind(err) != outcome.TooLarge {
					t.Fatalf("err = %v (kind %q), want ErrTooLarge", err, ErrorKind(err))
				}
				if res.Body != nil || res.Attempts != 1 || res.Status != 200 {
					t.Fatalf("Body = %v, Attempts = %d, Status = %d, want nil, 1 and 200", res.Body, res.Attempts, res.Status)
				}
				if names := dirEntries(t, dir); len(names) != 0 {
					t.Fatalf("files left behind: %q", names)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkBody(t, res.Body, data, tt.spillAt > 0)
			res.Body.Release()
			if names := dirEntries(t, dir); len(names) != 0 {
				t.Fatalf("files left behind after Release: %q", names)
			}
		})
	}
}

// TestMaxSizeNotRead proves that a Content-Length over the limit fails
// without reading: the server sends a little and then waits for the client to
// hang up, so a read would block the test.
func TestMaxSizeNotRead(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		w.Write([]byte("start"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	f := newFetcher(t, Options{MaxSize: 1000})
	_, err := f.Get(context.Background(), srv.URL)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestGzip(t *testing.T) {
	data := bytes.Repeat([]byte("<p>compressible</p>\n"), 500) // 10000 bytes
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(data)
	zw.Close()
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			http.Error(w, "want gzip", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(zipped.Len()))
		w.Write(zipped.Bytes())
	}))
	tests := []struct {
		maxSize int64
		tooBig  bool
	}{
		{maxSize: 0},
		{maxSize: int64(len(data))},
		{maxSize: int64(len(data)) - 1, tooBig: true},
		{maxSize: int64(zipped.Len()) + 1, tooBig: true}, // the compressed size fits, the page does not
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("max ", tt.maxSize), func(t *testing.T) {
			f := newFetcher(t, Options{MaxSize: tt.maxSize})
			res, err := f.Get(context.Background(), srv.URL)
			if tt.tooBig {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("err = %v, want ErrTooLarge", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Release()
			checkBody(t, res.Body, data, false)
		})
	}
}

func TestSpill(t *testing.T) {
	tests := []struct {
		name     string
		size     int
		chunked  bool
		spillAt  int64
		tempFile bool
		spilled  bool
	}{
		{name: "length known", size: 50000, spillAt: 1000, tempFile: true, spilled: true},
		{name: "chunked", size: 50000, chunked: true, spillAt: 1000, tempFile: true, spilled: true},
		{name: "at the threshold", size: 1000, spillAt: 1000, tempFile: true},
		{name: "at the threshold, chunked", size: 1000, chunked: true, spillAt: 1000, tempFile: true},
		{name: "one over, chunked", size: 1001, chunked: true, spillAt: 1000, tempFile: true, spilled: true},
		{name: "no TempFile", size: 50000, spillAt: 1000},
		{name: "empty", size: 0, spillAt: 1000, tempFile: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := payload(tt.size)
			srv := newServer(t, serveBody(data, tt.chunked))
			dir := t.TempDir()
			opts := Options{SpillThreshold: tt.spillAt}
			if tt.tempFile {
				opts.TempFile = tempFileIn(dir)
			}
			f := newFetcher(t, opts)
			res, err := f.Get(context.Background(), srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			checkBody(t, res.Body, data, tt.spilled)
			if n := len(dirEntries(t, dir)); (n == 1) != tt.spilled {
				t.Fatalf("%d files in the temp dir, spilled = %v", n, tt.spilled)
			}
			res.Body.Release()
			res.Body.Release() // harmless
			if names := dirEntries(t, dir); len(names) != 0 {
				t.Fatalf("files left after Release: %q", names)
			}
			if res.Body.Bytes() != nil || res.Body.File() != nil {
				t.Fatal("Bytes or File still set after Release")
			}
		})
	}
}

func TestTakeFile(t *testing.T) {
	data := payload(20000)
	srv := newServer(t, serveBody(data, true))
	dir := t.TempDir()
	f := newFetcher(t, Options{SpillThreshold: 1000, TempFile: tempFileIn(dir)})
	res, err := f.Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	file := res.Body.TakeFile()
	if file == nil {
		t.Fatal("TakeFile = nil for a spilled body")
	}
	res.Body.Release()
	defer file.Close()
	got, err := os.ReadFile(file.Name())
	if err != nil {
		t.Fatalf("the taken file is gone after Release: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("the taken file does not hold the body")
	}
}

func TestTakeFileInMemory(t *testing.T) {
	srv := newServer(t, serveBody([]byte("small"), false))
	f := newFetcher(t, Options{TempFile: tempFileIn(t.TempDir())})
	res, err := f.Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Release()
	if file := res.Body.TakeFile(); file != nil {
		t.Fatalf("TakeFile = %s, want nil for a body in memory", file.Name())
	}
	checkBody(t, res.Body, []byte("small"), false)
}

func TestTempFileError(t *testing.T) {
	srv := newServer(t, serveBody(payload(5000), true))
	boom := errors.New("disk full")
	f := newFetcher(t, Options{SpillThreshold: 100, TempFile: func() (*os.File, error) { return nil, boom }})
	res, err := f.Get(context.Background(), srv.URL)
	if !errors.Is(err, boom) || res.Body != nil {
		t.Fatalf("err = %v, Body = %v, want %v and nil", err, res.Body, boom)
	}
}

// resetServer serves data, but its first resets requests hang up after
// half the body: with a TCP reset if rst, else with a plain close.
func resetServer(t *testing.T, data []byte, resets int, rst bool) (*httptest.Server, *atomic.Int32) {
	var served atomic.Int32
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := int(served.Add(1)); resets >= 0 && n > resets {
			w.Write(data)
			return
		}
		conn, bw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		fmt.Fprintf(bw, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: text/plain\r\n\r\n", len(data))
		bw.Write(data[:len(data)/2])
		bw.Flush()
		if rst {
			conn.(*net.TCPConn).SetLinger(0)
		}
	}))
	return srv, &served
}

func TestResetMidBody(t *testing.T) {
	data := payload(64 << 10)
	tests := []struct {
		name         string
		resets       int // -1: always
		rst          bool
		retries      int
		wantAttempts int
		wantErr      bool
	}{
		{name: "closed once", resets: 1, retries: 2, wantAttempts: 2},
		{name: "reset once", resets: 1, rst: true, retries: 2, wantAttempts: 2},
		{name: "closed twice", resets: 2, retries: 2, wantAttempts: 3},
		{name: "always closed", resets: -1, retries: 2, wantAttempts: 3, wantErr: true},
		{name: "always reset", resets: -1, rst: true, retries: 1, wantAttempts: 2, wantErr: true},
		{name: "no retries", resets: 1, retries: 0, wantAttempts: 1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, served := resetServer(t, data, tt.resets, tt.rst)
			f := newFetcher(t, Options{Retries: tt.retries})
			res, err := f.Get(context.Background(), srv.URL)
			if res.Attempts != tt.wantAttempts || int(served.Load()) != tt.wantAttempts {
				t.Errorf("Attempts = %d, served %d, want %d", res.Attempts, served.Load(), tt.wantAttempts)
			}
			if tt.wantErr {
				if got := ErrorKind(err); got != outcome.Connection {
					t.Fatalf("ErrorKind(%v) = %q, want %q", err, got, outcome.Connection)
				}
				if res.Body != nil {
					t.Fatal("Body is set on error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Release()
			checkBody(t, res.Body, data, false)
		})
	}
}

// TestSpillWriteError: a spill file that cannot be written (a full disk, a
// file size limit) is this machine's failure, not the server's: the body
// is not asked for again, and the error is labelled store.
func TestSpillWriteError(t *testing.T) {
	var requests atomic.Int32
	data := payload(50000)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		serveBody(data, true).ServeHTTP(w, r)
	}))
	dir := t.TempDir()
	readOnly := func() (*os.File, error) {
		f, err := os.CreateTemp(dir, "spill-*")
		if err != nil {
			return nil, err
		}
		f.Close()
		return os.Open(f.Name()) // every Write fails
	}
	f := newFetcher(t, Options{SpillThreshold: 1000, TempFile: readOnly, Retries: 3})
	res, err := f.Get(context.Background(), srv.URL)
	if err == nil {
		res.Body.Release()
		t.Fatal("Get succeeded with a spill file that cannot be written")
	}
	if !errors.Is(err, ErrLocal) || ErrorKind(err) != outcome.Store {
		t.Errorf("err = %v (kind %s); want ErrLocal, kind store", err, ErrorKind(err))
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests; want 1: a local failure is not retried", n)
	}
}
