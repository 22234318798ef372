package crawl

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crawl-go/crawl/internal/wiretest"
	"github.com/crawl-go/crawl/store/warc"
	"github.com/crawl-go/crawl/store/warc/cdxj"
)

func TestCrawlWARC(t *testing.T) {
	srv, served := serveSite(t, nil)
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 1
	cfg.WARC = filepath.Join(t.TempDir(), "site.warc.gz")
	cfg.NoMirror = true
	_, recs := crawlT(t, cfg)

	types := map[string]int{}
	bodies := map[string][]byte{}
	requested := map[string]int{} // the archived requests, by path
	for _, rec := range readWARC(t, filepath.Join(filepath.Dir(cfg.WARC), "site-00000.warc.gz")) {
		typ := rec.Header.Get("WARC-Type")
		types[typ]++
		if typ == "request" {
			requested[strings.TrimPrefix(rec.Header.Get("WARC-Target-URI"), srv.URL)]++
		}
		if typ == "response" {
			bodies[rec.Header.Get("WARC-Target-URI")] = rec.Block
		}
	}
	// Every request the site answered is archived, failures and redirect
	// hops included (nothing is retried here).
	exchanges := 0
	served.mu.Lock()
	for _, n := range served.n {
		exchanges += n
	}
	servedByPath := maps.Clone(served.n)
	served.mu.Unlock()
	for _, rec := range recs {
		if rec.Path != "" {
			t.Errorf("--no-mirror saved %s", rec.Path)
		}
	}
	if types["warcinfo"] != 1 || types["request"] != exchanges || types["response"]+types["revisit"] != exchanges {
		t.Errorf("records %v for %d exchanges: served %v, archived the requests of %v", types, exchanges, servedByPath, requested)
	}
	want, _ := os.ReadFile("testdata/site/about.html")
	got := bodies[srv.URL+"/about.html"]
	if !bytes.HasPrefix(got, []byte("HTTP/1.1 200 OK\r\n")) || !bytes.HasSuffix(got, want) {
		t.Errorf("about.html's response record does not hold its body:\n%.200s", got)
	}
}

// readRecord is a WARC record read whole, with its offset and the length
// of its gzip member.
type readRecord struct {
	Header         warc.Header
	Block          []byte
	Offset, Length int64
}

// readWARC reads every record of a WARC file.
func readWARC(t *testing.T, path string) []readRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	r := warc.NewReader(f)
	var recs []readRecord
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		block, err := io.ReadAll(rec.Block)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(recs); n > 0 {
			recs[n-1].Length = rec.Offset - recs[n-1].Offset
		}
		recs = append(recs, readRecord{Header: append(warc.Header(nil), rec.Header...), Block: block, Offset: rec.Offset})
	}
	if n := len(recs); n > 0 {
		recs[n-1].Length = st.Size() - recs[n-1].Offset
	}
	return recs
}

func gzipString(s string) string {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write([]byte(s))
	z.Close()
	return b.String()
}

