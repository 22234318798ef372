package mirror

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crawl-go/crawl/store"
)

// file is a saved file of a fake crawl.
type file struct {
	url, path, contentType, body string
}

// fakeCrawl writes files and their manifest as a crawl would have, plus the
// extra lines (redirects, failures), and returns the opened store and the
// manifest.
func fakeCrawl(t testing.TB, files []file, extra ...store.Record) (*store.Store, string, []byte) {
	t.Helper()
	dir := t.TempDir()
	var manifest bytes.Buffer
	w := store.NewManifestWriter(&manifest)
	for _, f := range files {
		name := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(f.body), 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(f.body))
		w.Write(&store.Record{URL: f.url, Status: 200, ContentType: f.contentType, Path: f.path,
			SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(f.body))})
	}
	for i := range extra {
		w.Write(&extra[i])
	}
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, dir, manifest.Bytes()
}

func read(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const html = "text/html; charset=utf-8"

func TestConvert(t *testing.T) {
	index := `<!DOCTYPE html><html><head><base href="http://h/">
<link rel=stylesheet href="css/s.css"><title>Home &amp; away</title></head>
<body><a href="a.html">A</a> <a href='a.html#sec'>A, section</a>
<a href="/dir/">dir</a> <a href=/old>moved</a> <a href="search?q=1&amp;r=2">search</a>
<a href="missing.html">missing</a> <a href="http://other.example/x">other</a>
<img src="img/a%20b.png" srcset="img/a%20b.png 1x, img/big.png 2x" alt="A &lt; B">
<a href="#top">top</a> <a href="mailto:me@h">mail</a> <a href="//h2/x.html">h2</a>
<p style="background: url('/img/a%20b.png')">styled</p>
</body></html>`
	wantIndex := `<!DOCTYPE html><html><head><base>
<link rel=stylesheet href="css/s.css"><title>Home &amp; away</title></head>
<body><a href="a.html">A</a> <a href='a.html#sec'>A, section</a>
<a href="dir/index.html">dir</a> <a href="new.html">moved</a> <a href="search%3Fq=1&amp;r=2.html">search</a>
<a href="http://h/missing.html">missing</a> <a href="http://other.example/x">other</a>
<img src="img/a%20b.png" srcset="img/a%20b.png 1x, http://h/img/big.png 2x" alt="A &lt; B">
<a href="#top">top</a> <a href="mailto:me@h">mail</a> <a href="../h2/x.html">h2</a>
<p style="background: url('img/a%20b.png')">styled</p>
</body></html>`
	page := `<a href="../">up</a> <img src="/img/a%20b.png"> <a href="page.html">me</a>`
	wantPage := `<a href="../index.html">up</a> <img src="../img/a%20b.png"> <a href="page.html">me</a>`
	css := `@import "reset.css"; body { background: url(../img/a%20b.png) } /* url(x.png) */`
	wantCSS := `@import "http://h/css/reset.css"; body { background: url("../img/a%20b.png") } /* url(x.png) */`
	files := []file{
		{"http://h/", "h/index.html", html, index},
		{"http://h/a.html", "h/a.html", html, `<p id=sec>A</p>`},
		{"http://h/dir/", "h/dir/index.html", html, page},
		{"http://h/dir/page.html", "h/dir/page.html", html, page},
		{"http://h/new.html", "h/new.html", html, `new`},
		{"http://h/search?q=1&r=2", "h/search?q=1&r=2.html", html, `results`},
		{"http://h/img/a%20b.png", "h/img/a b.png", "image/png", "\x89PNG"},
		{"http://h/css/s.css", "h/css/s.css", "text/css", css},
		{"http://h2/x.html", "h2/x.html", html, `<a href="http://h/a.html">back</a>`},
	}
	st, dir, manifest := fakeCrawl(t, files,
		store.Record{URL: "http://h/old", FinalURL: "http://h/new.html", Status: 301, Redirects: []string{"http://h/new.html"}},
		store.Record{URL: "http://h/missing.html", Status: 404, Error: "http 404", ErrorKind: "http_4xx"},
	)
	stats, err := Convert(context.Background(), st, bytes.NewReader(manifest), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"h/index.html":     wantIndex,
		"h/dir/index.html": wantPage,
		"h/dir/page.html":  wantPage,
		"h/css/s.css":      wantCSS,
		"h2/x.html":        `<a href="../h/a.html">back</a>`,
		"h/img/a b.png":    "\x89PNG",
	}
	for rel, w := range want {
		if got := read(t, dir, rel); got != w {
			t.Errorf("%s =\n%s\nwant\n%s", rel, got, w)
		}
	}
	if stats.Files != 8 || stats.Failed != 0 {
		t.Errorf("stats %+v; want 8 files converted, none failed", stats)
	}
	// The originals are kept, and converting again changes nothing.
	for _, f := range files {
		if !strings.HasPrefix(f.contentType, "text/") {
			continue
		}
		if got := read(t, dir, ".crawl/orig/"+f.path); got != f.body {
			t.Errorf("original of %s = %q", f.path, got)
		}
	}
	again, err := Convert(context.Background(), st, bytes.NewReader(manifest), Options{Workers: 1})
	if err != nil || again.Files != stats.Files || again.Local != stats.Local || again.Remote != stats.Remote {
		t.Errorf("second Convert: %+v, %v; first %+v", again, err, stats)
	}
	for rel, w := range want {
		if got := read(t, dir, rel); got != w {
			t.Errorf("after a second Convert, %s =\n%s", rel, got)
		}
	}
}

func TestConvertLeavesAnEditedFile(t *testing.T) {
	st, dir, manifest := fakeCrawl(t, []file{
		{"http://h/", "h/index.html", html, `<a href="/a.html">a</a>`},
		{"http://h/a.html", "h/a.html", html, `a`},
	})
	edited := `<a href="/a.html">edited by hand</a>`
	os.WriteFile(filepath.Join(dir, "h", "index.html"), []byte(edited), 0o644)
	var log bytes.Buffer
	stats, err := Convert(context.Background(), st, bytes.NewReader(manifest), Options{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Failed != 1 || !strings.Contains(log.String(), "h/index.html") {
		t.Errorf("stats %+v, log %q; want one failure naming h/index.html", stats, log.String())
	}
	if got := read(t, dir, "h/index.html"); got != edited {
		t.Errorf("an edited file was rewritten: %q", got)
	}
}

func TestConvertStopsWithContext(t *testing.T) {
	st, _, manifest := fakeCrawl(t, []file{{"http://h/", "h/index.html", html, `<a href="/">x</a>`}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Convert(ctx, st, bytes.NewReader(manifest), Options{}); err != context.Canceled {
		t.Errorf("Convert with a cancelled context = %v", err)
	}
}

func TestRelative(t *testing.T) {
	tests := []struct{ from, to, frag, want string }{
		{"h/index.html", "h/a.html", "", "a.html"},
		{"h/index.html", "h/index.html", "top", "index.html#top"},
		{"h/a/b/c.html", "h/a/x.html", "", "../x.html"},
		{"h/a/b/c.html", "h/a/b/d/e.html", "", "d/e.html"},
		{"h/a.html", "h2/b.html", "", "../h2/b.html"},
		{"h/a.html", "h/q?x=1 y#z%.html", "", "q%3Fx=1%20y%23z%25.html"},
		{"h/a.html", "h/c:d.html", "", "c%3Ad.html"},
		{"h/a.html", "h/é.png", "", "%C3%A9.png"},
	}
	for _, tt := range tests {
		if got := relative(tt.from, tt.to, tt.frag); got != tt.want {
			t.Errorf("relative(%q, %q, %q) = %q; want %q", tt.from, tt.to, tt.frag, got, tt.want)
		}
	}
}
