package fetch

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
)

// newFetcher returns a Fetcher with tiny retry waits whose idle connections
// are closed when the test ends. Create servers before it, so that their
// Close runs after it.
func newFetcher(t testing.TB, opts Options) *Fetcher {
	t.Helper()
	if opts.RetryWaitMin == 0 {
		opts.RetryWaitMin = time.Millisecond
	}
	if opts.RetryWaitMax == 0 {
		opts.RetryWaitMax = 2 * time.Millisecond
	}
	f := New(opts)
	t.Cleanup(f.CloseIdleConnections)
	return f
}

// newServer starts an httptest server closed when the test ends.
func newServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// payload returns n deterministic bytes that do not compress to nothing.
func payload(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = 'a' + byte(x%26)
	}
	return b
}

// tempFileIn returns an Options.TempFile creating files in dir.
func tempFileIn(dir string) func() (*os.File, error) {
	return func() (*os.File, error) { return os.CreateTemp(dir, "spill-*") }
}

// dirEntries returns the names of the files in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// checkBody checks that b holds want, in memory or in its file.
func checkBody(t *testing.T, b *Body, want []byte, spilled bool) {
	t.Helper()
	if b == nil {
		t.Fatal("Body is nil")
	}
	if b.Len() != int64(len(want)) {
		t.Errorf("Len = %d, want %d", b.Len(), len(want))
	}
	if b.SHA256() != sha256.Sum256(want) {
		t.Errorf("SHA256 does not match the served bytes")
	}
	got := b.Bytes()
	if spilled {
		if got != nil {
			t.Errorf("Bytes = %d bytes, want nil for a spilled body", len(got))
		}
		if b.File() == nil {
			t.Fatal("File is nil for a spilled body")
		}
		var err error
		if got, err = os.ReadFile(b.File().Name()); err != nil {
			t.Fatal(err)
		}
	} else if b.File() != nil {
		t.Errorf("File = %s, want nil for a body in memory", b.File().Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("body = %d bytes %.20q, want %d bytes %.20q", len(got), got, len(want), want)
	}
}