// wireSite is a site served byte by byte: odd header case and order,
// repeated fields, a chunked and a gzipped body, a 404, a 500 that is
// retried, a three-hop redirect and a page that answers 304 to a
// conditional request.
func wireSite(t *testing.T) *wiretest.Server {
	page := func(title string) string {
		return "<!doctype html><title>" + title + "</title><p>" + strings.Repeat(title+" ", 30) + "</p>\n"
	}
	fixed := func(status string, header []string, body string) wiretest.Route {
		return func(*http.Request, int) ([][]byte, bool) {
			return [][]byte{wiretest.Response(status, header, body)}, false
		}
	}
	withLength := func(h []string, body string) []string { return append(h, "Content-Length: "+strconv.Itoa(len(body))) }
	gz := gzipString(page("gzipped"))
	return wiretest.New(t, map[string]wiretest.Route{
		"/robots.txt": fixed("HTTP/1.1 200 OK", withLength([]string{"content-type: text/plain"}, "User-agent: *\nAllow: /\n"), "User-agent: *\nAllow: /\n"),
		"/odd": fixed("HTTP/1.1 200 Okay Then", withLength([]string{"x-LOWER-upper: 1", "Content-TYPE: text/html; charset=utf-8",
			"Set-Cookie: a=1; Path=/", "X-Repeat: one", "Set-Cookie: b=2; Path=/", "X-Repeat: two", "server:   spaced  "}, page("odd")), page("odd")),
		"/chunked": func(*http.Request, int) ([][]byte, bool) {
			resp := wiretest.Response("HTTP/1.1 200 OK", []string{"Content-Type: text/html", "Transfer-Encoding: chunked"},
				wiretest.Chunked(page("chunked"), 5, 50))
			return [][]byte{resp[:70], resp[70:]}, false
		},
		"/gzip":    fixed("HTTP/1.1 200 OK", withLength([]string{"Content-Type: text/html", "Content-Encoding: gzip", "Vary: Accept-Encoding"}, gz), gz),
		"/missing": fixed("HTTP/1.1 404 Not Found", withLength([]string{"Content-Type: text/html"}, page("not found")), page("not found")),
		"/broken": func(_ *http.Request, n int) ([][]byte, bool) {
			body := page("broken, attempt " + strconv.Itoa(n))
			return [][]byte{wiretest.Response("HTTP/1.1 500 Internal Server Error", withLength([]string{"Content-Type: text/html"}, body), body)}, false
		},
		"/r1":     fixed("HTTP/1.1 301 Moved Permanently", withLength([]string{"Location: /r2"}, "to r2"), "to r2"),
		"/r2":     fixed("HTTP/1.1 302 Found", withLength([]string{"location: /r3"}, "to r3"), "to r3"),
		"/r3":     fixed("HTTP/1.1 307 Temporary Redirect", withLength([]string{"LOCATION: /landed"}, ""), ""),
		"/landed": fixed("HTTP/1.1 200 OK", withLength([]string{"Content-Type: text/html"}, page("landed")), page("landed")),
		"/cached": func(r *http.Request, _ int) ([][]byte, bool) {
			if r.Header.Get("If-None-Match") == `"v1"` {
				return [][]byte{wiretest.Response("HTTP/1.1 304 Not Modified", []string{`ETag: "v1"`, "Cache-Control: max-age=60"}, "")}, false
			}
			return [][]byte{wiretest.Response("HTTP/1.1 200 OK", withLength([]string{"Content-Type: text/html", `ETag: "v1"`}, page("cached")), page("cached"))}, false
		},
	})
}

// TestWARCWire crawls wireSite twice, the second time as an update, and
// checks that the WARC files hold every exchange byte for byte as the
// server read and wrote it, each redirect hop and the robots.txt
// included, a 304 as a server-not-modified revisit; that warcio.js agrees
// with every digest; and that the CDXJ index finds each record.
func TestWARCWire(t *testing.T) {
	srv := wireSite(t)
	paths := []string{"/odd", "/chunked", "/gzip", "/missing", "/broken", "/r1", "/cached"}
	cfg := testConfig(t)
	for _, p := range paths {
		cfg.Seeds = append(cfg.Seeds, Seed{URL: srv.URL() + p, Source: "test"})
	}
	cfg.Robots = true
	cfg.Workers = 1 // one connection: exchanges in the order served
	warcDir := t.TempDir()
	cfg.WARC = filepath.Join(warcDir, "first.warc.gz")
	cfg.CommandLine = []string{"crawl", "--warc", "first", "--user", "u:***", "-H", "X-Key: ***"}
	_, recs := crawlT(t, cfg)
	if r := recs[srv.URL()+"/broken"]; r.Attempts != 3 {
		t.Fatalf("/broken: %d attempts, want 3", r.Attempts)
	}
	saved, err := os.ReadFile(filepath.Join(cfg.OutDir, recs[srv.URL()+"/gzip"].Path))
	if err != nil || !strings.Contains(string(saved), "<title>gzipped</title>") {
		t.Errorf("the mirror's gzip page is not decoded: %.60q, %v", saved, err)
	}
	first := srv.Exchanges()

	cfg.Update = true
	cfg.WARC = filepath.Join(warcDir, "second.warc.gz")
	cfg.Seeds = cfg.Seeds[len(cfg.Seeds)-1:] // /cached
	_, recs = crawlT(t, cfg)
	if r := recs[srv.URL()+"/cached"]; r.Status != 304 {
		t.Fatalf("update of /cached: %+v", r)
	}
	second := srv.Exchanges()[len(first):]

	for _, run := range []struct {
		name   string
		served []wiretest.Exchange
	}{{"first", first}, {"second", second}} {
		t.Run(run.name, func(t *testing.T) {
			path := filepath.Join(warcDir, run.name+"-00000.warc.gz")
			records := readWARC(t, path)
			checkWire(t, srv, records, run.served)
			checkIndex(t, filepath.Join(warcDir, run.name+".cdxj"), path, records)
			verifyWARC(t, path)
		})
	}

	// The revisit refers to the date of the record it revisits, as a
	// replay tool looks that record up.
	var original, refersTo string
	for _, r := range readWARC(t, filepath.Join(warcDir, "first-00000.warc.gz")) {
		if r.Header.Get("WARC-Type") == "response" && r.Header.Get("WARC-Target-URI") == srv.URL()+"/cached" {
			original = r.Header.Get("WARC-Date")
		}
	}
	for _, r := range readWARC(t, filepath.Join(warcDir, "second-00000.warc.gz")) {
		if r.Header.Get("WARC-Type") == "revisit" {
			refersTo = r.Header.Get("WARC-Refers-To-Date")
		}
	}
	if original == "" || refersTo != original {
		t.Errorf("the revisit refers to the date %q; the response it revisits has %q", refersTo, original)
	}
}

