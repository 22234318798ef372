package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rangeServer serves one body, and records the Range and If-Range of
// each request. cut, when set, decides how many bytes of the body an
// answer stops after (the connection then closes mid-body), given the
// request's number from 1.
type rangeServer struct {
	body   []byte
	etag   string
	mode   string // "honour" (http.ServeContent), "ignore" ranges, or "no-if-range": ranges honoured, If-Range not
	cut    func(n int) int
	header http.Header // extra response fields
	log    *rangeLog   // set by newRangeServer
}

// rangeLog is the "Range|If-Range" of each request.
type rangeLog struct {
	mu     sync.Mutex
	ranges []string
}

func newRangeServer(t *testing.T, rs *rangeServer) string {
	t.Helper()
	rs.log = &rangeLog{}
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.log.mu.Lock()
		rs.log.ranges = append(rs.log.ranges, r.Header.Get("Range")+"|"+r.Header.Get("If-Range"))
		n := len(rs.log.ranges)
		rs.log.mu.Unlock()
		for k, vs := range rs.header {
			w.Header()[k] = vs
		}
		if rs.etag != "" {
			w.Header().Set("Etag", rs.etag)
		}
		body, status := rs.body, http.StatusOK
		if rg := r.Header.Get("Range"); rg != "" && rs.mode != "ignore" {
			if rs.mode == "honour" {
				// ServeContent checks If-Range against the ETag.
				w = &cutWriter{ResponseWriter: w, left: rs.cutAt(n)}
				http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(rs.body))
				return
			}
			from, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"))
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, len(body)-1, len(body)))
			body, status = body[from:], http.StatusPartialContent
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		w.Write(body[:min(len(body), rs.cutAt(n))])
	}))
	return srv.URL
}

func (rs *rangeServer) cutAt(n int) int {
	if rs.cut == nil {
		return 1 << 62
	}
	return rs.cut(n)
}

func (rs *rangeServer) requests() []string {
	rs.log.mu.Lock()
	defer rs.log.mu.Unlock()
	return append([]string(nil), rs.log.ranges...)
}

// cutWriter stops writing the body after left bytes.
type cutWriter struct {
	http.ResponseWriter
	left int
}

func (w *cutWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		p = p[:w.left]
	}
	w.left -= len(p)
	return w.ResponseWriter.Write(p)
}

// partialOf fetches rs's body once, cut after half, and returns the
// partial download it leaves.
func partialOf(t *testing.T, url string, dir string) *Partial {
	t.Helper()
	f := newFetcher(t, Options{SpillThreshold: 1 << 10, TempFile: tempFileIn(dir)})
	resp, err := f.Get(context.Background(), url)
	if err == nil {
		resp.Body.Release()
		t.Fatal("the cut download succeeded")
	}
	if resp.Partial == nil {
		t.Fatalf("no partial download after %v", err)
	}
	return resp.Partial
}

func TestPartialKept(t *testing.T) {
	body := payload(64 << 10)
	half := func(int) int { return 30000 }
	tests := []struct {
		name   string
		rs     rangeServer
		kept   bool
		etag   string
		length int64
	}{
		{"strong etag", rangeServer{etag: `"v1"`}, true, `"v1"`, int64(len(body))},
		{"date only", rangeServer{header: http.Header{"Last-Modified": {"Mon, 02 Jan 2006 15:04:05 GMT"}}}, true, "", int64(len(body))},
		{"weak etag alone", rangeServer{etag: `W/"v1"`}, false, "", 0},
		{"no validator", rangeServer{}, false, "", 0},
		{"ranges refused", rangeServer{etag: `"v1"`, header: http.Header{"Accept-Ranges": {"none"}}}, false, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			rs := tt.rs
			rs.body, rs.mode, rs.cut = body, "ignore", half
			url := newRangeServer(t, &rs)
			f := newFetcher(t, Options{SpillThreshold: 1 << 10, TempFile: tempFileIn(dir)})
			resp, err := f.Get(context.Background(), url)
			if err == nil {
				t.Fatal("the cut download succeeded")
			}
			if !tt.kept {
				if resp.Partial != nil {
					t.Errorf("partial download kept: %+v", resp.Partial)
				}
				if names := dirEntries(t, dir); len(names) > 0 {
					t.Errorf("files left: %v", names)
				}
				return
			}
			p := resp.Partial
			if p == nil {
				t.Fatalf("no partial download after %v", err)
			}
			defer p.File.Close()
			got, _ := os.ReadFile(p.File.Name())
			if !bytes.Equal(got, body[:30000]) {
				t.Errorf("the partial holds %d bytes; want the first 30000 of the body", len(got))
			}
			if p.ETag != tt.etag || p.Length != tt.length {
				t.Errorf("partial %+v; want ETag %s, Length %d", p, tt.etag, tt.length)
			}
		})
	}
}

