package store

import (
	"bytes"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func mustParse(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", s, err)
	}
	return u
}

func TestPath(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name, url, ct, want string
	}{
		{"root", "http://example.com/", "text/html", "example.com/index.html"},
		{"empty path", "http://example.com", "text/html", "example.com/index.html"},
		{"port", "http://127.0.0.1:18080/a/b.html", "text/html", "127.0.0.1_18080/a/b.html"},
		{"default port dropped", "https://example.com:443/a.css", "text/css", "example.com/a.css"},
		{"ipv6", "http://[::1]:8080/x.js", "", "::1_8080/x.js"},
		{"ipv6 zone", "http://[fe80::1%25en0]/x.js", "", "fe80::1%25en0/x.js"},
		{"uppercase host", "http://EXAMPLE.com/a.html", "", "example.com/a.html"},
		{"directory", "http://h/a/b/", "text/html", "h/a/b/index.html"},
		{"space decoded", "http://h/a%20b/c.html", "text/html", "h/a b/c.html"},
		{"unicode", "http://h/%C3%A9t%C3%A9.html", "", "h/été.html"},
		{"tilde", "http://h/~user/x.html", "", "h/~user/x.html"},
		{"percent", "http://h/100%25.html", "", "h/100%25.html"},
		{"encoded slash", "http://h/a%2Fb.html", "", "h/a%2Fb.html"},
		{"encoded question", "http://h/a%3Fb.html", "", "h/a%3Fb.html"},
		{"control byte", "http://h/a%0Ab.html", "", "h/a%0Ab.html"},
		{"nul", "http://h/a%00b.html", "", "h/a%00b.html"},
		{"del", "http://h/a%7Fb.html", "", "h/a%7Fb.html"},
		{"invalid utf8", "http://h/a%FFb.html", "", "h/a%FFb.html"},
		{"dot segment", "http://h/a/%2E/b.html", "", "h/a/%2E/b.html"},
		{"dotdot segment", "http://h/a/%2E%2E/b.html", "", "h/a/%2E%2E/b.html"},
		{"literal dotdot", "http://h/a/../b.html", "", "h/a/%2E%2E/b.html"},
		{"empty segment", "http://h/a//b.html", "", "h/a/%/b.html"},
		{"query", "http://h/_static/pydoctheme.css?2022.1", "text/css", "h/_static/pydoctheme.css?2022.1"},
		{"query on slash", "http://h/?q=1", "text/html", "h/index.html?q=1"},
		{"query escapes", "http://h/a.html?x=%2F/%25", "", "h/a.html?x=%252F%2F%2525"},
		{"query then extension", "http://h/search?q=1", "text/html", "h/search?q=1.html"},
		{"extension from type", "http://h/img/42", "image/png", "h/img/42.png"},
		{"type with parameters", "http://h/p", "text/html; charset=utf-8", "h/p.html"},
		{"unknown type", "http://h/blob", "application/x-unknown", "h/blob"},
		{"no type", "http://h/blob", "", "h/blob"},
		{"existing extension kept", "http://h/a.php", "text/html", "h/a.php"},
		{"dotfile gets extension", "http://h/.hidden", "text/plain", "h/.hidden.txt"},
		{"trailing dot", "http://h/a.", "text/html", "h/a..html"},
		{"hidden host", "http://.crawl/x.html", "", "%2Ecrawl/x.html"},
		{"no host", "file:///etc/passwd", "", "%/etc/passwd"},
		{"long name", "http://h/" + long + ".html", "", "h/" + strings.Repeat("x", 233) + "~" + hash16(long+".html") + ".html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Path(mustParse(t, tt.url), tt.ct)
			if got != tt.want {
				t.Errorf("Path(%s, %q) = %q; want %q", tt.url, tt.ct, got, tt.want)
			}
			checkPath(t, got)
		})
	}
}

func hash16(s string) string {
	h := hashName("", s)
	return h[1:]
}

