package warc

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"testing"
)

// crawlFile writes a small crawl to one file and returns its bytes, without
// closing the Writer first: what WriteExchange returned is in the file
// already, as it would be for a process killed at that point. A big body
// makes a record that spans many deflate blocks.
func crawlFile(t testing.TB, big int) []byte {
	t.Helper()
	w := create(t, testOptions(t))
	defer w.Close()
	write(t, w, exchange("http://a.test/", plainHead, "<html>home</html>"))
	write(t, w, exchange("http://a.test/big", plainHead, randomBody(1, big)))
	write(t, w, exchange("http://a.test/dup", plainHead, "<html>home</html>"))
	write(t, w, exchange("http://a.test/c", "Transfer-Encoding: chunked\r\n", "chunks"))
	write(t, w, exchange("http://a.test/empty", plainHead, ""))
	data, err := os.ReadFile(w.Files()[0])
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestTruncated cuts a file at and around every record boundary and in the
// middle of every record, as a kill -9 or a full disk would, and checks that
// the Reader returns every record before the cut whole, and reports the cut
// record as io.ErrUnexpectedEOF.
func TestTruncated(t *testing.T) {
	data := crawlFile(t, 70000)
	all, err := readRecords(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 11 {
		t.Fatalf("%d records, want 11", len(all))
	}
	// ends[i] is where record i's gzip member ends.
	var ends []int64
	for _, r := range all[1:] {
		ends = append(ends, r.Offset)
	}
	ends = append(ends, int64(len(data)))

	cuts := map[int64]bool{0: true, 1: true, 9: true, 10: true}
	start := int64(0)
	for _, end := range ends {
		for _, c := range []int64{start + 1, start + 10, start + 11, (start + end) / 2, end - 9, end - 8, end - 4, end - 1, end} {
			cuts[c] = true
		}
		start = end
	}
	var sorted []int64
	for c := range cuts {
		sorted = append(sorted, c)
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })

	for _, cut := range sorted {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			whole := 0 // records wholly before the cut
			boundary := cut == 0
			for _, end := range ends {
				if end <= cut {
					whole++
				}
				boundary = boundary || end == cut
			}
			got, err := readRecords(data[:cut])
			if len(got) != whole {
				t.Errorf("read %d records, want %d", len(got), whole)
			}
			if len(got) > 0 && !reflect.DeepEqual(got, all[:len(got)]) {
				t.Errorf("records read differ from the file's")
			}
			if boundary && err != nil {
				t.Errorf("cut at a record boundary: error %v", err)
			}
			if !boundary && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("cut inside a record: error %v, want io.ErrUnexpectedEOF", err)
			}
		})
	}
}

func TestReaderForms(t *testing.T) {
	data := crawlFile(t, 70000)
	want, err := readRecords(data)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(must(gzip.NewReader(bytes.NewReader(data))))
	if err != nil {
		t.Fatal(err)
	}
	var whole bytes.Buffer
	z := gzip.NewWriter(&whole)
	z.Write(plain)
	z.Close()

	tests := []struct {
		name        string
		data        []byte
		wantOffsets bool // offsets are those of the per-record members
	}{
		{"gzip per record", data, true},
		{"uncompressed", plain, false},
		{"gzip as a whole", whole.Bytes(), false},
		{"stray line ends between records", bytes.ReplaceAll(plain, []byte("\r\n\r\nWARC/1.1"), []byte("\r\n\r\n\r\n\nWARC/1.1")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readRecords(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d records, want %d", len(got), len(want))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i].Header, want[i].Header) || !bytes.Equal(got[i].Block, want[i].Block) {
					t.Errorf("record %d differs", i)
				}
				if tt.wantOffsets && got[i].Offset != want[i].Offset {
					t.Errorf("record %d at %d, want %d", i, got[i].Offset, want[i].Offset)
				}
			}
			if tt.name == "uncompressed" {
				// An uncompressed record's offset is its first byte.
				for i, r := range got {
					if !bytes.HasPrefix(tt.data[r.Offset:], []byte("WARC/1.1\r\nWARC-Type: "+r.Header.Get("WARC-Type"))) {
						t.Errorf("record %d: offset %d is not its start", i, r.Offset)
					}
				}
			}
		})
	}
}

func TestReaderMalformed(t *testing.T) {
	tests := []struct {
		name, in string
		wantErr  error
	}{
		{"empty", "", nil},
		{"not WARC", "HTTP/1.1 200 OK\r\n\r\n", ErrFormat},
		{"no Content-Length", "WARC/1.1\r\nWARC-Type: x\r\n\r\n", ErrFormat},
		{"bad Content-Length", "WARC/1.1\r\nContent-Length: -1\r\n\r\n", ErrFormat},
		{"bad field", "WARC/1.1\r\nno colon\r\nContent-Length: 0\r\n\r\n\r\n\r\n", ErrFormat},
		{"continuation first", "WARC/1.1\r\n more\r\nContent-Length: 0\r\n\r\n\r\n\r\n", ErrFormat},
		{"no record end", "WARC/1.1\r\nContent-Length: 1\r\n\r\nxyzw\r\n", ErrFormat},
		{"cut in header", "WARC/1.1\r\nContent-Len", io.ErrUnexpectedEOF},
		{"cut in block", "WARC/1.1\r\nContent-Length: 10\r\n\r\nabc", io.ErrUnexpectedEOF},
		{"cut after block", "WARC/1.1\r\nContent-Length: 3\r\n\r\nabc\r\n", io.ErrUnexpectedEOF},
		{"line too long", "WARC/1.1\r\nX: " + string(bytes.Repeat([]byte("a"), maxLine)) + "\r\n", ErrFormat},
		{"gzip garbage", "\x1f\x8b\x08\x00garbage", nil}, // some gzip error
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := readRecords([]byte(tt.in))
			if len(recs) != 0 {
				t.Errorf("read %d records", len(recs))
			}
			switch {
			case tt.name == "empty" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.name == "gzip garbage" && err == nil:
				t.Error("no error")
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestReaderContinuation(t *testing.T) {
	in := "WARC/1.0\r\nWARC-Type: resource\r\nX-Long: one\r\n  two\r\n\tthree\r\ncontent-length: 2\r\n\r\nok\r\n\r\n"
	recs, err := readRecords([]byte(in))
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if got := recs[0].Header.Get("x-long"); got != "one two three" {
		t.Errorf("X-Long = %q", got)
	}
	if string(recs[0].Block) != "ok" {
		t.Errorf("block %q", recs[0].Block)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// FuzzReader feeds the Reader arbitrary input: it must not panic, and must
// end with io.EOF or an error. Minimizing a gzip input is slow; fuzz with
// -fuzzminimizetime=1000x.
func FuzzReader(f *testing.F) {
	data := crawlFile(f, 100)
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add(must(io.ReadAll(must(gzip.NewReader(bytes.NewReader(data))))))
	f.Add([]byte("WARC/1.1\r\nContent-Length: 2\r\n\r\nok\r\n\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in))
		for range 1000 {
			rec, err := r.Next()
			if err != nil {
				if _, again := r.Next(); again == nil {
					t.Fatal("Next succeeded after an error")
				}
				return
			}
			if rec.ContentLength < 0 {
				t.Fatalf("negative ContentLength %d", rec.ContentLength)
			}
			io.Copy(io.Discard, rec.Block)
		}
	})
}
