package crawl

import (
	"archive/zip"
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crawl-go/crawl/fetch"
)

// TestArchivePageOnlyWithCapture writes a page whose exchange cannot be
// archived (no request: a capture that lost it) to a WACZ: the package
// gets no page line for it. It got one, which named a page whose
// response was not in the package.
func TestArchivePageOnlyWithCapture(t *testing.T) {
	var log bytes.Buffer
	cfg := Config{WACZ: filepath.Join(t.TempDir(), "site.wacz"), Log: &log}
	a, err := openArchive(cfg, time.Now(), "", false)
	if err != nil {
		t.Fatal(err)
	}
	resp := &fetch.Response{Status: 200, ContentType: "text/html", Body: &fetch.Body{},
		Exchanges: []*fetch.Exchange{{URL: "http://a.test/p", Date: time.Now(), Status: 200, Wire: true, Response: &fetch.Raw{}}}}
	if err := a.write(resp, nil, "p"); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "not archived") {
		t.Errorf("log %q; want the exchange reported as not archived", log.String())
	}
	zr, err := zip.OpenReader(cfg.WACZ)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != "pages/pages.jsonl" {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) != 1 {
			t.Errorf("pages.jsonl has %d page lines; want none:\n%s", len(lines)-1, b)
		}
		return
	}
	t.Fatal("no pages/pages.jsonl in the package")
}