func TestPathLimits(t *testing.T) {
	long := func(n int, unit string) string { return strings.Repeat(unit, n/len(unit)) }
	tests := []struct {
		name, url string
		wantExt   string // the extension the result keeps
	}{
		{"deep", "http://h" + strings.Repeat("/"+long(200, "d"), 40) + "/file.html", ".html"},
		{"many short folders", "http://h" + strings.Repeat("/ab", 2700) + "/x.css", ".css"},
		{"long name", "http://h/" + long(8000, "n") + ".html", ".html"},
		{"long query", "http://h/search?" + long(8000, "q=1&"), ".html"},
		{"long multibyte name", "http://h/" + long(7998, "%C3%A9") + ".png", ".png"},
		{"long multibyte folders", "http://h" + strings.Repeat("/"+long(300, "€"), 20) + "/a.js", ".js"},
		// The folders (3,576 bytes) leave no room for a name of MaxName
		// bytes, although the path itself would be short enough.
		{"folders just too long", "http://h" + strings.Repeat("/"+long(250, "f"), 14) + "/" + long(60, "e") + "/" + long(40, "g"), ".html"},
		{"path of 8000 bytes", "http://h" + strings.Repeat("/"+long(99, "p"), 80), ".html"},
		{"escapes", "http://h/" + long(8000, "%00"), ".html"},
		{"huge", "http://h/" + long(1200, "%C3%A9") + "?" + long(400, "q"), ".html"},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := mustParse(t, tt.url)
			got := Path(u, "text/html")
			checkPath(t, got)
			if !strings.HasSuffix(got, tt.wantExt) {
				t.Errorf("Path(%.40s...) = ...%s; want the extension %s kept", tt.url, got[max(0, len(got)-40):], tt.wantExt)
			}
			if !strings.HasPrefix(got, "h/") {
				t.Errorf("Path(%.40s...) = %.40s...; want the host folder kept", tt.url, got)
			}
			if again := Path(mustParse(t, tt.url), "text/html"); again != got {
				t.Errorf("Path is not stable: %q then %q", got, again)
			}
			if other, ok := seen[got]; ok {
				t.Errorf("Path(%.40s...) = Path(%.40s...) = %q", tt.url, other, got)
			}
			seen[got] = tt.url

			// URLs that differ only after the cut, in the last byte of the
			// path or of the query, stay apart.
			for _, v := range []*url.URL{
				{Scheme: u.Scheme, Host: u.Host, Path: u.Path + "x", RawQuery: u.RawQuery},
				{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawQuery: u.RawQuery + "x"},
				{Scheme: u.Scheme, Host: u.Host, Path: "/0" + u.Path[2:], RawQuery: u.RawQuery},
			} {
				if p := Path(v, "text/html"); p == got {
					t.Errorf("Path(%.40s...) and Path(%.40s...) are both %q", tt.url, v, got)
				}
			}
		})
	}
}

