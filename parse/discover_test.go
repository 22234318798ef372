package parse

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// discoverDir is the fixture site of the discovery mechanisms: one page
// per mechanism under p/, and the links expected in each mode.
var discoverDir = filepath.Join("..", "testdata", "discover")

// discoverOrigin is the origin the fixture is read from; its pages write
// absolute URLs with "{{ORIGIN}}", which a server replaces with its own.
const discoverOrigin = "http://127.0.0.1:8000"

// readDiscoverFile returns the fixture file rel with {{ORIGIN}} replaced.
func readDiscoverFile(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(discoverDir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(string(b), "{{ORIGIN}}", discoverOrigin))
}

// discoverLinks runs HTML, CSS, JS and Headers in mode over every file of
// the fixture's p/ folder and its headers.json, and returns one line
// "path source page" for each link to a URL that is not a file of the
// fixture, sorted.
func discoverLinks(t *testing.T, mode Mode) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(discoverDir, "p"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{"/": true, "/index.html": true}
	for _, e := range entries {
		files["/p/"+e.Name()] = true
	}
	var lines []string
	collect := func(page string, links []Link) {
		checkLinks(t, mustURL(t, discoverOrigin+"/p/"+page), links)
		for _, l := range links {
			if l.URL.Host != "127.0.0.1:8000" {
				t.Errorf("%s: link off the fixture's origin: %s", page, l.URL)
				continue
			}
			if !files[l.URL.Path] {
				name := strings.TrimSuffix(page, path.Ext(page))
				lines = append(lines, l.URL.RequestURI()+" "+l.Source.String()+" "+name)
			}
		}
	}
	opts := Options{Mode: mode}
	for _, e := range entries {
		name := e.Name()
		base := mustURL(t, discoverOrigin+"/p/"+name)
		body := readDiscoverFile(t, "p/"+name)
		switch path.Ext(name) {
		case ".html":
			collect(name, HTML(base, body, opts, nil))
		case ".css":
			collect(name, CSS(base, body, opts, nil))
		case ".js":
			collect(name, JS(base, body, opts, nil))
		}
	}
	var headers map[string]http.Header
	if err := json.Unmarshal(readDiscoverFile(t, "headers.json"), &headers); err != nil {
		t.Fatal(err)
	}
	for p, h := range headers {
		canon := http.Header{}
		for k, vs := range h {
			for _, v := range vs {
				canon.Add(k, v)
			}
		}
		collect(path.Base(p), Headers(mustURL(t, discoverOrigin+p), canon, opts, nil))
	}
	slices.Sort(lines)
	return lines
}

// readTargets returns the lines of a targets file of the fixture, without
// its comments.
func readTargets(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(discoverDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	return lines
}

// TestDiscoverFixture finds, in each mode, exactly the links of the
// fixture's targets file, each with the source of its mechanism.
func TestDiscoverFixture(t *testing.T) {
	for _, tt := range []struct {
		mode Mode
		file string
	}{{ModePage, "targets-page.txt"}, {ModeAll, "targets-all.txt"}} {
		t.Run(tt.mode.String(), func(t *testing.T) {
			got, want := discoverLinks(t, tt.mode), readTargets(t, tt.file)
			for _, l := range want {
				if !slices.Contains(got, l) {
					t.Errorf("missing: %s", l)
				}
			}
			for _, l := range got {
				if !slices.Contains(want, l) {
					t.Errorf("unexpected: %s", l)
				}
			}
		})
	}
}

// TestDiscoverFixtureSameAsBefore compares ModePage with the link finding
// before the discovery modes on every page of the fixture, and ModeAll
// with ModePage.
func TestDiscoverFixtureSameAsBefore(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join(discoverDir, "p"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		base := mustURL(t, discoverOrigin+"/p/"+e.Name())
		body := readDiscoverFile(t, "p/"+e.Name())
		switch path.Ext(e.Name()) {
		case ".html":
			checkSameAsReference(t, base, body)
		case ".css":
			checkCSSModes(t, base, body)
		}
	}
	var headers map[string]http.Header
	if err := json.Unmarshal(readDiscoverFile(t, "headers.json"), &headers); err != nil {
		t.Fatal(err)
	}
	for p, h := range headers {
		canon := http.Header{}
		for k, vs := range h {
			for _, v := range vs {
				canon.Add(k, v)
			}
		}
		checkHeadersModes(t, &url.URL{Scheme: "http", Host: "127.0.0.1:8000", Path: p}, canon)
	}
}