// TestPartialNotKeptCompressed: a body the transport decompressed cannot
// be continued, since ranges count the compressed bytes.
func TestPartialNotKeptCompressed(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.Repeat(payload(1<<10), 200))
	zw.Close()
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Etag", `"z"`)
		w.Header().Set("Content-Length", strconv.Itoa(gz.Len()))
		w.Write(gz.Bytes()[:gz.Len()/2])
	}))
	dir := t.TempDir()
	f := newFetcher(t, Options{SpillThreshold: 1 << 10, TempFile: tempFileIn(dir)})
	resp, err := f.Get(context.Background(), srv.URL)
	if err == nil || resp.Partial != nil {
		t.Errorf("err %v, partial %+v; want an error and no partial download", err, resp.Partial)
	}
}

func TestResume(t *testing.T) {
	body := payload(64 << 10)
	other := payload(70 << 10)[1000:]
	tests := []struct {
		name string
		rs   rangeServer // what the second server does
		want []byte      // the body got
		// ranges are the Range|If-Range of the second server's requests.
		ranges []string
	}{
		{"range honoured", rangeServer{body: body, etag: `"v1"`, mode: "honour"}, body,
			[]string{`bytes=30000-|"v1"`}},
		{"range ignored: 200", rangeServer{body: body, etag: `"v1"`, mode: "ignore"}, body,
			[]string{`bytes=30000-|"v1"`}},
		{"changed ETag: If-Range gives 200", rangeServer{body: other, etag: `"v2"`, mode: "honour"}, other,
			[]string{`bytes=30000-|"v1"`}},
		{"changed ETag, If-Range ignored: 206 refused", rangeServer{body: other, etag: `"v2"`, mode: "no-if-range"}, other,
			[]string{`bytes=30000-|"v1"`, "|"}},
		{"changed length, no ETag: 206 refused", rangeServer{body: other, mode: "no-if-range"}, other,
			[]string{`bytes=30000-|"v1"`, "|"}},
		{"416: all again", rangeServer{body: body[:20000], etag: `"v1"`, mode: "honour"}, body[:20000],
			[]string{`bytes=30000-|"v1"`, "|"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			first := &rangeServer{body: body, etag: `"v1"`, mode: "ignore", cut: func(int) int { return 30000 }}
			p := partialOf(t, newRangeServer(t, first), dir)
			name := p.File.Name()

			rs := tt.rs
			url := newRangeServer(t, &rs)
			f := newFetcher(t, Options{SpillThreshold: 1 << 10, TempFile: tempFileIn(dir)})
			resp, err := f.Do(context.Background(), Request{URL: url, Resume: p})
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Release()
			checkBody(t, resp.Body, tt.want, true)
			if got := rs.requests(); strings.Join(got, " ") != strings.Join(tt.ranges, " ") {
				t.Errorf("requests (Range|If-Range) %q; want %q", got, tt.ranges)
			}
			continued := resp.Body.File().Name() == name
			if wantContinued := resp.Status == http.StatusPartialContent; continued != wantContinued {
				t.Errorf("status %d, the body's file is the partial's: %v", resp.Status, continued)
			}
			if _, err := os.Stat(name); !continued && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the partial download of a restarted one is left: %v", err)
			}
		})
	}
}

