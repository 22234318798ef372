package crawl

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/crawl-go/crawl/store/warc"
)

func TestCrawlWARC(t *testing.T) {
	srv, _ := serveSite(t, nil)
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 1
	cfg.WARC = filepath.Join(t.TempDir(), "site.warc.gz")
	cfg.NoMirror = true
	_, recs := crawlT(t, cfg)

	f, err := os.Open(filepath.Join(filepath.Dir(cfg.WARC), "site-00000.warc.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	types := map[string]int{}
	bodies := map[string][]byte{}
	r := warc.NewReader(f)
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
		typ := rec.Header.Get("WARC-Type")
		types[typ]++
		if typ == "response" {
			bodies[rec.Header.Get("WARC-Target-URI")] = block
		}
	}
	fetched := 0
	for _, rec := range recs {
		if rec.Error == "" {
			fetched++
		}
		if rec.Path != "" {
			t.Errorf("--no-mirror saved %s", rec.Path)
		}
	}
	if types["warcinfo"] != 1 || types["request"] != fetched || types["response"]+types["revisit"] != fetched {
		t.Errorf("records %v for %d fetched URLs", types, fetched)
	}
	want, _ := os.ReadFile("testdata/site/about.html")
	got := bodies[srv.URL+"/about.html"]
	if !bytes.HasPrefix(got, []byte("HTTP/1.1 200 OK\r\n")) || !bytes.HasSuffix(got, want) {
		t.Errorf("about.html's response record does not hold its body:\n%.200s", got)
	}
}
