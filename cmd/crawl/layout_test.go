package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/crawl-go/crawl/store"
)

// localLink matches the links of a converted page.
var localLink = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

// TestConvertFlatMirror converts mirrors saved with -nH and -nd (-k maps
// each URL to the file the manifest names): every link of every page
// that is not to the web leads to a file of the mirror, and the pages
// saved link to each other.
func TestConvertFlatMirror(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir("testdata/np")))
	defer srv.Close()
	for _, tt := range []struct {
		flag string
		page string // the converted /docs/index.html
		want []string
	}{
		{"-nH", "docs/index.html", []string{`href="a.html"`, `src="../img/logo.png"`, `href="../static/site.css"`}},
		{"-nd", "index.html", []string{`href="a.html"`, `src="logo.png"`, `href="site.css"`, `href="b.html"`}},
	} {
		t.Run(tt.flag, func(t *testing.T) {
			out := t.TempDir()
			var stderr bytes.Buffer
			args := []string{"-q", "-r", "-l", "2", "-np", "-k", tt.flag, "-o", out, srv.URL + "/docs/"}
			if code := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr); code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			page, err := os.ReadFile(filepath.Join(out, tt.page))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !bytes.Contains(page, []byte(w)) {
					t.Errorf("%s has no %s:\n%s", tt.page, w, page)
				}
			}
			pages := 0
			filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.IsDir() && d.Name() == store.WorkDir {
					return filepath.SkipDir // the originals, as fetched
				}
				if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
					return nil
				}
				pages++
				body, _ := os.ReadFile(p)
				for _, m := range localLink.FindAllSubmatch(body, -1) {
					link := string(m[1])
					if strings.HasPrefix(link, "http://") || strings.HasPrefix(link, "#") {
						continue
					}
					u, err := url.Parse(link)
					if err != nil {
						t.Errorf("%s: link %q: %v", p, link, err)
						continue
					}
					if _, err := os.Stat(filepath.Join(filepath.Dir(p), filepath.FromSlash(u.Path))); err != nil {
						t.Errorf("%s links to %q, which is not in the mirror", p, link)
					}
				}
				return nil
			})
			if pages < 5 {
				t.Errorf("%d pages in the mirror", pages)
			}
		})
	}
}

// TestFlatMirrorRuns extends a crawl saved with -nd: the second run saves
// pages whose names the first run's files have (index.html of / after
// that of /docs/), and every file the manifest names still holds the body
// of its URL, whose digest it records.
func TestFlatMirrorRuns(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir("testdata/np")))
	defer srv.Close()
	out := t.TempDir()
	for _, args := range [][]string{
		{"-r", "-l", "1", "-np"},
		{"-r", "-l", "2"}, // wider: / and its index.html too
	} {
		var stderr bytes.Buffer
		args = append(append([]string{"-q", "-nd", "-o", out}, args...), srv.URL+"/docs/")
		if code := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr); code != exitOK {
			t.Fatalf("%q: exit %d: %s", args, code, stderr.String())
		}
	}
	f, err := os.Open(filepath.Join(out, store.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	paths := map[string]string{}
	err = store.ReadManifest(f, func(r *store.Record) error {
		if r.Path == "" {
			return nil
		}
		if other, ok := paths[r.Path]; ok && other != r.URL {
			t.Errorf("%s and %s are both saved as %s", other, r.URL, r.Path)
		}
		paths[r.Path] = r.URL
		body, err := os.ReadFile(filepath.Join(out, r.Path))
		if err != nil {
			t.Error(err)
			return nil
		}
		if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != r.SHA256 {
			t.Errorf("%s (%s) does not hold the body of its line", r.Path, r.URL)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// / is fetched as itself, or through /index.html, which redirects
	// to it.
	if second := paths["index~2.html"]; paths["index.html"] != srv.URL+"/docs/" || second != srv.URL+"/" && second != srv.URL+"/index.html" {
		t.Errorf("index.html is %s and index~2.html %s; want /docs/ (first run) and / (second)", paths["index.html"], paths["index~2.html"])
	}
}
