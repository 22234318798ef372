package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestMaskedArgs checks that the command line recorded in the WARC files
// hides the secrets of every spelling of the flags that take them.
func TestMaskedArgs(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"--depth 2 http://example.com/", "--depth 2 http://example.com/"},
		{"--user alice:s3cret http://example.com/", "--user alice:*** http://example.com/"},
		{"-user=alice:s3cret http://example.com/", "-user=alice:*** http://example.com/"},
		{"-u alice:s3cret -ualice:s3cret --http-user=alice:s3cret http://example.com/", "-u alice:*** -ualice:*** --http-user=alice:*** http://example.com/"},
		{"--user alice --password s3cret --http-password=s3cret http://example.com/", "--user alice --password *** --http-password=*** http://example.com/"},
		{"-H Authorization:Bearer-xyz -H=X-Token:abc --header Cookie:a=b -HX-Key:k http://example.com/", "-H Authorization: *** -H=X-Token: *** --header Cookie: *** -HX-Key: *** http://example.com/"},
		{"--proxy http://u:pw@proxy:3128 https://bob:pw@example.com/a", "--proxy http://u:***@proxy:3128 https://bob:***@example.com/a"},
		{"--state redis://:pw@127.0.0.1:6379/0 --crawl-id x http://example.com/", "--state redis://:***@127.0.0.1:6379/0 --crawl-id x http://example.com/"},
		{"--update http://example.com/ -- --user", "--update http://example.com/ -- --user"},
	} {
		var o crawlOptions
		s := newCrawlFlags(&o)
		args := strings.Fields(tt.in)
		if _, err := s.parse(args); err != nil {
			t.Fatalf("parse(%s): %v", tt.in, err)
		}
		if got := strings.Join(s.masked(args), " "); got != tt.want {
			t.Errorf("masked(%s) =\n%s\nwant\n%s", tt.in, got, tt.want)
		}
	}
}

// TestPasswordInURL crawls a site behind basic authentication the way a
// user types it, with the credentials in the URL: every request to that
// host (robots.txt and the links found included) carries them, a link to
// another host does not get them, and the password is written nowhere
// under the output directory, nor printed.
func TestPasswordInURL(t *testing.T) {
	var mu sync.Mutex
	unauthorized := map[string]bool{}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:s3cret"))
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("other host got credentials for %s", r.URL.Path)
		}
		fmt.Fprint(w, "elsewhere")
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != auth {
			mu.Lock()
			unauthorized[r.URL.Path] = true
			mu.Unlock()
			w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
		case "/", "/index.html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<a href="/b.html">b</a> <a href="/private">p</a> <img src="%s/x.png">`, other.URL)
		default:
			fmt.Fprint(w, "page "+r.URL.Path)
		}
	}))
	defer srv.Close()
	out := t.TempDir()
	seed := strings.Replace(srv.URL, "http://", "http://bob:s3cret@", 1) + "/index.html"
	// A URL that url.Parse refuses (a bad escape) keeps its credentials.
	oddSeed := strings.Replace(srv.URL, "http://", "http://bob:s3cret@", 1) + "/odd%zz"
	code, stderr := runProcess(t, "-r", "-p", "--scope", "any", "-o", out, seed, oddSeed)
	if code != exitOK {
		t.Fatalf("exit %d, want 0:\n%s", code, stderr)
	}
	mu.Lock()
	if len(unauthorized) > 0 {
		t.Errorf("requests without the URL's credentials: %v", unauthorized)
	}
	mu.Unlock()
	recs := readManifest(t, out)
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, p := range []string{"/index.html", "/b.html"} {
		if r := recs["http://"+host+p]; r == nil || r.Status != http.StatusOK {
			t.Errorf("%s: %+v, want a 200 under the URL without credentials", p, r)
		}
	}
	if strings.Contains(stderr, "s3cret") {
		t.Errorf("the password was printed:\n%s", stderr)
	}
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte("s3cret")) {
			t.Errorf("%s holds the password", p)
		}
		return err
	})
	// The same command again: the same crawl, nothing to do.
	if code, stderr := runProcess(t, "-r", "-p", "--scope", "any", "-o", out, seed, oddSeed); code != exitOK || !strings.Contains(stderr, "nothing to do") {
		t.Errorf("rerun: exit %d, want 0 and nothing to do:\n%s", code, stderr)
	}
	// URLs that are not valid: recorded as such, their password masked.
	bad := t.TempDir()
	code, stderr = runProcess(t, "-o", bad, "http://bob:s3cret@[::1", "htp://bob:s3cret@127.0.0.1:1/")
	if code != exitFailures || strings.Contains(stderr, "s3cret") || !strings.Contains(stderr, "bob:***@") {
		t.Errorf("bad URLs: exit %d, want %d and the password masked:\n%s", code, exitFailures, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(bad, "manifest.jsonl")); bytes.Contains(b, []byte("s3cret")) || !bytes.Contains(b, []byte("bad_url")) {
		t.Errorf("the manifest of bad URLs:\n%s", b)
	}
}
