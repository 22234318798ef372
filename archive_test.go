package crawl

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/outcome"
)

// TestArchivePageOnlyWithCapture writes a page whose exchange cannot be
// archived (no request: a capture that lost it) to a WACZ: the URL fails,
// to be fetched again (it was only logged, and the manifest said 200),
// and the package gets no page line for it. It got one, which named a
// page whose response was not in the package.
func TestArchivePageOnlyWithCapture(t *testing.T) {
	var log bytes.Buffer
	cfg := Config{WACZ: filepath.Join(t.TempDir(), "site.wacz"), Log: &log}
	a, err := openArchive(cfg, time.Now(), "", false)
	if err != nil {
		t.Fatal(err)
	}
	resp := &fetch.Response{Status: 200, ContentType: "text/html", Body: &fetch.Body{},
		Exchanges: []*fetch.Exchange{{URL: "http://a.test/p", Date: time.Now(), Status: 200, Wire: true, Response: &fetch.Raw{}}}}
	// The URL's failure, of the kind a rerun tries again.
	if err := a.write(resp, nil, "p"); !errors.Is(err, errNotArchived) || errorKind(err) != outcome.Store || !strings.Contains(err.Error(), "no request") {
		t.Errorf("write: %v (kind %q); want it not archived, for want of a request, of kind store", err, errorKind(err))
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
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
