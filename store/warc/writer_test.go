package warc

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const plainHead = "Content-Type: text/plain\r\n"

func TestRevisit(t *testing.T) {
	w := create(t, testOptions(t))
	first := write(t, w, exchange("http://a.test/1", plainHead, "same body"))
	other := write(t, w, exchange("http://a.test/2", plainHead, "other body"))
	second := write(t, w, exchange("http://b.test/3", plainHead, "same body"))
	empty1 := write(t, w, exchange("http://a.test/e1", plainHead, ""))
	empty2 := write(t, w, exchange("http://a.test/e2", plainHead, ""))
	cut := exchange("http://a.test/cut", plainHead, "same body")
	cut.Truncated = "length"
	truncated := write(t, w, cut)
	third := write(t, w, exchange("http://c.test/4", plainHead, "same body"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	for _, r := range []struct {
		name string
		res  Result
		want bool
	}{
		{"first", first, false}, {"other", other, false}, {"second", second, true},
		{"empty1", empty1, false}, {"empty2", empty2, false},
		{"truncated", truncated, false}, {"third", third, true},
	} {
		if r.res.Revisit != r.want {
			t.Errorf("%s: Revisit = %v, want %v", r.name, r.res.Revisit, r.want)
		}
	}
	wantOrig := Original{RecordID: first.ResponseID, TargetURI: "http://a.test/1", Date: formatDate(testDate)}
	if second.RefersTo != wantOrig || third.RefersTo != wantOrig {
		t.Errorf("RefersTo = %+v and %+v, want %+v", second.RefersTo, third.RefersTo, wantOrig)
	}
	if second.PayloadDigest != first.PayloadDigest {
		t.Errorf("payload digests differ: %v, %v", second.PayloadDigest, first.PayloadDigest)
	}

	recs := readFile(t, w.Files()[0])
	byID := make(map[string]readRecord)
	for _, r := range recs {
		byID[r.Header.Get("WARC-Record-ID")] = r
	}
	rev := byID[second.ResponseID]
	for name, want := range map[string]string{
		"WARC-Type":                 "revisit",
		"WARC-Profile":              ProfileIdenticalPayload,
		"WARC-Refers-To":            first.ResponseID,
		"WARC-Refers-To-Target-URI": "http://a.test/1",
		"WARC-Refers-To-Date":       formatDate(testDate),
		"WARC-Payload-Digest":       first.PayloadDigest.String(),
		"WARC-Target-URI":           "http://b.test/3",
		"WARC-Concurrent-To":        second.RequestID,
		"WARC-Truncated":            "",
	} {
		if got := rev.Header.Get(name); got != want {
			t.Errorf("revisit %s = %q, want %q", name, got, want)
		}
	}
	if want := "HTTP/1.1 200 OK\r\n" + plainHead + "\r\n"; string(rev.Block) != want {
		t.Errorf("revisit block = %q, want the response head %q", rev.Block, want)
	}
	if got := byID[truncated.ResponseID].Header.Get("WARC-Truncated"); got != "length" {
		t.Errorf("truncated response: WARC-Truncated = %q", got)
	}
	// The offsets of Result point at the records.
	for _, res := range []Result{first, second, third} {
		if got := recordAt(t, filepath.Join(filepath.Dir(w.Files()[0]), res.File), res.Offset, res.Length); got != res.ResponseID {
			t.Errorf("record at %s:%d+%d is %s, want %s", res.File, res.Offset, res.Length, got, res.ResponseID)
		}
	}
}

// recordAt returns the ID of the record whose gzip member is at offset in
// the file at path and has length bytes.
func recordAt(t *testing.T, path string, offset, length int64) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := readRecords(data[offset : offset+length])
	if err != nil || len(recs) != 1 {
		t.Fatalf("read %s:%d+%d: %d records, %v", path, offset, length, len(recs), err)
	}
	return recs[0].Header.Get("WARC-Record-ID")
}

// failingIndex is a DedupIndex whose calls fail.
type failingIndex struct{ lookup, add error }

func (x failingIndex) Lookup(Digest) (Original, bool, error) { return Original{}, false, x.lookup }
func (x failingIndex) Add(Digest, Original) error            { return x.add }

func TestDedupOptions(t *testing.T) {
	errIndex := errors.New("index down")
	tests := []struct {
		name        string
		opts        func(*Options)
		wantRevisit bool
		wantErr     error // from the first write
		wantRecords int   // in the file, warcinfo included
	}{
		{"default", func(*Options) {}, true, nil, 5},
		{"no dedup", func(o *Options) { o.NoDedup = true }, false, nil, 5},
		{"shared index", func(o *Options) { o.Dedup = new(MemoryIndex) }, true, nil, 5},
		{"lookup fails", func(o *Options) { o.Dedup = failingIndex{lookup: errIndex} }, false, errIndex, 1},
		{"add fails", func(o *Options) { o.Dedup = failingIndex{add: errIndex} }, false, errIndex, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(t)
			tt.opts(&opts)
			w := create(t, opts)
			_, err1 := w.WriteExchange(exchange("http://a.test/1", plainHead, "body"))
			res, err2 := w.WriteExchange(exchange("http://a.test/2", plainHead, "body"))
			if !errors.Is(err1, tt.wantErr) || !errors.Is(err2, tt.wantErr) {
				t.Errorf("errors = %v, %v; want %v", err1, err2, tt.wantErr)
			}
			if res.Revisit != tt.wantRevisit {
				t.Errorf("Revisit = %v, want %v", res.Revisit, tt.wantRevisit)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if got := len(readFile(t, w.Files()[0])); got != tt.wantRecords {
				t.Errorf("%d records, want %d", got, tt.wantRecords)
			}
		})
	}
}

// randomBody returns n bytes that do not compress.
func randomBody(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return string(b)
}

// uncompressedLen returns the size of a record as written before
// compression.
func uncompressedLen(r readRecord) int64 {
	n := len(Version) + 2 + 2 + len(r.Block) + len(recordEnd)
	for _, f := range r.Header {
		n += len(f.Name) + 2 + len(f.Value) + 2
	}
	return int64(n)
}

func TestRotation(t *testing.T) {
	bodies := []int{1000, 1000, 1000, 5000, 1000, 20000, 10, 1000, 1000, 3000}
	tests := []struct {
		name      string
		maxSize   int64
		wantFiles int
	}{
		{"no limit", 0, 1},
		{"larger than all", 1 << 20, 1},
		{"a few per file", 6000, 0}, // several, counted by the checks below
		{"smaller than warcinfo", 10, len(bodies)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(t)
			opts.MaxSize = tt.maxSize
			w := create(t, opts)
			var results []Result
			for i, n := range bodies {
				results = append(results, write(t, w, exchange(fmt.Sprintf("http://a.test/%d", i), plainHead, randomBody(uint64(i), n))))
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			files := w.Files()
			t.Logf("%d files", len(files))
			if tt.wantFiles > 0 && len(files) != tt.wantFiles {
				t.Errorf("%d files, want %d", len(files), tt.wantFiles)
			}
			if tt.wantFiles == 0 && len(files) < 3 {
				t.Errorf("%d files, want several", len(files))
			}
			next := 0 // index in bodies of the next exchange expected
			for i, path := range files {
				name := fmt.Sprintf("test-%05d.warc.gz", i)
				if filepath.Base(path) != name {
					t.Errorf("file %d is %s, want %s", i, path, name)
				}
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				recs := readFile(t, path)
				info := recs[0]
				if info.Header.Get("WARC-Type") != "warcinfo" || info.Header.Get("WARC-Filename") != name {
					t.Errorf("%s starts with %s of %q, want its warcinfo", name, info.Header.Get("WARC-Type"), info.Header.Get("WARC-Filename"))
				}
				exchanges := (len(recs) - 1) / 2
				if tt.maxSize > 0 && fi.Size() > tt.maxSize && exchanges > 1 {
					t.Errorf("%s: %d bytes > MaxSize %d with %d exchanges", name, fi.Size(), tt.maxSize, exchanges)
				}
				// The file grew by each exchange only while its worst-case
				// size fitted, and the next file began with the first that
				// did not.
				size := recs[1].Offset
				for j := 1; j+1 < len(recs); j += 2 {
					req, resp := recs[j], recs[j+1]
					if got := resp.Header.Get("WARC-Target-URI"); got != fmt.Sprintf("http://a.test/%d", next) {
						t.Fatalf("%s: exchange %s, want %d", name, got, next)
					}
					if req.Header.Get("WARC-Concurrent-To") != resp.Header.Get("WARC-Record-ID") {
						t.Errorf("%s: request and response of %d not paired", name, next)
					}
					for _, r := range []readRecord{req, resp} {
						if got := r.Header.Get("WARC-Warcinfo-ID"); got != info.Header.Get("WARC-Record-ID") {
							t.Errorf("%s: WARC-Warcinfo-ID %s, want %s", name, got, info.Header.Get("WARC-Record-ID"))
						}
					}
					bound := maxCompressed(uncompressedLen(req)) + maxCompressed(uncompressedLen(resp))
					if j > 1 && tt.maxSize > 0 && size+bound > tt.maxSize {
						t.Errorf("%s: exchange %d written at %d though it could reach %d", name, next, size, size+bound)
					}
					if results[next].File != name {
						t.Errorf("Result.File of exchange %d = %s, want %s", next, results[next].File, name)
					}
					size = fi.Size()
					if j+2 < len(recs) {
						size = recs[j+2].Offset
					}
					next++
				}
				if i+1 < len(files) && tt.maxSize > 0 {
					nrecs := readFile(t, files[i+1])
					bound := maxCompressed(uncompressedLen(nrecs[1])) + maxCompressed(uncompressedLen(nrecs[2]))
					if fi.Size()+bound <= tt.maxSize {
						t.Errorf("%s ended at %d bytes though the next exchange fitted (worst case %d)", name, fi.Size(), bound)
					}
				}
			}
			if next != len(bodies) {
				t.Errorf("read %d exchanges, wrote %d", next, len(bodies))
			}
		})
	}
}

func TestRevisitAcrossFiles(t *testing.T) {
	opts := testOptions(t)
	opts.MaxSize = 1500
	w := create(t, opts)
	first := write(t, w, exchange("http://a.test/1", plainHead, randomBody(1, 1000)))
	write(t, w, exchange("http://a.test/2", plainHead, randomBody(2, 1000)))
	again := write(t, w, exchange("http://a.test/3", plainHead, randomBody(1, 1000)))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if first.File == again.File || !again.Revisit || again.RefersTo.RecordID != first.ResponseID {
		t.Errorf("first in %s, again in %s: Revisit %v of %s, want a revisit of %s in another file",
			first.File, again.File, again.Revisit, again.RefersTo.RecordID, first.ResponseID)
	}
}

func TestMaxCompressed(t *testing.T) {
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	for _, n := range []int{0, 1, 100, 16383, 16384, 16385, 65535, 65536, 100000, 1<<20 + 7} {
		buf.Reset()
		z.Reset(&buf)
		io.WriteString(z, randomBody(uint64(n), n))
		z.Close()
		if got, bound := int64(buf.Len()), maxCompressed(int64(n)); got > bound {
			t.Errorf("%d random bytes compress to %d > maxCompressed %d", n, got, bound)
		}
	}
}

// flakyReaderAt reads like r for its first reads, then fails.
type flakyReaderAt struct {
	r     io.ReaderAt
	reads int // reads left before failing
}

func (f *flakyReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if f.reads <= 0 {
		return 0, errors.New("disk gone")
	}
	f.reads--
	return f.r.ReadAt(p, off)
}

func TestWriteExchangeErrors(t *testing.T) {
	big := randomBody(7, 100<<10)
	tests := []struct {
		name    string
		modify  func(*Exchange)
		wantErr error
	}{
		{"no URL", func(ex *Exchange) { ex.URL = "" }, ErrInvalidExchange},
		{"line break in URL", func(ex *Exchange) { ex.URL = "http://a.test/\r\nWARC-Type: x" }, ErrInvalidExchange},
		{"no request", func(ex *Exchange) { ex.Request = nil }, ErrInvalidExchange},
		{"IP with port", func(ex *Exchange) { ex.IP = "10.0.0.1:80" }, ErrInvalidExchange},
		{"no status line", func(ex *Exchange) { ex.ResponseHead = []byte("Content-Type: x\r\n\r\n") }, ErrInvalidExchange},
		{"bad status", func(ex *Exchange) { ex.ResponseHead = []byte("HTTP/1.1 OK\r\n\r\n") }, ErrInvalidExchange},
		{"head without end", func(ex *Exchange) { ex.ResponseHead = []byte("HTTP/1.1 200 OK\r\nA: b\r\n") }, ErrInvalidExchange},
		{"body in head", func(ex *Exchange) { ex.ResponseHead = []byte("HTTP/1.1 200 OK\r\n\r\nbody") }, ErrInvalidExchange},
		{"gzip transfer coding", func(ex *Exchange) {
			ex.ResponseHead = []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
		}, ErrInvalidExchange},
		{"bad truncation", func(ex *Exchange) { ex.Truncated = "yes" }, ErrInvalidExchange},
		{"length without body", func(ex *Exchange) { ex.Body = nil }, ErrInvalidExchange},
		{"negative length", func(ex *Exchange) { ex.BodyLen = -1 }, ErrInvalidExchange},
		{"short body", func(ex *Exchange) { ex.BodyLen++ }, ErrShortBody},
		// The body digests, then fails while being written: the writer
		// must cut the partial records off.
		{"body fails while written", func(ex *Exchange) {
			ex.Body = &flakyReaderAt{r: ex.Body, reads: 5}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := create(t, testOptions(t))
			write(t, w, exchange("http://a.test/before", plainHead, "before"))
			ex := exchange("http://a.test/x", plainHead, big)
			tt.modify(ex)
			_, err := w.WriteExchange(ex)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("WriteExchange = %v, want %v", err, tt.wantErr)
			}
			// Nothing of the failed exchange is in the file, which takes
			// the next one.
			write(t, w, exchange("http://a.test/after", plainHead, "after"))
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			var uris []string
			for _, r := range readFile(t, w.Files()[0])[1:] {
				uris = append(uris, r.Header.Get("WARC-Type")+" "+r.Header.Get("WARC-Target-URI"))
			}
			want := []string{"request http://a.test/before", "response http://a.test/before", "request http://a.test/after", "response http://a.test/after"}
			if strings.Join(uris, "\n") != strings.Join(want, "\n") {
				t.Errorf("records:\n%s\nwant:\n%s", strings.Join(uris, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestCreateErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "taken-00000.warc.gz"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    Options
		wantErr error
	}{
		{"no prefix", Options{Dir: dir}, nil},
		{"prefix with slash", Options{Dir: dir, Prefix: "a/b"}, nil},
		{"negative MaxSize", Options{Dir: dir, Prefix: "p", MaxSize: -1}, nil},
		{"software with line break", Options{Dir: dir, Prefix: "p", Software: "x\ny"}, nil},
		{"info repeats software", Options{Dir: dir, Prefix: "p", Info: Header{{"Software", "x"}}}, nil},
		{"info bad name", Options{Dir: dir, Prefix: "p", Info: Header{{"a b", "x"}}}, nil},
		{"existing file", Options{Dir: dir, Prefix: "taken"}, fs.ErrExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Create(tt.opts)
			if err == nil {
				w.Close()
				t.Fatal("Create succeeded")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Create = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestClosed(t *testing.T) {
	w := create(t, testOptions(t))
	if err := w.Sync(); err != nil {
		t.Errorf("Sync = %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if _, err := w.WriteExchange(exchange("http://a.test/", "", "x")); !errors.Is(err, ErrClosed) {
		t.Errorf("WriteExchange after Close = %v, want ErrClosed", err)
	}
	if err := w.Sync(); !errors.Is(err, ErrClosed) {
		t.Errorf("Sync after Close = %v, want ErrClosed", err)
	}
}

// TestConcurrentWriteExchange writes from several goroutines, with
// repeated payloads and rotation, and checks that every exchange is
// written once, its two records adjacent, and every payload archived in
// full once. Run it with -race.
func TestConcurrentWriteExchange(t *testing.T) {
	const workers, perWorker, payloads = 4, 25, 10
	opts := testOptions(t)
	opts.MaxSize = 8 << 10
	w := create(t, opts)
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for g := range workers {
		wg.Go(func() {
			for i := range perWorker {
				n := g*perWorker + i
				body := randomBody(uint64(n%payloads), 500+n%payloads*100)
				if _, err := w.WriteExchange(exchange(fmt.Sprintf("http://a.test/%d", n), plainHead, body)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	seenURL := make(map[string]bool)
	seenID := make(map[string]bool)
	responses := make(map[string]string) // payload digest -> response ID
	revisits := 0
	files := w.Files()
	if len(files) < 2 {
		t.Errorf("%d files, want rotation", len(files))
	}
	for _, path := range files {
		recs := readFile(t, path)
		if (len(recs)-1)%2 != 0 {
			t.Fatalf("%s: %d records", path, len(recs))
		}
		for _, r := range recs {
			id := r.Header.Get("WARC-Record-ID")
			if seenID[id] {
				t.Errorf("record ID %s repeated", id)
			}
			seenID[id] = true
		}
		for j := 1; j < len(recs); j += 2 {
			req, resp := recs[j], recs[j+1]
			url := req.Header.Get("WARC-Target-URI")
			if req.Header.Get("WARC-Type") != "request" || resp.Header.Get("WARC-Target-URI") != url ||
				req.Header.Get("WARC-Concurrent-To") != resp.Header.Get("WARC-Record-ID") {
				t.Errorf("%s: records %d and %d are not one exchange", path, j, j+1)
			}
			if seenURL[url] {
				t.Errorf("%s written twice", url)
			}
			seenURL[url] = true
			digest := resp.Header.Get("WARC-Payload-Digest")
			switch resp.Header.Get("WARC-Type") {
			case "response":
				if _, ok := responses[digest]; ok {
					t.Errorf("payload %s archived twice", digest)
				}
				responses[digest] = resp.Header.Get("WARC-Record-ID")
			case "revisit":
				revisits++
				if orig, ok := responses[digest]; !ok || orig != resp.Header.Get("WARC-Refers-To") {
					t.Errorf("revisit of %s refers to %s, want the earlier response %q", url, resp.Header.Get("WARC-Refers-To"), orig)
				}
			}
		}
	}
	if len(seenURL) != workers*perWorker || len(responses) != payloads || revisits != workers*perWorker-payloads {
		t.Errorf("%d exchanges, %d responses, %d revisits; want %d, %d, %d",
			len(seenURL), len(responses), revisits, workers*perWorker, payloads, workers*perWorker-payloads)
	}
}
