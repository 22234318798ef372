package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crawl-go/crawl/scope"
)

// npFiles returns the files under the host folder of a crawl into out.
func npFiles(t *testing.T, out, srvURL string) []string {
	t.Helper()
	host := strings.ReplaceAll(strings.TrimPrefix(srvURL, "http://"), ":", "_")
	root := filepath.Join(out, host)
	var files []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(files)
	return files
}

// TestWgetFileSets crawls testdata/np with wget's flags and compares the
// files saved with those wget 1.21.3 saves with the same flags (and -nH,
// which crawl does not take: the host folder is left out here). wget -r
// has no requisites past the depth limit without -p, which a crawl always
// fetches; so the wget commands have -p.
func TestWgetFileSets(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir("testdata/np")))
	defer srv.Close()
	tests := []struct {
		name  string
		args  []string
		wget  []string // wget -nH -P DIR with the same flags (-p added)
		extra []string // pages crawl keeps where wget deletes them
	}{
		{
			name: "-r -l 2 -np",
			args: []string{"-r", "-l", "2", "-np"},
			wget: []string{"docs/a.html", "docs/c.html", "docs/file.pdf", "docs/img/local.png", "docs/index.html",
				"docs/sub/b.html", "docs/sub/deeper/e.html", "img/bg.png", "img/c.png", "img/logo.png", "static/site.css"},
		},
		{
			name: "--no-parent --level=2 --recursive",
			args: []string{"--no-parent", "--level=2", "--recursive"},
			wget: []string{"docs/a.html", "docs/c.html", "docs/file.pdf", "docs/img/local.png", "docs/index.html",
				"docs/sub/b.html", "docs/sub/deeper/e.html", "img/bg.png", "img/c.png", "img/logo.png", "static/site.css"},
		},
		{
			name: "-r -l 2 -np -A pdf",
			args: []string{"-r", "-l", "2", "-np", "-A", "pdf"},
			wget: []string{"docs/file.pdf"},
			// The pages followed to find it, which wget deletes; c.html
			// and e.html are at the depth limit and would not be
			// followed once the engine takes -A (scope.Rules.Accept).
			extra: []string{"docs/a.html", "docs/c.html", "docs/index.html", "docs/sub/b.html", "docs/sub/deeper/e.html"},
		},
		{
			name: "-r -l 2 -R png,css",
			args: []string{"-r", "-l", "2", "-R", "png,css"},
			wget: []string{"about.html", "docs/a.html", "docs/c.html", "docs/file.pdf", "docs/index.html", "docs/sub/b.html",
				"docs/sub/deeper/e.html", "files/top.pdf", "index.html", "other/x.html"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			var stderr bytes.Buffer
			args := append(append([]string{"-q", "-P", out}, tt.args...), srv.URL+"/docs/")
			if code := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr); code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			want := slices.Sorted(slices.Values(append(slices.Clone(tt.wget), tt.extra...)))
			want = slices.Compact(want)
			if got := npFiles(t, out, srv.URL); !slices.Equal(got, want) {
				t.Errorf("files\n%q\nwant\n%q", got, want)
			}
		})
	}
}

