package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func siteServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir("../../testdata/site")))
	t.Cleanup(srv.Close)
	return srv
}

func TestRunExitStatus(t *testing.T) {
	srv := siteServer(t)
	list := filepath.Join(t.TempDir(), "urls.txt")
	os.WriteFile(list, []byte("# pages\n"+srv.URL+"/about.html\n\n"+srv.URL+"/blog/\n"), 0o644)
	tests := []struct {
		name   string
		args   []string
		stdin  string
		want   int
		stderr string // a substring of what is printed
		files  []string
	}{
		{"one URL", []string{srv.URL + "/about.html"}, "", exitOK, "1 fetched, 0 failed", []string{"about.html"}},
		{"URL list", []string{"-i", list, "-q"}, "", exitOK, "", []string{"about.html", "blog/index.html"}},
		{"stdin with a bad line", []string{"-i", "-"}, srv.URL + "/about.html\nhttp://bad host/\n" + srv.URL + "/query.html\n",
			exitFailures, "stdin:2: bad url", []string{"about.html", "query.html"}},
		{"a 404", []string{srv.URL + "/missing.html", "--retries", "0"}, "", exitFailures, "http_4xx 1\n  fetch " + srv.URL + "/missing.html: http 404 not found", nil},
		{"crawl to depth 1", []string{srv.URL + "/", "--depth", "1"}, "", exitOK, "", []string{"index.html", "odd.html", "img/hero@2x.png", "css/reset.css"}},
		{"a 404, quiet", []string{"-q", srv.URL + "/missing.html", "--retries", "0"}, "", exitFailures, "http_4xx 1\n  fetch " + srv.URL + "/missing.html: http 404 not found", nil},
		{"no URL", []string{"-q"}, "", exitUsage, "no URLs given", nil},
		{"empty list", []string{"-i", "-"}, "# nothing yet\n\n", exitUsage, "no URLs in the standard input", nil},
		{"unknown flag", []string{"--frobnicate", srv.URL}, "", exitUsage, "unknown flag --frobnicate", nil},
		{"bad scope", []string{"--scope", "planet", srv.URL}, "", exitUsage, "--scope", nil},
		{"bad select", []string{"--select", "x=[[", srv.URL}, "", exitUsage, "--select", nil},
		{"select url", []string{"--select", "url=h1", srv.URL}, "", exitUsage, "the name url is taken", nil},
		{"select twice", []string{"--select", "a=h1", "--select", "a[]=li", srv.URL}, "", exitUsage, "the name a is given twice", nil},
		{"bad header", []string{"-H", "NoColon", srv.URL}, "", exitUsage, "-H", nil},
		{"missing list", []string{"-i", "/nonexistent/list"}, "", exitUsage, "no such file", nil},
		{"bad resolve", []string{"--resolve", "x:1", srv.URL}, "", exitUsage, "--resolve", nil},
		{"bad user", []string{"--user", "nopassword", srv.URL}, "", exitUsage, "--user", nil},
		{"missing cookies", []string{"--cookies", "/nonexistent/cookies.txt", srv.URL}, "", exitUsage, "--cookies", nil},
		{"bad proxy", []string{"--proxy", "::", srv.URL}, "", exitUsage, "--proxy", nil},
		{"ftp proxy", []string{"--proxy", "ftp://x", srv.URL}, "", exitUsage, "ftp proxy is not supported", nil},
		{"proxy as host:port", []string{"--proxy", "127.0.0.1:1", "--retries", "0", srv.URL + "/about.html"}, "", exitFailures, "127.0.0.1:1", nil},
		{"prune alone", []string{"--prune", srv.URL}, "", exitUsage, "--prune works with --update", nil},
		{"update without mirror", []string{"--update", "--no-mirror", srv.URL}, "", exitUsage, "--no-mirror", nil},
		{"update and fresh", []string{"-N", "--fresh", srv.URL}, "", exitUsage, "--fresh", nil},
		{"update in redis", []string{"--update", "--state", "redis://127.0.0.1:1/0", "--crawl-id", "x", srv.URL}, "", exitUsage, "not with --state redis", nil},
	}
	host := strings.ReplaceAll(strings.TrimPrefix(srv.URL, "http://"), ":", "_")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			args := append([]string{"-o", out}, tt.args...)
			code := run(context.Background(), args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.want || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr.String(), tt.want, tt.stderr)
			}
			for _, f := range tt.files {
				if _, err := os.Stat(filepath.Join(out, host, f)); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestRunResolve(t *testing.T) {
	// A host name that exists nowhere, mapped to the test server.
	srv := siteServer(t)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	out := t.TempDir()
	var stderr bytes.Buffer
	args := []string{"-o", out, "-q", "--resolve", "site.invalid:" + port + ":127.0.0.1", "http://site.invalid:" + port + "/about.html"}
	if code := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(out, "site.invalid_"+port, "about.html")); err != nil {
		t.Error(err)
	}
}

func TestRunInterrupted(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case started <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	var stderr bytes.Buffer
	code := run(ctx, []string{"-o", t.TempDir(), srv.URL + "/hang"}, nil, &bytes.Buffer{}, &stderr)
	if code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("exit %d, stderr %s; want %d", code, stderr.String(), exitInterrupted)
	}
}

func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- serveDir(ctx, ln, "../../testdata/site", io.Discard) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/about.html")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want, _ := os.ReadFile("../../testdata/site/about.html")
	if resp.StatusCode != 200 || !bytes.Equal(body, want) {
		t.Errorf("status %d, %d bytes", resp.StatusCode, len(body))
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serveDir: %v", err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"serve", "/nonexistent"}, nil, &stdout, &stderr); code != exitUsage {
		t.Errorf("serve of a missing directory exited %d", code)
	}
}

// TestOutputNotOwnFiles: -O naming the manifest, the records or a file of
// the work folder of the output directory is refused before anything is
// fetched or written.
func TestOutputNotOwnFiles(t *testing.T) {
	srv := siteServer(t)
	out := t.TempDir()
	for _, name := range []string{"manifest.jsonl", "records.jsonl", ".crawl/state.db", ".CRAWL/x"} {
		var stderr bytes.Buffer
		target := filepath.Join(out, filepath.FromSlash(name))
		code := run(context.Background(), []string{"-q", "-o", out, "-O", target, srv.URL + "/about.html"}, nil, &bytes.Buffer{}, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), "would write over a file of crawl's own") {
			t.Errorf("-O %s: exit %d\n%s", name, code, stderr.String())
		}
		if _, err := os.Stat(target); err == nil {
			t.Errorf("-O %s was written", name)
		}
	}
	// Any other file of the folder is fine.
	if code := run(context.Background(), []string{"-q", "-o", out, "-O", filepath.Join(out, "about.html"), srv.URL + "/about.html"}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != exitOK {
		t.Errorf("-O DIR/about.html: exit %d", code)
	}
}