// TestPathShortenedOnDisk saves bodies of very long URLs through a Store,
// on the file system of this machine, and reads them back through the
// paths a manifest records.
func TestPathShortenedOnDisk(t *testing.T) {
	s, dir := openStore(t, Options{})
	var manifest bytes.Buffer
	mw := NewManifestWriter(&manifest)
	urls := []string{
		"http://h/" + strings.Repeat("n", 8000),
		"http://h/" + strings.Repeat("n", 7999) + "m",
		"http://h/" + strings.Repeat("%C3%A9", 1333) + "?x=1",
		"http://h" + strings.Repeat("/"+strings.Repeat("d", 99), 80) + "/",
		"http://h" + strings.Repeat("/"+strings.Repeat("d", 99), 40) + "/?q=" + strings.Repeat("v", 4000),
		"http://h/a?" + strings.Repeat("q=1&", 2000),
		"http://h/a?" + strings.Repeat("q=1&", 1999) + "q=2",
	}
	for i, raw := range urls {
		u := mustParse(t, raw)
		if len(raw) > 8200 {
			t.Fatalf("test URL %d is %d bytes", i, len(raw))
		}
		rel := Path(u, "text/html")
		body := "body of " + raw
		var got string
		var err error
		if i%2 == 0 {
			got, err = s.Put(AdjustExtension(rel, "text/html"), []byte(body))
		} else {
			// Large bodies are streamed to a temporary file first.
			var f *os.File
			if f, err = s.TempFile(); err != nil {
				t.Fatal(err)
			}
			if _, err = f.WriteString(body); err != nil {
				t.Fatal(err)
			}
			got, err = s.PutFile(rel, f)
		}
		if err != nil {
			t.Fatalf("saving %.40s... as %.40s...: %v", raw, rel, err)
		}
		checkPath(t, got)
		if err := mw.Write(&Record{URL: raw, Path: got, Status: 200}); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	n := 0
	paths := map[string]bool{}
	err := ReadManifest(&manifest, func(r *Record) error {
		n++
		if paths[r.Path] {
			t.Errorf("two URLs saved as %s", r.Path)
		}
		paths[r.Path] = true
		abs := filepath.Join(dir, filepath.FromSlash(r.Path))
		if len(abs) >= 4096 {
			t.Errorf("%s: absolute path of %d bytes", r.Path, len(abs))
		}
		wantFile(t, dir, r.Path, "body of "+r.URL)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(urls) {
		t.Errorf("manifest has %d records; want %d", n, len(urls))
	}
	wantNoTemp(t, dir)
}

// checkPath fails t unless p has the invariants Path promises.
func checkPath(t testing.TB, p string) {
	t.Helper()
	if p == "" || strings.HasPrefix(p, "/") {
		t.Fatalf("path %q is empty or absolute", p)
	}
	if len(p) > MaxPath {
		t.Fatalf("path of %d bytes is longer than MaxPath", len(p))
	}
	if dir := path.Dir(p); dir == "." || len(dir)+1+MaxName > MaxPath {
		t.Fatalf("path of %d bytes leaves no room for a file name of MaxName bytes in its folder of %d", len(p), len(dir))
	}
	if strings.IndexByte(p, 0) >= 0 {
		t.Fatalf("path %q contains NUL", p)
	}
	if !utf8.ValidString(p) {
		t.Fatalf("path %q is not valid UTF-8", p)
	}
	for i, c := range strings.Split(p, "/") {
		if c == "" || c == "." || c == ".." {
			t.Fatalf("path %q has component %q", p, c)
		}
		if len(c) > MaxName {
			t.Fatalf("path %q has a component of %d bytes", p, len(c))
		}
		if i == 0 && strings.HasPrefix(c, ".") {
			t.Fatalf("path %q has a hidden host folder", p)
		}
		for _, b := range []byte(c) {
			if b < 0x20 || b == 0x7f {
				t.Fatalf("path %q has control byte %#x", p, b)
			}
		}
	}
	const dir = "/srv/out"
	j := filepath.Join(dir, p)
	if !strings.HasPrefix(j, dir+"/") || !filepath.IsLocal(p) {
		t.Fatalf("path %q leaves the output directory: %s", p, j)
	}
}

// decodeName inverts Path for the reversible cases: it returns the
// decoded path segments and the raw query of a file path (host folder
// dropped).
func decodeName(p string) (segs []string, query string, hasQuery bool) {
	comps := strings.Split(p, "/")[1:]
	last := comps[len(comps)-1]
	if name, q, ok := strings.Cut(last, "?"); ok {
		comps[len(comps)-1] = name
		query, hasQuery = unescape(q), true
	}
	for _, c := range comps {
		if c == emptyName {
			c = ""
		}
		segs = append(segs, unescape(c))
	}
	return segs, query, hasQuery
}

// escapePath escapes decoded segments as RFC 3986 path segments with
// uppercase hex: the canonical form the test URLs are written in.
func escapePath(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		for _, c := range []byte(s) {
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
				strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0 {
				b.WriteByte(c)
			} else {
				b.WriteString("%" + string(upperHex[c>>4]) + string(upperHex[c&0xf]))
			}
		}
	}
	return b.String()
}

func TestPathReversible(t *testing.T) {
	for _, s := range []string{
		"/a/b.html",
		"/a%20b/c.html",
		"/100%25/x%2Fy%3Fz.css",
		"/%C3%A9t%C3%A9/%E2%82%AC.html",
		"/a%00b/%0A%7F%FF.js",
		"/a//b.html",
		"//x.png",
		"/_static/pydoctheme.css?2022.1",
		"/search.php?q=a%20b&x=%2F/%25&y=?",
		"/index.html?",
		"/~user/a~b.html",
	} {
		t.Run(s, func(t *testing.T) {
			u := mustParse(t, "http://h"+s)
			got := Path(u, "text/html")
			segs, q, hasQ := decodeName(got)
			if ep := escapePath(segs); ep != u.EscapedPath() {
				t.Errorf("Path = %q decodes to path %q; want %q", got, ep, u.EscapedPath())
			}
			if q != u.RawQuery || hasQ != (u.RawQuery != "" || u.ForceQuery) {
				t.Errorf("Path = %q decodes to query %q (%v); want %q", got, q, hasQ, u.RawQuery)
			}
		})
	}
}

func TestExtension(t *testing.T) {
	tests := map[string]string{
		"text/html":                 ".html",
		"TEXT/HTML; charset=UTF-8":  ".html",
		" application/xhtml+xml ":   ".html",
		"application/javascript":    ".js",
		"image/vnd.microsoft.icon":  ".ico",
		"image/jpeg":                ".jpg",
		"font/woff2":                ".woff2",
		"application/octet-stream":  "",
		"":                          "",
		"text/html-but-not-quite/x": "",
	}
	for ct, want := range tests {
		t.Run(ct, func(t *testing.T) {
			if got := Extension(ct); got != want {
				t.Errorf("Extension(%q) = %q; want %q", ct, got, want)
			}
		})
	}
}

func FuzzPath(f *testing.F) {
	f.Add("http://127.0.0.1:18080/a%20b/c?x=1", "h", "/a/b", "", "q=1", "text/html")
	f.Add("http://[::1]:80/%2e%2e/", "..", "/../..", "/%2E%2E/%2e", "", "image/png")
	f.Add("https://x/a//b/./", ".crawl", "//", "%zz", "%", "")
	f.Add("http://h/"+strings.Repeat("%FF", 100), "", "\x00/\xff", "/a%2fb", "a/b\x00", "text/css")
	f.Fuzz(func(t *testing.T, raw, host, p, rawPath, query, ct string) {
		var urls []*url.URL
		if u, err := url.Parse(raw); err == nil {
			urls = append(urls, u)
		}
		urls = append(urls,
			&url.URL{Scheme: "http", Host: host, Path: p, RawPath: rawPath, RawQuery: query},
			&url.URL{Scheme: "https", Host: host + ":443", Path: p, ForceQuery: true},
			&url.URL{Opaque: p, Host: host},
		)
		for _, u := range urls {
			got := Path(u, ct)
			checkPath(t, got)
			if again := Path(u, ct); again != got {
				t.Fatalf("Path is not deterministic: %q then %q", got, again)
			}
		}

		// Blown up to URLs of 3 to 5 KB, around the point where paths
		// are folded, the bounds hold (checkPath), and a byte more at
		// the end of the path or the query still gives another path,
		// shortened or not.
		seg := strings.Trim(p, "/")
		if seg == "" {
			seg = "s"
		}
		size := 3000 + (len(raw)*131+len(p)*17)%2000
		big := strings.Repeat("/"+seg, size/(len(seg)+1)+1)
		for _, u := range []*url.URL{
			{Scheme: "http", Host: host, Path: big, RawQuery: query},
			{Scheme: "http", Host: host, Path: "/" + seg, RawQuery: strings.Repeat(query+"&", size/(len(query)+1)+1)},
		} {
			got := Path(u, ct)
			checkPath(t, got)
			if again := Path(u, ct); again != got {
				t.Fatalf("Path is not deterministic: %q then %q", got, again)
			}
			longer := *u
			longer.Path += "x"
			if Path(&longer, ct) == got {
				t.Fatalf("Path(%.60q...) is also the path of the URL with one more byte of path: %q", u, got)
			}
			longer = *u
			longer.RawQuery += "x"
			if Path(&longer, ct) == got {
				t.Fatalf("Path(%.60q...) is also the path of the URL with one more byte of query: %q", u, got)
			}
		}
		// Short paths that get no extension decode back to the URL.
		u, err := url.Parse(raw)
		if err != nil || Extension(ct) != "" || u.Opaque != "" {
			return
		}
		ep := u.EscapedPath()
		if ep == "" || !strings.HasPrefix(ep, "/") || strings.HasSuffix(ep, "/") ||
			len(ep)+len(u.RawQuery) > 60 || strings.Count(ep, "/") > 10 {
			return
		}
		segs, q, hasQ := decodeName(Path(u, ct))
		want := strings.Split(ep, "/")[1:]
		for i := range want {
			want[i] = unescape(want[i])
		}
		if strings.Join(segs, "\x00/") != strings.Join(want, "\x00/") {
			t.Fatalf("Path(%q) decodes to %q; want %q", raw, segs, want)
		}
		if q != u.RawQuery || hasQ != (u.RawQuery != "" || u.ForceQuery) {
			t.Fatalf("Path(%q) decodes to query %q; want %q", raw, q, u.RawQuery)
		}
	})
}

func BenchmarkPath(b *testing.B) {
	urls := []*url.URL{
		mustParse(b, "http://127.0.0.1:18080/s03/p00123.html"),
		mustParse(b, "http://127.0.0.1:18081/library/a%20b/index.html?x=1"),
		mustParse(b, "http://127.0.0.1:18081/api/posts/42"),
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Path(urls[i%len(urls)], "text/html; charset=utf-8")
	}
}

func TestAdjustExtension(t *testing.T) {
	long := strings.Repeat("x", MaxName-2)
	tests := []struct {
		rel, contentType, want string
	}{
		{"h/page.php", "text/html; charset=utf-8", "h/page.php.html"},
		{"h/page.html", "text/html", "h/page.html"},
		{"h/PAGE.HTM", "text/html", "h/PAGE.HTM"},
		{"h/page.html?x=1", "text/html", "h/page.html?x=1.html"},
		{"h/search?q=1.html", "text/html", "h/search?q=1.html"},
		{"h/style.php", "text/css", "h/style.php.css"},
		{"h/style.css", "text/css", "h/style.css"},
		{"h/style.css?v=2", "text/css", "h/style.css?v=2.css"},
		{"h/data.php", "application/json", "h/data.php"},
		{"h/img.php", "image/png", "h/img.php"},
		{"h/.html", "text/html", "h/.html.html"},
		{"h/" + long, "text/html", "h/" + hashName(long+".html", long)},
	}
	for _, tt := range tests {
		got := AdjustExtension(tt.rel, tt.contentType)
		if got != tt.want {
			t.Errorf("AdjustExtension(%q, %q) = %q; want %q", tt.rel, tt.contentType, got, tt.want)
		}
		if len(path.Base(got)) > MaxName {
			t.Errorf("AdjustExtension(%q) = a name of %d bytes", tt.rel, len(path.Base(got)))
		}
	}
}
