package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func sampleRecord() *Record {
	return &Record{
		V:            1,
		Run:          2,
		URL:          "http://127.0.0.1:18080/s03/p00123.html",
		FinalURL:     "http://127.0.0.1:18080/s03/p00123.html?x=<&>",
		Status:       200,
		ContentType:  "text/html; charset=utf-8",
		Bytes:        23456,
		SHA256:       "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Path:         "127.0.0.1_18080/s03/p00123.html",
		Depth:        3,
		Parent:       "http://127.0.0.1:18080/s03/",
		Redirects:    []string{"http://127.0.0.1:18080/s03/p123"},
		Attempts:     1,
		DurationMS:   12,
		FetchedAt:    time.Date(2026, 11, 23, 11, 16, 0, 123456789, time.UTC),
		ETag:         `W/"5e1-abc"`,
		LastModified: "Mon, 23 Nov 2026 10:00:00 GMT",
		Update:       UpdateChanged,
		Title:        "A & B <i>",
		IP:           "127.0.0.1",
		TTFBMS:       3,
		Headers:      map[string][]string{"Set-Cookie": {"a=1", "b=2"}, "Content-Type": {"text/html; charset=utf-8"}, "Etag": {`W/"5e1-abc"`}},
		Output:       "/tmp/x.html",
	}
}

func TestAppendRecordMatchesEncodingJSON(t *testing.T) {
	tests := map[string]*Record{
		"zero":   {V: 1},
		"sample": sampleRecord(),
		"escapes": {
			V: 1, URL: "http://h/\"quoted\"\\back\b\f\n\r\t\x00\x1f\x7f<>&\u2028\u2029\xff\xc3",
			Error: "é€😀", ErrorKind: "timeout", Redirects: []string{"", "a"},
			FetchedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 5*3600+1800)),
		},
		"empty redirects": {V: 2, Redirects: []string{}, Status: -1, Bytes: -1 << 63},
		"headers": {V: 3, Headers: map[string][]string{
			"B": {"2", "1", "2"}, "A": nil, "C": {}, "\"<k>\"": {"\xff\u2028"}, "": {""},
		}, TTFBMS: -5},
		"empty headers": {V: 3, Headers: map[string][]string{}},
	}
	for name, r := range tests {
		t.Run(name, func(t *testing.T) {
			checkAppendRecord(t, r)
		})
	}
}

// checkAppendRecord fails t unless appendRecord gives what json.Marshal
// gives for r, and the line reads back as r.
func checkAppendRecord(t *testing.T, r *Record) {
	t.Helper()
	got, err := appendRecord(nil, r)
	want, werr := json.Marshal(r)
	if (err != nil) != (werr != nil) {
		t.Fatalf("appendRecord error %v; json.Marshal error %v", err, werr)
	}
	if err != nil {
		return
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("appendRecord =\n%s\nwant\n%s", got, want)
	}
	var back Record
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if !back.FetchedAt.Equal(r.FetchedAt) {
		t.Fatalf("fetched_at read back as %v; want %v", back.FetchedAt, r.FetchedAt)
	}
}

func FuzzAppendRecord(f *testing.F) {
	f.Add("http://h/a", "<&>\u2028", "\xff\x00", int64(1), int64(0), 0)
	f.Fuzz(func(t *testing.T, url, errText, redirect string, n, unixNano int64, zone int) {
		r := &Record{
			V: 1, URL: url, Error: errText, Redirects: []string{redirect, url},
			Bytes: n, DurationMS: -n, Status: int(n >> 8),
			// RFC 3339 keeps zone offsets in whole minutes only.
			FetchedAt: time.Unix(0, unixNano).In(time.FixedZone("", zone%(24*60)*60)),
			Title:     errText, IP: redirect, TTFBMS: n / 3, Output: url,
			Headers: map[string][]string{url: {errText, redirect}, redirect: nil, errText: {}},
		}
		checkAppendRecord(t, r)
	})
}

// countingWriter records each Write call it gets.
type countingWriter struct {
	mu     sync.Mutex
	writes [][]byte
	closed bool
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, bytes.Clone(p))
	return len(p), nil
}

func (w *countingWriter) Close() error { w.closed = true; return nil }

