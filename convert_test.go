package crawl

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/store"
)

// checkMirror fails t unless every link of every saved HTML and CSS file
// leads to a file of the mirror or, for URLs not saved, to the original
// site.
func checkMirror(t *testing.T, dir string, recs map[string]*store.Record) (local, remote int) {
	t.Helper()
	saved := make(map[string]bool)
	for u, r := range recs {
		if r.Path != "" {
			saved[u] = true
		}
	}
	const mirrorHost = "mirror.invalid"
	for u, r := range recs {
		typ := parse.Classify(r.ContentType)
		if r.Path == "" || typ != parse.TypeHTML && typ != parse.TypeCSS {
			continue
		}
		body, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(r.Path)))
		if err != nil {
			t.Fatal(err)
		}
		base := &url.URL{Scheme: "http", Host: mirrorHost, Path: "/" + r.Path}
		var links []parse.Link
		if typ == parse.TypeHTML {
			links = parse.HTML(base, body, parse.Options{}, nil)
		} else {
			links = parse.CSS(base, body, parse.Options{}, nil)
		}
		for _, l := range links {
			if l.URL.Host != mirrorHost {
				remote++
				if saved[l.URL.String()] {
					t.Errorf("%s (%s) links to %s, which is saved, on the web", u, r.Path, l.URL)
				}
				continue
			}
			local++
			rel := strings.TrimPrefix(l.URL.Path, "/")
			if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err != nil || fi.IsDir() {
				t.Errorf("%s (%s) links to %s, which is not a file of the mirror", u, r.Path, rel)
			}
		}
	}
	return local, remote
}

func TestConvertLinks(t *testing.T) {
	srv, count := serveSite(t, nil)
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 2
	cfg.ConvertLinks = true
	sum, recs := crawlT(t, cfg)
	if sum.Converted.Files < 10 || sum.Converted.Failed != 0 {
		t.Errorf("converted %+v", sum.Converted)
	}
	local, remote := checkMirror(t, cfg.OutDir, recs)
	if local < 20 || remote == 0 {
		t.Errorf("%d local and %d remote links; want links of both kinds (the site links past depth 2)", local, remote)
	}
	if !strings.Contains(sum.String(), "links converted in") {
		t.Errorf("summary does not say what was converted:\n%s", sum)
	}

	// A re-crawl reads the links of unchanged pages from their originals,
	// so it visits the same URLs, and converts to the same bytes.
	before := make(map[string]string)
	for _, r := range recs {
		if r.Path != "" {
			before[r.Path] = readOut(t, cfg.OutDir, r.Path)
		}
	}
	requests := func() int {
		count.mu.Lock()
		defer count.mu.Unlock()
		n := 0
		for _, v := range count.n {
			n += v
		}
		return n
	}
	n := requests()
	cfg.Update = true
	_, again := crawlT(t, cfg)
	if len(again) != len(recs) {
		t.Errorf("re-crawl of a converted mirror recorded %d URLs; the first crawl %d", len(again), len(recs))
	}
	if got := requests() - n; got != len(recs) {
		t.Errorf("re-crawl made %d requests for %d URLs", got, len(recs))
	}
	for p, b := range before {
		if got := readOut(t, cfg.OutDir, p); got != b {
			t.Errorf("%s changed in a re-crawl of an unchanged site", p)
		}
	}
}
