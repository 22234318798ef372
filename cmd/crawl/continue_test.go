package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crawl-go/crawl/store"
)

// downloadServer serves one large file, as its mode says, and records the
// Range and If-Range of every request for it.
type downloadServer struct {
	mu     sync.Mutex
	mode   string // cut, honour, ignore, no-if-range
	body   []byte
	etag   string
	ranges []string
}

func (d *downloadServer) set(mode string, body []byte, etag string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mode, d.body, d.etag, d.ranges = mode, body, etag, nil
}

func (d *downloadServer) requests() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.ranges...)
}

func (d *downloadServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/big.bin" {
		http.NotFound(w, r)
		return
	}
	d.mu.Lock()
	mode, body, etag := d.mode, d.body, d.etag
	d.ranges = append(d.ranges, r.Header.Get("Range")+"|"+r.Header.Get("If-Range"))
	d.mu.Unlock()
	w.Header().Set("Etag", etag)
	w.Header().Set("Content-Type", "application/octet-stream")
	switch rg := r.Header.Get("Range"); {
	case mode == "cut":
		// Half the body, then the connection closes.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:len(body)/2])
	case mode == "honour":
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	case mode == "no-if-range" && rg != "":
		from, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"))
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, len(body)-1, len(body)))
		w.Header().Set("Content-Length", strconv.Itoa(len(body)-from))
		w.WriteHeader(http.StatusPartialContent)
		w.Write(body[from:])
	default: // ignore: the whole body, whatever the Range
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}
}

// TestContinue cuts a large download off half-way (the connection
// closes), then runs the same command with -c against a server that
// honours the range, one that ignores it, one whose file changed, and one
// that honours ranges but not If-Range: each time the file is the
// server's whole body, its digest in the manifest is of the whole body,
// and the second run asked for the rest from where the partial ends.
func TestContinue(t *testing.T) {
	body := bigBody(9 << 20) // more than fetch.DefaultSpillThreshold: spilled to a file
	changed := bigBody(10 << 20)[7:]
	half := strconv.Itoa(len(body) / 2)
	tests := []struct {
		name   string
		flag   string
		mode   string
		body   []byte
		etag   string
		status int
		ranges []string // Range|If-Range of the second run's requests
	}{
		{"range honoured", "-c", "honour", body, `"v1"`, 206, []string{"bytes=" + half + `-|"v1"`}},
		{"curl's -C -", "-C-", "honour", body, `"v1"`, 206, []string{"bytes=" + half + `-|"v1"`}},
		{"range ignored", "--continue", "ignore", body, `"v1"`, 200, []string{"bytes=" + half + `-|"v1"`}},
		{"changed ETag", "-c", "honour", changed, `"v2"`, 200, []string{"bytes=" + half + `-|"v1"`}},
		{"changed ETag, If-Range ignored", "-c", "no-if-range", changed, `"v2"`, 200, []string{"bytes=" + half + `-|"v1"`, "|"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := &downloadServer{}
			srv := httptest.NewServer(ds)
			defer srv.Close()
			out := t.TempDir()
			args := []string{"--robots=off", "--retries", "0", "-o", out, srv.URL + "/big.bin"}

			ds.set("cut", body, `"v1"`)
			var stderr bytes.Buffer
			if code := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr); code != exitFailures {
				t.Fatalf("cut run: exit %d: %s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), "1 partial download (4.5 MiB) kept in") || !strings.Contains(stderr.String(), "with -c to continue") {
				t.Errorf("the cut run does not say it kept the partial download:\n%s", stderr.String())
			}
			partials, _ := store.Partials(out)
			if len(partials) != 1 || partials[0].Size != int64(len(body)/2) {
				t.Fatalf("partial downloads %+v; want one of %d bytes", partials, len(body)/2)
			}

			ds.set(tt.mode, tt.body, tt.etag)
			stderr.Reset()
			if code := run(context.Background(), append([]string{tt.flag}, args...), nil, &bytes.Buffer{}, &stderr); code != exitOK {
				t.Fatalf("%s run: exit %d: %s", tt.flag, code, stderr.String())
			}
			if got := ds.requests(); strings.Join(got, " ") != strings.Join(tt.ranges, " ") {
				t.Errorf("requests (Range|If-Range) %q; want %q", got, tt.ranges)
			}
			got, err := os.ReadFile(filepath.Join(hostDir(out, srv), "big.bin"))
			if err != nil || !bytes.Equal(got, tt.body) {
				t.Fatalf("big.bin: %d bytes, %v; want the server's %d", len(got), err, len(tt.body))
			}
			rec := readManifest(t, out)[srv.URL+"/big.bin"]
			sum := sha256.Sum256(tt.body)
			if rec.SHA256 != hex.EncodeToString(sum[:]) || rec.Bytes != int64(len(tt.body)) || rec.Status != tt.status || rec.Error != "" {
				t.Errorf("line %+v; want the whole body's digest and length, status %d", rec, tt.status)
			}
			if partials, _ := store.Partials(out); len(partials) > 0 {
				t.Errorf("partial downloads left: %+v", partials)
			}
		})
	}
}

