package main

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"

	"github.com/crawl-go/crawl/store"
)

// TestConvertLinksCharsets crawls, with -k, sites whose home page is in a
// legacy encoding (declared by a <meta>, by the Content-Type, by an
// http-equiv) and links to a folder and an image with non-ASCII names, as
// a user's probe did: the crawl asks for their UTF-8, percent-encoded, as
// a browser does, and saves them; the conversion must make every link of
// the page lead to the file saved, and keep the page's encoding.
func TestConvertLinksCharsets(t *testing.T) {
	tests := []struct {
		name        string
		enc         encoding.Encoding
		contentType string
		meta        string
		folder, img string
	}{
		{"windows-1251", charmap.Windows1251, "text/html", `<meta charset="windows-1251">`, "новости", "фото"},
		{"Shift_JIS", japanese.ShiftJIS, "text/html; charset=Shift_JIS", "", "ニュース表", "写真ソ"},
		{"ISO-8859-1", charmap.ISO8859_1, "text/html",
			`<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">`, "café", "été"},
	}
	// The links of the converted page: the values of href, src and srcset,
	// and the style attribute's url(), which -k writes with single quotes.
	pageLinks := regexp.MustCompile(`(?:(?:href|src|srcset)="|url\(')([^"']*)`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := fmt.Sprintf(`<html><head>%s<title>%[2]s</title></head>
<body><a href="/%[2]s/">%[2]s</a> <img src="/img/%[3]s.png" alt="%[3]s">
<img srcset="/img/%[3]s.png 2x"> <p style="background: url(/img/%[3]s.png)">%[2]s</p></body></html>`, tt.meta, tt.folder, tt.img)
			body, err := tt.enc.NewEncoder().String(page)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path { // decoded from the UTF-8 asked for
				case "/":
					w.Header().Set("Content-Type", tt.contentType)
					fmt.Fprint(w, body)
				case "/" + tt.folder + "/":
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					fmt.Fprint(w, "<p>"+tt.folder)
				case "/img/" + tt.img + ".png":
					w.Header().Set("Content-Type", "image/png")
					fmt.Fprint(w, "\x89PNG")
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			out := t.TempDir()
			if code, stderr := runProcess(t, "-q", "--depth", "1", "-k", "-o", out, srv.URL+"/"); code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			home := filepath.Join(hostDir(out, srv), "index.html")
			for _, rel := range []string{tt.folder + "/index.html", "img/" + tt.img + ".png"} {
				if _, err := os.Stat(filepath.Join(hostDir(out, srv), filepath.FromSlash(rel))); err != nil {
					t.Errorf("%s was not saved: %v", rel, err)
				}
			}
			converted, err := os.ReadFile(home)
			if err != nil {
				t.Fatal(err)
			}
			// The page keeps its encoding: its text is as served.
			if title := fmt.Sprintf("<title>%s</title>", mustEncode(t, tt.enc, tt.folder)); !strings.Contains(string(converted), title) {
				t.Errorf("the converted page lost its encoding: no %q in\n%q", title, converted)
			}
			links := pageLinks.FindAllSubmatch(converted, -1)
			if len(links) != 4 {
				t.Errorf("%d links found in the converted page; want 4 (a, img, srcset, style):\n%q", len(links), converted)
			}
			for _, m := range links {
				link := strings.Fields(string(m[1]))[0] // a srcset's URL
				u, err := url.Parse(link)
				if err != nil || u.IsAbs() {
					t.Errorf("link %q: %v; want a path relative to the page", link, err)
					continue
				}
				if _, err := os.Stat(filepath.Join(filepath.Dir(home), filepath.FromSlash(u.Path))); err != nil {
					t.Errorf("the page links to %q, which is not in the mirror: %v", link, err)
				}
			}
			// The original, as fetched, is kept for the next conversion.
			orig, err := os.ReadFile(filepath.Join(out, store.WorkDir, "orig", strings.TrimPrefix(home, out+string(filepath.Separator))))
			if err != nil || string(orig) != body {
				t.Errorf("the original of the page: %v, %q", err, orig)
			}
			var saved int
			filepath.WalkDir(hostDir(out, srv), func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					saved++
				}
				return nil
			})
			if saved != 3 {
				t.Errorf("%d files saved; want 3", saved)
			}
		})
	}
}

// mustEncode returns s in enc.
func mustEncode(t *testing.T, enc encoding.Encoding, s string) string {
	t.Helper()
	b, err := enc.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
