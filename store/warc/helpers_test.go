package warc

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"
)

// testDate is the fixed clock of the tests.
var testDate = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

// fixedNow returns testDate.
func fixedNow() time.Time { return testDate }

// counterIDs returns a record ID generator that counts from 1, safe for
// concurrent use.
func counterIDs() func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("<urn:uuid:00000000-0000-4000-8000-%012d>", n)
	}
}

// testOptions returns Options for a Writer in a new temporary folder, with
// the fixed clock and counting IDs.
func testOptions(t testing.TB) Options {
	t.Helper()
	return Options{
		Dir:         t.TempDir(),
		Prefix:      "test",
		Software:    "crawl/0.0.0-test",
		Now:         fixedNow,
		NewRecordID: counterIDs(),
	}
}

// create calls Create and fails the test on error.
func create(t testing.TB, opts Options) *Writer {
	t.Helper()
	w, err := Create(opts)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return w
}

// exchange returns a GET of url answered by a 200 with head fields hdr and
// body.
func exchange(url, hdr, body string) *Exchange {
	return &Exchange{
		URL:          url,
		Date:         testDate,
		Request:      []byte("GET " + requestTarget(url) + " HTTP/1.1\r\nHost: example.com\r\n\r\n"),
		ResponseHead: []byte("HTTP/1.1 200 OK\r\n" + hdr + "\r\n"),
		Body:         bytes.NewReader([]byte(body)),
		BodyLen:      int64(len(body)),
	}
}

// requestTarget returns the origin form of url, its path and query.
func requestTarget(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(err)
	}
	return u.RequestURI()
}

// write calls WriteExchange and fails the test on error.
func write(t testing.TB, w *Writer, ex *Exchange) Result {
	t.Helper()
	res, err := w.WriteExchange(ex)
	if err != nil {
		t.Fatalf("WriteExchange(%s): %v", ex.URL, err)
	}
	return res
}

// readRecord is a record read whole.
type readRecord struct {
	Header Header
	Block  []byte
	Offset int64
}

// readRecords reads the records of data up to the first error, and returns
// the records whose Block read to io.EOF and the error that ended the
// reading (nil at a clean end).
func readRecords(data []byte) ([]readRecord, error) {
	r := NewReader(bytes.NewReader(data))
	var recs []readRecord
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		block, err := io.ReadAll(rec.Block)
		if err != nil {
			return recs, err
		}
		recs = append(recs, readRecord{Header: rec.Header, Block: block, Offset: rec.Offset})
	}
}

// readFile reads every record of the file at path, failing the test on
// any error.
func readFile(t testing.TB, path string) []readRecord {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := readRecords(data)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return recs
}

// gunzip decompresses all the gzip members of the file at path.
func gunzip(t testing.TB, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