// TestContinueNotAsked: without -c, the same command run again fetches
// the download that was cut (a connection failure is tried again) from
// its start, as wget without -c does, and drops the partial download.
func TestContinueNotAsked(t *testing.T) {
	ds := &downloadServer{}
	srv := httptest.NewServer(ds)
	defer srv.Close()
	out := t.TempDir()
	args := []string{"--robots=off", "--retries", "0", "-o", out, srv.URL + "/big.bin"}
	body := bigBody(9 << 20)
	ds.set("cut", body, `"v1"`)
	run(context.Background(), args, nil, &bytes.Buffer{}, &bytes.Buffer{})
	ds.set("honour", body, `"v1"`) // and forgets the requests
	var stderr bytes.Buffer
	if code := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr); code != exitOK || !strings.Contains(stderr.String(), "trying again 1 URL") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got := ds.requests(); len(got) != 1 || strings.Contains(got[0], "bytes=") {
		t.Errorf("requests (Range|If-Range) %q; want one, without a range", got)
	}
	if got, err := os.ReadFile(filepath.Join(hostDir(out, srv), "big.bin")); err != nil || !bytes.Equal(got, body) {
		t.Errorf("big.bin: %d bytes, %v; want the server's %d", len(got), err, len(body))
	}
	if partials, _ := store.Partials(out); len(partials) != 0 {
		t.Errorf("partial downloads %+v; want none left", partials)
	}
}

// TestContinueExtend: a crawl run again with other settings and -c
// fetches again the URL whose download failed with a partial download
// kept, and continues it; without -c its failure would stand.
func TestContinueExtend(t *testing.T) {
	ds := &downloadServer{}
	mux := http.NewServeMux()
	mux.Handle("/big.bin", ds)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<a href="/big.bin">big</a> <a href="/other.html">other</a>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	out := t.TempDir()
	body := bigBody(9 << 20)
	ds.set("cut", body, `"v1"`)
	base := []string{"-q", "--robots=off", "--retries", "0", "-o", out}
	if code := run(context.Background(), append(base, "--depth", "1", srv.URL+"/"), nil, &bytes.Buffer{}, &bytes.Buffer{}); code != exitFailures {
		t.Fatalf("cut run: exit %d", code)
	}
	ds.set("honour", body, `"v1"`)
	var stderr bytes.Buffer
	if code := run(context.Background(), append(base, "-c", "--depth", "2", srv.URL+"/"), nil, &bytes.Buffer{}, &stderr); code != exitOK {
		t.Fatalf("-c run: exit %d: %s", code, stderr.String())
	}
	if got := ds.requests(); len(got) != 1 || got[0] != "bytes="+strconv.Itoa(len(body)/2)+`-|"v1"` {
		t.Errorf("requests %q; want one for the second half", got)
	}
	if got, _ := os.ReadFile(filepath.Join(hostDir(out, srv), "big.bin")); !bytes.Equal(got, body) {
		t.Errorf("big.bin: %d bytes; want the %d of the body", len(got), len(body))
	}
}