// checkWire checks that the records hold the served exchanges, byte for
// byte, but for the attempts of /broken before its last.
func checkWire(t *testing.T, srv *wiretest.Server, records []readRecord, served []wiretest.Exchange) {
	t.Helper()
	if records[0].Header.Get("WARC-Type") != "warcinfo" {
		t.Fatal("no warcinfo record first")
	}
	info := string(records[0].Block)
	for _, f := range []string{"software: crawl/" + Version, "format: WARC File Format 1.1", "robots: obey", "crawl-start: ",
		"command-line: crawl --warc first --user 'u:***' -H 'X-Key: ***'\r\n", "http-header-user-agent: crawl/"} {
		if !strings.Contains(info, f) {
			t.Errorf("warcinfo lacks %q:\n%s", f, info)
		}
	}
	var want []wiretest.Exchange
	for i, ex := range served {
		if ex.Path == "/broken" && slicesContainsPath(served[i+1:], "/broken") {
			continue // retried: only the last attempt is archived
		}
		want = append(want, ex)
	}
	// Records come in pairs, request then response; the store stage
	// writes them in its own order.
	pairs := records[1:]
	if len(pairs) != 2*len(want) {
		t.Fatalf("%d records after the warcinfo, want %d for %d exchanges", len(pairs), 2*len(want), len(want))
	}
	used := make([]bool, len(want))
	for i := 0; i+1 < len(pairs); i += 2 {
		req, resp := pairs[i], pairs[i+1]
		if req.Header.Get("WARC-Type") != "request" || req.Header.Get("WARC-Concurrent-To") != resp.Header.Get("WARC-Record-ID") {
			t.Fatalf("records %d and %d are not a request and its response", i+1, i+2)
		}
		k := -1
		for j, ex := range want {
			if !used[j] && bytes.Equal(req.Block, ex.Request) && bytes.Equal(resp.Block, ex.Response) {
				k = j
				break
			}
		}
		if k < 0 {
			t.Errorf("records of %s hold bytes the server did not exchange:\n%q\n%q", req.Header.Get("WARC-Target-URI"), req.Block, resp.Block)
			continue
		}
		used[k] = true
		ex := want[k]
		url := srv.URL() + ex.Path
		if req.Header.Get("WARC-Target-URI") != url || resp.Header.Get("WARC-Target-URI") != url {
			t.Errorf("%s: records of %s", ex.Path, req.Header.Get("WARC-Target-URI"))
		}
		typ, profile := resp.Header.Get("WARC-Type"), resp.Header.Get("WARC-Profile")
		switch {
		case ex.Path == "/cached" && bytes.HasPrefix(ex.Response, []byte("HTTP/1.1 304")):
			if typ != "revisit" || profile != warc.ProfileServerNotModified || resp.Header.Get("WARC-Refers-To-Target-URI") != url ||
				resp.Header.Get("WARC-Refers-To-Date") == "" {
				t.Errorf("%s: 304 as %s %s, refers to %q at %q", ex.Path, typ, profile,
					resp.Header.Get("WARC-Refers-To-Target-URI"), resp.Header.Get("WARC-Refers-To-Date"))
			}
		case typ != "response":
			t.Errorf("%s: %s record, want a response", ex.Path, typ)
		}
		if resp.Header.Get("WARC-IP-Address") != "127.0.0.1" || resp.Header.Get("WARC-Truncated") != "" {
			t.Errorf("%s: ip %q, truncated %q", ex.Path, resp.Header.Get("WARC-IP-Address"), resp.Header.Get("WARC-Truncated"))
		}
	}
	for j, ok := range used {
		if !ok {
			t.Errorf("%s: exchange not archived:\n%q", want[j].Path, want[j].Request)
		}
	}
}