// TestApproxScope checks that the patterns -np, -A and -R become until
// the engine takes them decide as scope.Rules do, for links that are not
// at the depth limit and whose names say what they are.
func TestApproxScope(t *testing.T) {
	seeds := []*url.URL{mustParse(t, "https://a.test/docs/guide/index.html"), mustParse(t, "https://a.test/api/")}
	links := []struct {
		url       string
		requisite bool
	}{
		{"https://a.test/docs/guide/", false},
		{"https://a.test/docs/guide/x/y.html", false},
		{"https://a.test/docs/guide/file.pdf", false},
		{"https://a.test/docs/guide/FILE.PDF?dl=1", false},
		{"https://a.test/docs/guide/a%20b.pdf", false},
		{"https://a.test/docs/guide/intro", false},
		{"https://a.test/docs/guide/img.png", true},
		{"https://a.test/docs/guide/pkg-1.2.tar.gz", false},
		{"https://a.test/docs/guide/page.php?id=3", false},
		{"https://a.test/docs/other.html", false},
		{"https://a.test/docs/other.pdf", false},
		{"https://a.test/static/site.css", true},
		{"https://a.test/img/logo.png?v=2", true},
		{"https://a.test/api/v1/", false},
		{"https://a.test/api", false},
		{"http://a.test:8080/api/x.zip", false},
	}
	for _, tt := range []struct {
		name           string
		noParent       bool
		accept, reject []string
	}{
		{"-np", true, nil, nil},
		{"-A", false, []string{"pdf", "*.tar.gz"}, nil},
		{"-R", false, nil, []string{"png", "*.zip", "a b.pdf"}},
		{"-np -A", true, []string{".pdf", "pkg-?.?.tar.gz"}, nil},
		{"-np -A -R", true, []string{"pdf", "zip"}, []string{"file.*"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inc, exc, err := approxScope(seeds, scope.Host, tt.noParent, tt.accept, tt.reject, 0)
			if err != nil {
				t.Fatal(err)
			}
			approx := scope.New(scope.Rules{Mode: scope.Host, MaxDepth: 5, Include: inc, Exclude: exc}, seeds)
			exact := scope.New(scope.Rules{Mode: scope.Host, MaxDepth: 5, NoParent: tt.noParent, Accept: tt.accept, Reject: tt.reject}, seeds)
			for _, l := range links {
				u := mustParse(t, l.url)
				got := approx.Check(scope.Parent{}, u, l.requisite) == scope.Follow
				want := exact.Check(scope.Parent{}, u, l.requisite) == scope.Follow
				if got != want {
					t.Errorf("%s: patterns follow it: %v; the rules: %v (include %v, exclude %v)", l.url, got, want, inc, exc)
				}
			}
		})
	}
	if _, _, err := approxScope(seeds, scope.Host, true, nil, nil, 1); err == nil {
		t.Error("-np with --include was taken")
	}
	if _, _, err := approxScope(seeds, scope.Domain, true, nil, nil, 0); err == nil {
		t.Error("-np with --scope domain was taken")
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestWgetFlags runs wget's spellings against a server that records what
// it gets.
func TestWgetFlags(t *testing.T) {
	var mu sync.Mutex
	var got []*http.Request
	site := http.FileServer(http.Dir("testdata/np"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r)
		mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
		case "/private", "/about.html":
			fmt.Fprint(w, "private")
		case "/fail":
			http.Error(w, "down", http.StatusServiceUnavailable)
		case "/stall":
			w.Header().Set("Content-Length", "10")
			w.Write([]byte("x"))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		default:
			site.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	requests := func() []*http.Request {
		mu.Lock()
		defer mu.Unlock()
		r := got
		got = nil
		return r
	}
	paths := func(rs []*http.Request) []string {
		var p []string
		for _, r := range rs {
			p = append(p, r.URL.Path)
		}
		return p
	}
	tests := []struct {
		name  string
		args  []string
		code  int
		check func(t *testing.T, out string, rs []*http.Request, stderr string)
	}{
		{"-U", []string{"-U", "wgetlike/1.0", srv.URL + "/about.html"}, exitOK, func(t *testing.T, _ string, rs []*http.Request, _ string) {
			for _, r := range rs {
				if r.UserAgent() != "wgetlike/1.0" {
					t.Errorf("%s got User-Agent %q", r.URL.Path, r.UserAgent())
				}
			}
		}},
		{"--header", []string{"--header", "X-Test: yes", srv.URL + "/about.html"}, exitOK, func(t *testing.T, _ string, rs []*http.Request, _ string) {
			if r := rs[len(rs)-1]; r.Header.Get("X-Test") != "yes" {
				t.Errorf("no X-Test header in %v", r.Header)
			}
		}},
		{"robots obeyed", []string{srv.URL + "/private"}, exitOK, func(t *testing.T, _ string, rs []*http.Request, _ string) {
			if slices.Contains(paths(rs), "/private") {
				t.Error("/private fetched")
			}
		}},
		{"-e robots=off", []string{"-e", "robots=off", srv.URL + "/private"}, exitOK, func(t *testing.T, _ string, rs []*http.Request, _ string) {
			if p := paths(rs); !slices.Equal(p, []string{"/private"}) {
				t.Errorf("requests %v; want /private alone", p)
			}
		}},
		{"--robots=off", []string{"--robots=off", srv.URL + "/private"}, exitOK, func(t *testing.T, _ string, rs []*http.Request, _ string) {
			if p := paths(rs); !slices.Equal(p, []string{"/private"}) {
				t.Errorf("requests %v; want /private alone", p)
			}
		}},
		{"-t 1", []string{"-t", "1", "--robots=no", srv.URL + "/fail"}, exitFailures, func(t *testing.T, _ string, rs []*http.Request, _ string) {
			if len(rs) != 1 {
				t.Errorf("%d requests; want 1", len(rs))
			}
		}},
		{"-t 2", []string{"-t", "2", "--max-retry-wait", "10ms", "--robots=no", srv.URL + "/fail"}, exitFailures, func(t *testing.T, _ string, rs []*http.Request, _ string) {
			if len(rs) != 2 {
				t.Errorf("%d requests; want 2", len(rs))
			}
		}},
		{"-T", []string{"-T", "0.2", "-t", "1", "--robots=no", srv.URL + "/stall"}, exitFailures, func(t *testing.T, _ string, _ []*http.Request, stderr string) {
			if !strings.Contains(stderr, "timeout") {
				t.Errorf("stderr %q; want a timeout", stderr)
			}
		}},
		{"-P and -l inf", []string{"-l", "inf", srv.URL + "/docs/"}, exitFailures, func(t *testing.T, out string, rs []*http.Request, _ string) {
			// The whole site, and e.html's link to a missing f.html.
			for _, p := range []string{"/docs/d.html", "/other/x.html", "/docs/sub/deeper/f.html"} {
				if !slices.Contains(paths(rs), p) {
					t.Errorf("%s not fetched", p)
				}
			}
			if _, err := os.Stat(filepath.Join(out, "manifest.jsonl")); err != nil {
				t.Error(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			var stderr bytes.Buffer
			code := run(context.Background(), append([]string{"-q", "-P", out}, tt.args...), nil, &bytes.Buffer{}, &stderr)
			rs := requests()
			if code != tt.code {
				t.Fatalf("exit %d; want %d: %s", code, tt.code, stderr.String())
			}
			tt.check(t, out, rs, stderr.String())
		})
	}

	// -m mirrors, and run again updates the mirror.
	out := t.TempDir()
	for i, want := range []string{"", "updating the mirror"} {
		var stderr bytes.Buffer
		code := run(context.Background(), []string{"-m", "-np", "-P", out, srv.URL + "/docs/"}, nil, &bytes.Buffer{}, &stderr)
		rs := requests()
		if code != exitFailures || !strings.Contains(stderr.String(), want) {
			t.Errorf("-m run %d: exit %d, stderr %s", i+1, code, stderr.String())
		}
		if i == 1 {
			for _, r := range rs {
				if r.URL.Path == "/docs/a.html" && r.Header.Get("If-Modified-Since") == "" {
					t.Error("the second -m run did not ask with If-Modified-Since")
				}
			}
		}
	}
}

// FuzzApproxScope checks that any -A or -R list scope.ValidateNames takes
// becomes patterns, or a usage error (a range from z to a), never a panic.
func FuzzApproxScope(f *testing.F) {
	for _, s := range []string{"pdf", "*.tar.gz", "report-??.pdf", "[ab]*.jpg", `a\*b`, "[^x].png", "[!x]", "a b.pdf", "%41.pdf", "[]a]"} {
		f.Add(s)
	}
	seeds := []*url.URL{{Scheme: "https", Host: "a.test", Path: "/d/"}}
	f.Fuzz(func(t *testing.T, pattern string) {
		list := []string{pattern}
		if scope.ValidateNames(list) != nil {
			return
		}
		inc, exc, err := approxScope(seeds, scope.Host, false, list, list, 0)
		var ue *usageError
		if errors.As(err, &ue) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(inc) != 1 || len(exc) != 1 {
			t.Fatalf("%d include and %d exclude patterns", len(inc), len(exc))
		}
	})
}