func TestJSONLWriterOneWritePerLine(t *testing.T) {
	var w countingWriter
	j := NewJSONLWriter(&w)
	const workers, each = 8, 50
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			for i := range each {
				var v any = map[string]any{"g": g, "i": i, "html": "<p>"}
				if i%2 == 0 {
					rec := sampleRecord()
					rec.V, rec.Depth = 0, i
					v = rec
				}
				if err := j.Write(v); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if err := j.Close(); err != nil || !w.closed {
		t.Fatalf("Close = %v, underlying closed = %v", err, w.closed)
	}
	if len(w.writes) != workers*each {
		t.Fatalf("%d Write calls; want %d", len(w.writes), workers*each)
	}
	for _, line := range w.writes {
		if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
			t.Fatalf("Write(%q) is not exactly one line", line)
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if _, isRecord := m["url"]; isRecord && m["v"] != float64(ManifestVersion) {
			t.Errorf("record written with v = %v; want %d", m["v"], ManifestVersion)
		}
	}
	if err := j.Write(1); err == nil {
		t.Error("Write after Close succeeded")
	}
}

func TestReadManifest(t *testing.T) {
	var buf bytes.Buffer
	m := NewManifestWriter(&buf)
	for i := range 3 {
		r := sampleRecord()
		r.Depth = i
		if err := m.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	full := buf.String()
	long := &Record{V: 1, URL: "http://h/" + strings.Repeat("x", 100<<10)}
	longLine, _ := json.Marshal(long)

	tests := []struct {
		name    string
		input   string
		want    int    // records read
		wantErr string // substring of the error, "" for none
	}{
		{"complete", full, 3, ""},
		{"truncated last line", full + `{"v":1,"url":"http://h/tr`, 3, ""},
		{"last line without newline", strings.TrimSuffix(full, "\n"), 3, ""},
		{"blank lines", "\n" + full + "\n\n", 3, ""},
		{"long line", full + string(longLine) + "\n", 4, ""},
		{"malformed middle line", full + "{oops\n" + full, 3, "line 4"},
		{"wrong type", `{"v":"one"}` + "\n", 0, "line 1"},
		{"empty", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []*Record
			err := ReadManifest(strings.NewReader(tt.input), func(r *Record) error {
				got = append(got, r)
				return nil
			})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("ReadManifest error = %v; want %q", err, tt.wantErr)
			}
			if len(got) != tt.want {
				t.Fatalf("read %d records; want %d", len(got), tt.want)
			}
			for i, r := range got {
				want := sampleRecord()
				want.Depth = i
				if i == 3 {
					want = long
				}
				if !reflect.DeepEqual(r, want) {
					t.Errorf("record %d = %+v; want %+v", i, r, want)
				}
			}
		})
	}

	stop := errors.New("stop")
	n := 0
	err := ReadManifest(strings.NewReader(full), func(*Record) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("ReadManifest with failing fn = %v after %d records; want stop after 1", err, n)
	}
}

func TestOpenJSONLRepairsTruncatedLine(t *testing.T) {
	tests := []struct{ before, want string }{
		{"", ""},
		{"{}\n", "{}\n"},
		{"{}\n{\"v\":1,\"ur", "{}\n"},
		{"{\"v\":1,\"ur", ""},
		{"{}\n" + strings.Repeat("x", 10000), "{}\n"},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			s, dir := openStore(t, Options{})
			name := filepath.Join(dir, ManifestName)
			if err := os.WriteFile(name, []byte(tt.before), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := s.OpenManifest()
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Write(&Record{URL: "u"}); err != nil {
				t.Fatal(err)
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(name)
			want := tt.want + `{"v":3,"url":"u","status":0,"bytes":0,"depth":0,"attempts":0,"duration_ms":0,"fetched_at":"0001-01-01T00:00:00Z"}` + "\n"
			if string(b) != want {
				t.Errorf("file = %q; want %q", b, want)
			}
		})
	}
}

