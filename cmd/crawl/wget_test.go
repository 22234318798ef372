package main

import (
	"bytes"
	"context"
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

	"github.com/crawl-go/crawl/store"
)

// npFiles returns the files of the mirror in out: under the host folder
// of srvURL, or with -nH or -nd (flat) at the top of out, crawl's own
// files left out.
func npFiles(t *testing.T, out, srvURL string, flat bool) []string {
	t.Helper()
	root := out
	if !flat {
		root = filepath.Join(out, strings.ReplaceAll(strings.TrimPrefix(srvURL, "http://"), ":", "_"))
	}
	var files []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if rel == store.WorkDir {
			return filepath.SkipDir
		}
		if !d.IsDir() && rel != store.ManifestName {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(files)
	return files
}

// TestWgetFileSets crawls testdata/np with wget's flags and compares the
// files saved with those wget 1.21.3 saves with the same flags (wget -nH
// -P DIR, and the host folder left out of crawl's files, unless the case
// has -nH or -nd itself). wget -r has no requisites past the depth limit
// without -p, which a crawl always fetches; so the wget commands have -p.
func TestWgetFileSets(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir("testdata/np")))
	defer srv.Close()
	tests := []struct {
		name  string
		args  []string
		wget  []string // wget -nH -P DIR with the same flags (-p added)
		extra []string // pages crawl keeps where wget deletes them
		// renamed maps wget's names to crawl's, where they differ ("" for
		// a file crawl does not save).
		renamed map[string]string
		flat    bool // -nH or -nd: the files are at the top of DIR
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
			// The pages followed to find it, which wget deletes (c.html
			// and e.html are at the depth limit: not followed).
			extra: []string{"docs/a.html", "docs/index.html", "docs/sub/b.html"},
		},
		{
			name: "-r -l 2 -R png,css",
			args: []string{"-r", "-l", "2", "-R", "png,css"},
			wget: []string{"about.html", "docs/a.html", "docs/c.html", "docs/file.pdf", "docs/index.html", "docs/sub/b.html",
				"docs/sub/deeper/e.html", "files/top.pdf", "index.html", "other/x.html"},
		},
		{
			name: "-r -l 2 -np -nH",
			args: []string{"-r", "-l", "2", "-np", "-nH"},
			wget: []string{"docs/a.html", "docs/c.html", "docs/file.pdf", "docs/img/local.png", "docs/index.html",
				"docs/sub/b.html", "docs/sub/deeper/e.html", "img/bg.png", "img/c.png", "img/logo.png", "static/site.css"},
			flat: true,
		},
		{
			name: "-r -l 2 -R png,css --no-host-directories",
			args: []string{"-r", "-l", "2", "-R", "png,css", "--no-host-directories"},
			wget: []string{"about.html", "docs/a.html", "docs/c.html", "docs/file.pdf", "docs/index.html", "docs/sub/b.html",
				"docs/sub/deeper/e.html", "files/top.pdf", "index.html", "other/x.html"},
			flat: true,
		},
		{
			name: "-r -l 2 -np -nd",
			args: []string{"-r", "-l", "2", "-np", "-nd"},
			wget: []string{"a.html", "b.html", "bg.png", "c.html", "c.png", "e.html", "file.pdf", "index.html",
				"local.png", "logo.png", "site.css"},
			flat: true,
		},
		{
			name:  "-r -l 2 -np -A pdf -nd",
			args:  []string{"-r", "-l", "2", "-np", "-A", "pdf", "-nd"},
			wget:  []string{"file.pdf"},
			extra: []string{"a.html", "index.html", "b.html"},
			flat:  true,
		},
		{
			name: "-r -l 2 -R png,css -nd",
			args: []string{"-r", "-l", "2", "-R", "png,css", "-nd"},
			wget: []string{"a.html", "about.html", "b.html", "c.html", "docs", "e.html", "file.pdf", "index.html",
				"index.html.1", "top.pdf", "x.html"},
			// wget names the second index.html (of / and /docs/)
			// index.html.1, crawl index~2.html; and wget saves the
			// redirect /docs -> /docs/ again as "docs", where crawl
			// fetches /docs/ once.
			renamed: map[string]string{"index.html.1": "index~2.html", "docs": ""},
			flat:    true,
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
			var want []string
			for _, f := range append(slices.Clone(tt.wget), tt.extra...) {
				if to, ok := tt.renamed[f]; ok {
					f = to
				}
				if f != "" {
					want = append(want, f)
				}
			}
			slices.Sort(want)
			want = slices.Compact(want)
			if got := npFiles(t, out, srv.URL, tt.flat); !slices.Equal(got, want) {
				t.Errorf("files\n%q\nwant\n%q", got, want)
			}
		})
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
		// As curl: -H sets the User-Agent and the Host; an empty -U
		// sends no User-Agent.
		{"-H User-Agent and Host", []string{"-H", "User-Agent: FromHeader", "-H", "Host: virt.example", srv.URL + "/about.html"}, exitOK, func(t *testing.T, _ string, rs []*http.Request, _ string) {
			if r := rs[len(rs)-1]; r.UserAgent() != "FromHeader" || r.Host != "virt.example" {
				t.Errorf("User-Agent %q, Host %q; want FromHeader, virt.example", r.UserAgent(), r.Host)
			}
		}},
		{"-U ''", []string{"-U", "", srv.URL + "/about.html"}, exitOK, func(t *testing.T, _ string, rs []*http.Request, _ string) {
			if r := rs[len(rs)-1]; len(r.Header.Values("User-Agent")) != 0 {
				t.Errorf("User-Agent %q sent; want none", r.Header.Values("User-Agent"))
			}
		}},
		{"--header", []string{"--header", "X-Test: yes", srv.URL + "/about.html"}, exitOK, func(t *testing.T, _ string, rs []*http.Request, _ string) {
			if r := rs[len(rs)-1]; r.Header.Get("X-Test") != "yes" {
				t.Errorf("no X-Test header in %v", r.Header)
			}
		}},
		// wget's -H (span hosts) before a URL: not a header named
		// "http" sent with every request while the URL is lost.
		{"wget's -H", []string{"-r", "-H", srv.URL + "/about.html", srv.URL + "/"}, exitUsage, func(t *testing.T, _ string, rs []*http.Request, stderr string) {
			if len(rs) != 0 || !strings.Contains(stderr, "--scope any") {
				t.Errorf("requests %v; stderr:\n%s\nwant none, and the hint to --scope any", paths(rs), stderr)
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
	for i, want := range []string{"mirroring into", "updating the mirror"} {
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
