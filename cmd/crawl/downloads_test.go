package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