func BenchmarkManifestWrite(b *testing.B) {
	r := sampleRecord()
	b.Run("appender", func(b *testing.B) {
		m := NewManifestWriter(io.Discard)
		b.ReportAllocs()
		for b.Loop() {
			if err := m.Write(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		// What JSONLWriter does for any other value, for comparison.
		j := NewJSONLWriter(io.Discard)
		v := struct{ *Record }{r}
		b.ReportAllocs()
		for b.Loop() {
			if err := j.Write(v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestSaved(t *testing.T) {
	lines := []*Record{
		{Run: 1, URL: "a", Path: "h/a"},
		{Run: 1, URL: "b", Path: "h/b"},
		{Run: 1, URL: "c", Path: "h/c"},
		{Run: 2, URL: "a", Error: "http 500", ErrorKind: "http_5xx"}, // the file stays
		{Run: 2, URL: "b", Error: "http 404", Update: UpdateRemoved}, // pruned
		{Run: 2, URL: "c", Path: "h/c", Update: UpdateRemoved},       // gone, kept
		{Run: 2, URL: "d", Path: "h/d", Update: UpdateNew},
		{Run: 3, URL: "b", Path: "h/b~2", Update: UpdateNew}, // back again
	}
	s := make(Saved)
	for _, r := range lines {
		s.Add(r)
	}
	want := map[string]string{"a": "h/a", "b": "h/b~2", "c": "h/c", "d": "h/d"}
	if len(s) != len(want) {
		t.Errorf("Saved has %d URLs; want %d", len(s), len(want))
	}
	for u, p := range want {
		if s[u] == nil || s[u].Path != p {
			t.Errorf("Saved[%q] = %+v; want path %q", u, s[u], p)
		}
	}
}

// TestReadOlderVersions reads lines of every schema version: the fields
// a version lacks read as empty.
func TestReadOlderVersions(t *testing.T) {
	lines := `{"v":1,"url":"http://h/a","status":200,"bytes":3,"depth":0,"attempts":1,"duration_ms":2,"fetched_at":"2025-01-01T00:00:00Z"}
{"v":2,"run":2,"url":"http://h/a","status":304,"bytes":3,"depth":0,"attempts":1,"duration_ms":2,"fetched_at":"2025-01-02T00:00:00Z","etag":"\"x\"","update":"not_modified"}
{"v":3,"run":3,"url":"http://h/a","status":200,"content_type":"text/html","bytes":3,"depth":0,"attempts":1,"duration_ms":2,"fetched_at":"2025-01-03T00:00:00Z","title":"A \u0026 B","ip":"127.0.0.1","ttfb_ms":7,"headers":{"Set-Cookie":["a=1","b=2"]}}
`
	var got []*Record
	if err := ReadManifest(strings.NewReader(lines), func(r *Record) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d records; want 3", len(got))
	}
	if r := got[0]; r.RunNumber() != 1 || r.ETag != "" || r.Title != "" || r.Headers != nil {
		t.Errorf("version 1 line read as %+v", r)
	}
	if r := got[1]; r.RunNumber() != 2 || r.ETag != `"x"` || r.Update != UpdateNotModified || r.IP != "" || r.TTFBMS != 0 {
		t.Errorf("version 2 line read as %+v", r)
	}
	if r := got[2]; r.Title != "A & B" || r.IP != "127.0.0.1" || r.TTFBMS != 7 || !reflect.DeepEqual(r.Headers["Set-Cookie"], []string{"a=1", "b=2"}) {
		t.Errorf("version 3 line read as %+v", r)
	}
}

// fullWriter takes room bytes, then writes part of the next Write and
// fails, as a file on a full disk does.
type fullWriter struct {
	buf  bytes.Buffer
	room int
}

func (w *fullWriter) Write(p []byte) (int, error) {
	n := min(len(p), w.room-w.buf.Len())
	w.buf.Write(p[:n])
	if n < len(p) {
		return n, syscall.ENOSPC
	}
	return n, nil
}

// TestJSONLWriterAfterFailedWrite checks that no line follows a line
// written in part: the part stays the last, for the next opening to trim.
func TestJSONLWriterAfterFailedWrite(t *testing.T) {
	w := &fullWriter{room: 40}
	j := NewJSONLWriter(w)
	if err := j.Write(map[string]string{"a": "1"}); err != nil {
		t.Fatal(err)
	}
	if err := j.Write(map[string]string{"b": strings.Repeat("x", 100)}); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Write on a full disk = %v; want ENOSPC", err)
	}
	w.room = 1 << 20 // room again, but the part of a line is there
	if err := j.Write(map[string]string{"c": "3"}); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("Write after a failed one = %v; want its error again", err)
	}
	var lines []string
	err := ReadManifest(bytes.NewReader(w.buf.Bytes()), func(r *Record) error {
		lines = append(lines, r.URL)
		return nil
	})
	if err != nil || len(lines) != 1 {
		t.Errorf("ReadManifest = %d lines, %v; want the one whole line and the part skipped", len(lines), err)
	}
}
