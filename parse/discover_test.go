package parse

import (
	"bufio"
	"encoding/json"
	"errors"
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

func TestParseMode(t *testing.T) {
	tests := []struct {
		in   string
		want Mode
		err  bool
	}{
		{"page", ModePage, false},
		{"ALL", ModeAll, false},
		{"", ModePage, true},
		{"every", ModePage, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMode(tt.in)
			if got != tt.want || (err != nil) != tt.err || err != nil && !errors.Is(err, ErrMode) {
				t.Errorf("ParseMode(%q) = %v, %v", tt.in, got, err)
			}
			if err == nil && !strings.EqualFold(got.String(), tt.in) {
				t.Errorf("%v.String() = %q", got, got.String())
			}
		})
	}
}

func TestSourceString(t *testing.T) {
	tests := []struct {
		src  Source
		want string
	}{
		{Source{}, ""},
		{Source{Kind: SourceAttr, Tag: "img", Attr: "srcset"}, "img@srcset"},
		{Source{Kind: SourceStyle, Tag: "style"}, "style:style"},
		{Source{Kind: SourceStyle, Tag: "div", Attr: "style"}, "style:div@style"},
		{Source{Kind: SourceHeader, Attr: "Link"}, "header:Link"},
		{Source{Kind: SourceCSS, Attr: "url"}, "css:url"},
		{Source{Kind: SourceJS, Attr: "fetch"}, "js:fetch"},
		{Source{Kind: SourceText}, "text"},
		{Source{Kind: SourceText, Tag: "textarea"}, "text:textarea"},
		{Source{Kind: SourceSrcdoc, Tag: "a", Attr: "href"}, "srcdoc:a@href"},
		{Source{Kind: SourceDataURL, Attr: "url"}, "data:url"},
		{Source{Kind: SourceRobots}, "robots"},
		{Source{Kind: numSourceKinds}, "SourceKind(15)"},
	}
	for _, tt := range tests {
		if got := tt.src.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.src, got, tt.want)
		}
	}
}

// TestHTMLModeAll checks what the fixture cannot show in one page each:
// what ModeAll must not report, and its bounds.
func TestHTMLModeAll(t *testing.T) {
	const base = "http://example.com/a/page.html"
	tests := []struct {
		name, html string
		want       string // "kind url source" lines
	}{
		{"namespaces and vocabularies are not links",
			`<html xmlns="http://www.w3.org/1999/xhtml"><div itemscope itemtype="https://schema.org/Person"><svg xmlns:xlink="http://www.w3.org/1999/xlink"></svg>`, ""},
		{"words, MIME types and dates in attributes are not links",
			`<div data-type="text/html" data-date="2024/06/01" data-x="and/or" data-root="/" title="/ x">`, ""},
		{"Unix paths in text are not links", `<p>Run /usr/bin/python3 or /tmp/x, see /docs/x.</p>`,
			"page http://example.com/docs/x text\n"},
		{"sentence punctuation is trimmed", `<p>(see http://example.com/x_(y)), and /z.</p>`,
			"page http://example.com/x_(y) text\npage http://example.com/z text\n"},
		{"a GET form's action is ModePage's", `<form method=get action=/f>`, "page http://example.com/f form@action\n"},
		{"link href read once", `<link rel=stylesheet href=/s.css>`, "requisite http://example.com/s.css link@href\n"},
		{"href outside svg is not a link", `<div href="x">`, ""},
		{"svg closes", `<svg></svg><script href="x"></script>`, ""},
		{"href in svg", `<svg><script href="x"></script>`, "requisite http://example.com/a/x script@href\n"},
		{"javascript: in any link", `<a href="javascript:fetch('/j')">`, "page http://example.com/j js:fetch\n"},
		{"data: of another type is not read", `<img src="data:image/png;base64,L3gK">`, ""},
		{"nesting is bounded", `<iframe srcdoc="<iframe srcdoc='&lt;iframe srcdoc=&quot;&amp;lt;iframe srcdoc=&amp;quot;&amp;amp;lt;iframe srcdoc=&amp;amp;quot;&amp;amp;amp;lt;a href=/deep&amp;amp;amp;gt;&amp;amp;quot;&amp;amp;gt;&amp;quot;&gt;'>">`, ""},
		{"srcdoc base does not leak", `<iframe srcdoc="<base href=/b/><a href=x>"></iframe><a href=y>`,
			"page http://example.com/b/ srcdoc:base@href\npage http://example.com/b/x srcdoc:a@href\npage http://example.com/a/y a@href\n"},
		{"many attributes", `<div ` + strings.Repeat(`data-x="/x" `, 100) + `data-y="/y">`,
			"page http://example.com/x div@data-x\npage http://example.com/y div@data-y\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			links := HTML(mustURL(t, base), []byte(tt.html), Options{Mode: ModeAll}, nil)
			var b strings.Builder
			for _, l := range links {
				b.WriteString(l.Kind.String() + " " + l.URL.String() + " " + l.Source.String() + "\n")
			}
			if got := b.String(); got != tt.want {
				t.Errorf("HTML(%q):\n--- got\n%s--- want\n%s", tt.html, got, tt.want)
			}
		})
	}
}

func TestJSContexts(t *testing.T) {
	const base = "http://example.com/js/app.js"
	tests := []struct {
		name, js string
		want     string // "url source" lines
	}{
		{"relative in a sink", `fetch("data.json")`, "http://example.com/js/data.json js:fetch\n"},
		{"relative elsewhere is not a link", `var f = "data.json"`, ""},
		{"xhr method is not a URL", `x.open("GET", "/y")`, "http://example.com/y js:xhr.open\n"},
		{"regexp is not a string", `a = /"\/x"/; b = "/y"`, "http://example.com/y js:string\n"},
		{"division is not a regexp", `a = b / 2; c = "/y" / 3`, "http://example.com/y js:string\n"},
		{"suffixes are not links", `p = dir + "/index.html"; q.endsWith("/help.html")`, ""},
		{"module ids are not links", `define("m", ["./a", "../b"], f); require("./c")`, ""},
		{"comments are not strings", `// fetch("/x")` + "\n" + `/* "/y" */`, ""},
		{"regex-like paths are not links", `var r = "/^a(b)*$/"`, ""},
		{"JSON-LD context is not a link", `{"@context": "https://schema.org"}`, ""},
		{"absolute URL after +", `a = "<a href=" + "https://x.example/p"`, "https://x.example/p js:string\n"},
		{"message with a URL", `throw Error("see https://x.example/doc for help")`, "https://x.example/doc js:string\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			for _, l := range JS(mustURL(t, base), []byte(tt.js), Options{Mode: ModeAll}, nil) {
				b.WriteString(l.URL.String() + " " + l.Source.String() + "\n")
			}
			if got := b.String(); got != tt.want {
				t.Errorf("JS(%q):\n--- got\n%s--- want\n%s", tt.js, got, tt.want)
			}
		})
	}
}