// TestResumeWithinGet: the retries of one Get continue the body the
// attempt before them cut off.
func TestResumeWithinGet(t *testing.T) {
	body := payload(100 << 10)
	rs := &rangeServer{body: body, etag: `"v1"`, mode: "honour", cut: func(n int) int { return 30000 }}
	url := newRangeServer(t, rs)
	dir := t.TempDir()
	f := newFetcher(t, Options{Retries: 3, SpillThreshold: 1 << 10, TempFile: tempFileIn(dir)})
	resp, err := f.Get(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Release()
	checkBody(t, resp.Body, body, true)
	want := []string{"|", `bytes=30000-|"v1"`, `bytes=60000-|"v1"`, `bytes=90000-|"v1"`}
	if got := rs.requests(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("requests %q; want %q", got, want)
	}
	if resp.Attempts != 4 || resp.Status != http.StatusPartialContent {
		t.Errorf("%d attempts, status %d; want 4 and 206", resp.Attempts, resp.Status)
	}
	if names := dirEntries(t, dir); len(names) != 1 {
		t.Errorf("files in the temporary folder: %v; want the body's alone", names)
	}
}

// TestResumeNotUsed: a partial download handed to a Get that fails before
// any answer comes back to the caller untouched.
func TestResumeNotUsed(t *testing.T) {
	dir := t.TempDir()
	body := payload(64 << 10)
	p := partialOf(t, newRangeServer(t, &rangeServer{body: body, etag: `"v1"`, mode: "ignore", cut: func(int) int { return 5000 }}), dir)
	f := newFetcher(t, Options{SpillThreshold: 1 << 10, TempFile: tempFileIn(dir)})
	resp, err := f.Do(context.Background(), Request{URL: "http://127.0.0.1:1/", Resume: p})
	if err == nil || resp.Partial != p {
		t.Fatalf("err %v, partial %v; want an error and the partial back", err, resp.Partial)
	}
	defer p.File.Close()
	if got, _ := os.ReadFile(p.File.Name()); !bytes.Equal(got, body[:5000]) {
		t.Errorf("the partial holds %d bytes; want its 5000", len(got))
	}
}

// TestResumeKeptOnError: a partial download handed to a Get whose server
// answers with an error (a 503 after the retries) comes back to the
// caller untouched, for a later run to continue.
func TestResumeKeptOnError(t *testing.T) {
	dir := t.TempDir()
	body := payload(64 << 10)
	p := partialOf(t, newRangeServer(t, &rangeServer{body: body, etag: `"v1"`, mode: "ignore", cut: func(int) int { return 5000 }}), dir)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	f := newFetcher(t, Options{SpillThreshold: 1 << 10, TempFile: tempFileIn(dir)})
	resp, err := f.Do(context.Background(), Request{URL: srv.URL, Resume: p})
	if err == nil || resp.Partial != p {
		t.Fatalf("err %v, partial %v; want an error and the partial back", err, resp.Partial)
	}
	defer p.File.Close()
	if got, _ := os.ReadFile(p.File.Name()); !bytes.Equal(got, body[:5000]) {
		t.Errorf("the partial holds %d bytes; want its 5000", len(got))
	}
}

func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-499/1234", "bytes 500-999/*", "bytes */1234", "bytes 5-4/10", "items 0-1/2", "bytes 0-9/10", "bytes -1-2/3", "bytes 0-18446744073709551616/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		first, last, complete, err := parseContentRange(s)
		if err != nil {
			return
		}
		if first < 0 || last < first || complete != -1 && (complete <= last) {
			t.Fatalf("%q parsed as %d-%d/%d", s, first, last, complete)
		}
	})
}

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in                    string
		first, last, complete int64
		ok                    bool
	}{
		{"bytes 0-499/1234", 0, 499, 1234, true},
		{"Bytes 500-999/*", 500, 999, -1, true},
		{"bytes */1234", 0, 0, 0, false},
		{"bytes 5-4/10", 0, 0, 0, false},
		{"bytes 0-10/10", 0, 0, 0, false},
		{"bytes +1-2/3", 0, 0, 0, false},
		{"items 0-1/2", 0, 0, 0, false},
		{"", 0, 0, 0, false},
	}
	for _, tt := range tests {
		first, last, complete, err := parseContentRange(tt.in)
		if (err == nil) != tt.ok || tt.ok && (first != tt.first || last != tt.last || complete != tt.complete) {
			t.Errorf("parseContentRange(%q) = %d, %d, %d, %v", tt.in, first, last, complete, err)
		}
	}
}
