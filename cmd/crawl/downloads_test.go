package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crawl-go/crawl/store"
)

// bigBody returns n deterministic bytes.
func bigBody(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// hostDir returns the host folder of srv under out.
func hostDir(out string, srv *httptest.Server) string {
	return filepath.Join(out, strings.ReplaceAll(strings.TrimPrefix(srv.URL, "http://"), ":", "_"))
}

// TestLimitRateFlag downloads through --limit-rate (high enough not to
// slow the test; the bound itself is tested in package fetch on a fake
// clock): the file arrives whole.
func TestLimitRateFlag(t *testing.T) {
	body := bigBody(1 << 20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	out := t.TempDir()
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-q", "--robots=off", "--limit-rate", "500M", "-o", out, srv.URL + "/f.bin"}, nil, &bytes.Buffer{}, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	got, err := os.ReadFile(filepath.Join(hostDir(out, srv), "f.bin"))
	if err != nil || sha256.Sum256(got) != sha256.Sum256(body) {
		t.Errorf("f.bin: %d bytes, %v; want the %d bytes served", len(got), err, len(body))
	}
}

// readManifest returns the lines of out's manifest by URL.
func readManifest(t *testing.T, out string) map[string]*store.Record {
	t.Helper()
	f, err := os.Open(filepath.Join(out, store.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := map[string]*store.Record{}
	if err := store.ReadManifest(f, func(r *store.Record) error { lines[r.URL] = r; return nil }); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestManifestExtras checks the fields a scraper expects: the title of an
// HTML page (entities decoded, from its charset), the server's address,
// the time to the first byte of a server that waits before it, and with
// --save-headers the header fields, repeated ones in order.
func TestManifestExtras(t *testing.T) {
	const delay = 40 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/page":
			time.Sleep(delay) // bounded: before the first byte
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Add("X-Dup", "one")
			w.Header().Add("X-Dup", "two")
			w.Header().Add("Set-Cookie", "a=1")
			w.Header().Add("Set-Cookie", "b=2")
			fmt.Fprint(w, "<html><head><script>"+strings.Repeat("x", 8000)+"</script>\n<title>\n Caf&eacute; &amp; &lt;Bar&gt;  &#x1F600;\n</title></head><body><a href=/latin>l</a> <a href=/data.json>d</a></body></html>")
		case "/latin":
			w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
			fmt.Fprint(w, "<title>caf\xe9</title>")
		case "/data.json":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"title":"<title>no</title>"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	for _, save := range []bool{false, true} {
		t.Run(fmt.Sprintf("--save-headers=%v", save), func(t *testing.T) {
			out := t.TempDir()
			var stderr bytes.Buffer
			args := []string{"-q", "--robots=off", "--depth", "1", fmt.Sprintf("--save-headers=%v", save), "-o", out, srv.URL + "/page"}
			if code := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr); code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			lines := readManifest(t, out)
			page, latin, data := lines[srv.URL+"/page"], lines[srv.URL+"/latin"], lines[srv.URL+"/data.json"]
			if page == nil || latin == nil || data == nil {
				t.Fatalf("lines %v", lines)
			}
			if page.V != 3 {
				t.Errorf("v %d; want 3", page.V)
			}
			if want := "Café & <Bar> 😀"; page.Title != want {
				t.Errorf("title %q; want %q", page.Title, want)
			}
			if latin.Title != "café" || data.Title != "" {
				t.Errorf("titles %q and %q; want café and none", latin.Title, data.Title)
			}
			if page.IP != "127.0.0.1" {
				t.Errorf("ip %q", page.IP)
			}
			if page.TTFBMS < delay.Milliseconds() || page.TTFBMS > page.DurationMS+1 {
				t.Errorf("ttfb_ms %d; want at least %d, at most duration_ms %d", page.TTFBMS, delay.Milliseconds(), page.DurationMS)
			}
			if data.TTFBMS < 1 {
				t.Errorf("ttfb_ms %d of a fast response; want at least 1", data.TTFBMS)
			}
			if !save {
				if page.Headers != nil {
					t.Errorf("headers %v without --save-headers", page.Headers)
				}
				return
			}
			if got := page.Headers["X-Dup"]; !slices.Equal(got, []string{"one", "two"}) {
				t.Errorf("X-Dup %q; want one, two", got)
			}
			if got := page.Headers["Set-Cookie"]; !slices.Equal(got, []string{"a=1", "b=2"}) {
				t.Errorf("Set-Cookie %q; want a=1, b=2", got)
			}
			if got := page.Headers["Content-Type"]; !slices.Equal(got, []string{"text/html; charset=utf-8"}) {
				t.Errorf("Content-Type %q", got)
			}
		})
	}
}