func slicesContainsPath(exs []wiretest.Exchange, path string) bool {
	for _, ex := range exs {
		if ex.Path == path {
			return true
		}
	}
	return false
}

// checkIndex checks that the CDXJ index is sorted, has a line for every
// response and revisit record and no other, and that a lookup of each
// URL gives offsets and lengths that hold exactly its record.
func checkIndex(t *testing.T, index, warcPath string, records []readRecord) {
	t.Helper()
	data, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if !slicesIsSorted(lines) {
		t.Errorf("%s is not sorted:\n%s", index, data)
	}
	f, err := os.Open(warcPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for _, rec := range records {
		typ := rec.Header.Get("WARC-Type")
		if typ != "response" && typ != "revisit" {
			continue
		}
		n++
		url := rec.Header.Get("WARC-Target-URI")
		es, err := cdxj.Lookup(index, url)
		if err != nil || len(es) != 1 {
			t.Errorf("Lookup(%s) = %d entries, %v; want 1", url, len(es), err)
			continue
		}
		e := es[0]
		off, _ := strconv.ParseInt(e.Offset, 10, 64)
		length, _ := strconv.ParseInt(e.Length, 10, 64)
		if e.Filename != filepath.Base(warcPath) || off != rec.Offset || length != rec.Length {
			t.Errorf("%s: index says %s at %d+%d, the record is at %d+%d", url, e.Filename, off, length, rec.Offset, rec.Length)
		}
		// The member at that range is the record, whole.
		r := warc.NewReader(io.NewSectionReader(f, off, length))
		got, err := r.Next()
		if err != nil {
			t.Errorf("%s: reading the indexed range: %v", url, err)
			continue
		}
		if got.ID() != rec.Header.Get("WARC-Record-ID") {
			t.Errorf("%s: the indexed range holds %s", url, got.ID())
		}
		io.Copy(io.Discard, got.Block)
		if _, err := r.Next(); err != io.EOF {
			t.Errorf("%s: the indexed range does not end with the record: %v", url, err)
		}
		status := rec.Block[len("HTTP/1.1 ") : len("HTTP/1.1 ")+3]
		wantMime := "text/html"
		switch {
		case typ == "revisit":
			wantMime = "warc/revisit"
		case strings.HasSuffix(url, "/robots.txt"):
			wantMime = "text/plain"
		case bytes.HasPrefix(status, []byte("3")):
			wantMime = "unk"
		}
		if e.Status != string(status) || e.Mime != wantMime || e.Timestamp != cdxj.Timestamp(mustDate(t, rec.Header.Get("WARC-Date"))) ||
			(e.Digest != rec.Header.Get("WARC-Payload-Digest")) {
			t.Errorf("%s: index line %+v for a %s record of status %s", url, e, typ, status)
		}
	}
	if len(lines) != n {
		t.Errorf("%d index lines for %d response and revisit records", len(lines), n)
	}
}

func slicesIsSorted(lines []string) bool {
	for i := 1; i < len(lines); i++ {
		if lines[i-1] > lines[i] {
			return false
		}
	}
	return true
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// verifyWARC has warcio.js, the independent reader of store/warc's tests,
// read the file and recompute every digest. It is skipped when warcio.js
// is not installed, except in CI.
func verifyWARC(t *testing.T, path string) {
	t.Helper()
	dir := filepath.Join("store", "warc", "testdata", "verify")
	node, err := exec.LookPath("node")
	_, statErr := os.Stat(filepath.Join(dir, "node_modules", "warcio"))
	if err != nil || statErr != nil {
		msg := "warcio.js is not installed: run `npm ci --prefix store/warc/testdata/verify`"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Log(msg)
		return
	}
	abs, _ := filepath.Abs(path)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "verify.mjs", abs)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var sum struct {
		Problems []string       `json:"problems"`
		Counts   map[string]int `json:"counts"`
		Files    []struct {
			Records []struct {
				Type            string `json:"type"`
				TargetURI       string `json:"targetURI"`
				BlockDigestOK   bool   `json:"blockDigestOK"`
				PayloadDigestOK *bool  `json:"payloadDigestOK"`
			} `json:"records"`
		} `json:"files"`
	}
	if jerr := json.Unmarshal(out, &sum); jerr != nil {
		t.Fatalf("verify.mjs: %v, %v\n%s", err, jerr, stderr.Bytes())
	}
	for _, p := range sum.Problems {
		t.Errorf("warcio.js: %s", p)
	}
	checked := 0
	for _, f := range sum.Files {
		for _, r := range f.Records {
			if !r.BlockDigestOK {
				t.Errorf("warcio.js: block digest of the %s of %s differs", r.Type, r.TargetURI)
			}
			if r.Type == "response" {
				if r.PayloadDigestOK == nil || !*r.PayloadDigestOK {
					t.Errorf("warcio.js: payload digest of %s differs", r.TargetURI)
				}
				checked++
			}
		}
	}
	if err != nil || checked == 0 {
		t.Errorf("verify.mjs: %v, %d payload digests checked", err, checked)
	}
}

// TestCrawlWACZ packages a crawl of testdata/site: the WACZ holds its
// WARC file, an index whose every line points at its record through the
// ZIP, and the HTML pages with their titles; no temporary file is left.
func TestCrawlWACZ(t *testing.T) {
	srv, _ := serveSite(t, nil)
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 5
	dir := t.TempDir()
	cfg.WACZ = filepath.Join(dir, "site.wacz")
	_, recs := crawlT(t, cfg)

	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("left beside the package: %v", names)
	}
	zr, err := zip.OpenReader(cfg.WACZ)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	raw, _ := os.ReadFile(cfg.WACZ)
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	read := func(name string) string {
		f := files[name]
		if f == nil {
			t.Fatalf("no %s in the package", name)
		}
		rc, _ := f.Open()
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return string(b)
	}
	warcFile := files["archive/site-00000.warc.gz"]
	if warcFile == nil {
		t.Fatalf("no WARC file in %v", files)
	}
	base, _ := warcFile.DataOffset()
	index := strings.Split(strings.TrimSuffix(read("indexes/index.cdxj"), "\n"), "\n")
	for _, l := range index {
		e, err := cdxj.ParseLine([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		off, _ := strconv.ParseInt(e.Offset, 10, 64)
		n, _ := strconv.ParseInt(e.Length, 10, 64)
		rec, err := warc.NewReader(bytes.NewReader(raw[base+off : base+off+n])).Next()
		if err != nil || rec.Header.Get("WARC-Target-URI") != e.URL {
			t.Errorf("%s: the index points at %v, %v", e.URL, rec, err)
		}
	}
	pages := read("pages/pages.jsonl")
	titles := 0
	htmlPages := 0
	for _, r := range recs {
		if r.Status == 200 && strings.HasPrefix(r.ContentType, "text/html") {
			htmlPages++
		}
	}
	lines := strings.Split(strings.TrimSuffix(pages, "\n"), "\n")
	for _, l := range lines[1:] {
		var p struct{ URL, TS, Title string }
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatal(err)
		}
		if p.Title != "" {
			titles++
		}
	}
	if !strings.HasPrefix(lines[0], `{"format": "json-pages-1.0"`) || len(lines)-1 != htmlPages || titles < htmlPages/2 {
		t.Errorf("pages.jsonl has %d pages (%d titled) for %d HTML pages:\n%s", len(lines)-1, titles, htmlPages, pages)
	}
	if !strings.Contains(pages, `"title":"About us"`) && !strings.Contains(pages, `"title":"About`) {
		t.Errorf("about.html's title is not in pages.jsonl:\n%s", pages)
	}
	if dp := read("datapackage.json"); !strings.Contains(dp, `"wacz_version": "1.1.1"`) || !strings.Contains(dp, `"mainPageUrl": "`+srv.URL+`/"`) {
		t.Errorf("datapackage.json:\n%s", dp)
	}
}
