package crawl

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/ratelimit"
)

// TestHostileFixture crawls a server that misbehaves in every way the
// hostile web does, and checks what each case costs: requests made, the
// manifest line, and the file written (or not). With -v it prints the
// table that the closing note of the politeness issue quotes.
func TestHostileFixture(t *testing.T) {
	var flap, storm atomic.Int32
	// The 429 storm has a server of its own: the adaptive throttle slows
	// the host that answers 429, and the other cases need not wait.
	stormSrv, stormHits := serveSite(t, map[string]http.HandlerFunc{
		"/storm": func(w http.ResponseWriter, r *http.Request) {
			storm.Add(1)
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		},
	})
	bomb := gzipped(bytes.Repeat([]byte{0}, 8<<20)) // 8 MiB of zeros in ~8 KiB
	cases := map[string]http.HandlerFunc{
		"/huge": func(w http.ResponseWriter, r *http.Request) {
			for range 192 { // 6 MiB, no Content-Length
				w.Write(bytes.Repeat([]byte("x"), 32<<10))
			}
		},
		"/bomb": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb)
		},
		"/truncated-gzip": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			g := gzipped([]byte(strings.Repeat("hello ", 1000)))
			w.Write(g[:len(g)/2])
		},
		"/wrong-length": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte("short"))
		},
		"/reset": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
		},
		"/drip": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			for range 100 { // one byte every 5 s: the idle timeout is 3 s
				w.Write([]byte("x"))
				w.(http.Flusher).Flush()
				select {
				case <-time.After(5 * time.Second):
				case <-r.Context().Done():
					return
				}
			}
		},
		"/never": func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
		"/flap": func(w http.ResponseWriter, r *http.Request) {
			if flap.Add(1) <= 2 {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			fmt.Fprint(w, "up again")
		},
		"/loop": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop2", http.StatusFound) },
		"/loop2": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/loop", http.StatusFound)
		},
		"/chain/": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound) // endless, never repeating
		},
		"/to-ftp": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "ftp://example.test/file", http.StatusFound)
		},
		"/nested": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, strings.Repeat("<div>", 100000), `<a href="/nested-ok">deep link</a>`)
		},
		"/links": func(w http.ResponseWriter, r *http.Request) {
			for i := range 120000 {
				fmt.Fprintf(w, "<a href=\"/many/%d\">%d</a>", i, i)
			}
		},
		"/invalid-utf8": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<a href=\"/bad\xff\xfe.html\">x</a>"))
		},
		"/evil-name": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Disposition", `attachment; filename="../../../../tmp/evil.sh"`)
			fmt.Fprint(w, "#!/bin/sh")
		},
		"/escape": func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "dots") },
		"/start": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "<a href=\"%s/storm\">storm</a>\n", stormSrv.URL)
			for _, p := range []string{"/huge", "/bomb", "/truncated-gzip", "/wrong-length", "/reset", "/drip", "/never",
				"/flap", "/storm", "/loop", "/chain/", "/to-ftp", "/nested", "/links", "/invalid-utf8", "/evil-name",
				"/%2e%2e/%2e%2e/escape", "/a%2Fb%00c"} {
				fmt.Fprintf(w, "<a href=\"%s\">%s</a>\n", p, p)
			}
		},
	}
	srv, hits := serveSite(t, cases)
	cfg := testConfig(t, srv.URL+"/start")
	cfg.Depth = 1
	cfg.Workers = 8
	cfg.Fetch.MaxSize = 4 << 20
	cfg.Fetch.Timeout = 5 * time.Second
	// 3 s: long enough that a loaded machine (CI under -race, with other
	// work) does not turn slow answers into timeouts, short enough to
	// keep the test under 15 s.
	cfg.ReadTimeout = 3 * time.Second
	cfg.ContentDisposition = true
	cfg.RateLimit = ratelimit.Options{Adaptive: true, MaxPause: 10 * time.Millisecond}
	start := time.Now()
	sum, recs := crawlT(t, cfg)
	elapsed := time.Since(start)

	want := map[string]outcome.Kind{ // path -> error kind ("" = saved)
		"/huge": "too_large", "/bomb": "too_large", "/truncated-gzip": "connection", "/wrong-length": "connection",
		"/reset": "connection", "/drip": "timeout", "/never": "timeout", "/flap": "", "/storm": "http_4xx",
		"/loop": "redirects", "/chain/": "redirects", "/to-ftp": "redirects", "/nested": "", "/links": "",
		"/invalid-utf8": "", "/evil-name": "", "/escape": "", "/a%2Fb%00c": "http_4xx",
	}
	var table []string
	for p, kind := range want {
		base, h := srv.URL, hits
		if p == "/storm" {
			base, h = stormSrv.URL, stormHits
		}
		r := recs[base+p]
		if r == nil {
			t.Errorf("%s: no manifest line", p)
			continue
		}
		if r.ErrorKind != kind || (kind == "") != (r.Path != "") {
			t.Errorf("%s: kind %q, path %q; want kind %q", p, r.ErrorKind, r.Path, kind)
		}
		if r.Path != "" {
			abs, err := filepath.Abs(filepath.Join(cfg.OutDir, filepath.FromSlash(r.Path)))
			if err != nil || !strings.HasPrefix(abs, cfg.OutDir+string(filepath.Separator)) {
				t.Errorf("%s saved outside the output directory: %s", p, r.Path)
			}
		}
		saved := "-"
		if r.Path != "" {
			saved = r.Path[strings.Index(r.Path, "/"):]
		}
		table = append(table, fmt.Sprintf("| %s | %d | %d | %s | %s |", p, h.get(p), r.Attempts, orDash(r.ErrorKind), saved))
	}
	slices.Sort(table)
	t.Logf("%d manifest lines, %d fetched, %d failed, %v\n| case | requests | attempts | error_kind | file |\n|---|---|---|---|---|\n%s",
		len(recs), sum.OK, sum.Failed, elapsed.Round(time.Millisecond), strings.Join(table, "\n"))

	if _, err := os.Stat("/tmp/evil.sh"); err == nil {
		t.Error("a Content-Disposition name escaped to /tmp")
	}
	// One attempt, unless a hop timed out on a loaded machine (3 s read
	// timeout) and the attempt was retried: a redirect error never is.
	if r := recs[srv.URL+"/chain/"]; r == nil || hits.get("/chain/") != r.Attempts || r.ErrorKind != "redirects" {
		t.Errorf("the endless redirect chain made %d first requests: %+v", hits.get("/chain/"), r)
	}
	if recs[srv.URL+"/nested-ok"] != nil || recs[srv.URL+"/many/0"] != nil {
		t.Error("links at depth 2 were followed")
	}
	if n := storm.Load(); n > 3 {
		t.Errorf("the 429 storm got %d requests; want at most 3 (retries 2)", n)
	}
}

func orDash[S ~string](s S) S {
	if s == "" {
		return "-"
	}
	return s
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
