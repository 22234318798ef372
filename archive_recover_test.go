package crawl

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/crawl-go/crawl/store/warc/cdxj"
)

// TestIndexWARC indexes the WARC file of a crawl from its records, as a
// crawl killed before it wrote its index needs: the lines are those the
// crawl's own index has. Cut in its last record, the file is cut back to
// its whole records, and their lines are the same but the last's.
func TestIndexWARC(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir("testdata/site")))
	defer srv.Close()
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 1
	dir := t.TempDir()
	cfg.WARC = filepath.Join(dir, "site.warc.gz")
	crawlT(t, cfg)
	want, err := os.ReadFile(filepath.Join(dir, "site.cdxj"))
	if err != nil {
		t.Fatal(err)
	}
	warcPath := filepath.Join(dir, "site-00000.warc.gz")
	lines := func(entries []cdxj.Entry) string {
		var b []byte
		for i := range entries {
			b = entries[i].AppendLine(b)
		}
		ls := strings.Split(strings.TrimSpace(string(b)), "\n")
		slices.Sort(ls)
		return strings.Join(ls, "\n") + "\n"
	}
	entries, err := indexWARC(warcPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := lines(entries); got != string(want) {
		t.Fatalf("the index made from the records:\n%s\nthe crawl's:\n%s", got, want)
	}

	// Cut in the middle of its last record, as a kill leaves it.
	data, _ := os.ReadFile(warcPath)
	off := 0
	for _, e := range entries {
		if o, _ := strconv.Atoi(e.Offset); o > off {
			off = o
		}
	}
	if err := os.WriteFile(warcPath, data[:off+10], 0o644); err != nil {
		t.Fatal(err)
	}
	cut, err := indexWARC(warcPath)
	if err != nil {
		t.Fatalf("indexing the cut file: %v", err)
	}
	if len(cut) != len(entries)-1 {
		t.Errorf("%d entries in the cut file; want %d", len(cut), len(entries)-1)
	}
	after, _ := os.ReadFile(warcPath)
	if !bytes.Equal(after, data[:off]) {
		t.Errorf("the cut file is %d bytes; want it cut back to %d, where its last record began", len(after), off)
	}
}
