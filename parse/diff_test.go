package parse

import (
	"bytes"
	"cmp"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The differential tests: HTML and RewriteHTML, on the scanner, against
// refHTML and refRewriteHTML, on the Tokenizer (reference_test.go).

// pythonDocsDir is where Debian's python3.11-doc installs the Python
// documentation; CRAWL_PYDOCS overrides it.
const pythonDocsDir = "/usr/share/doc/python3.11/html"

// checkSameAsReference fails unless, on body fetched from base, HTML finds
// the same links as refHTML (same URLs, order, kinds and nofollow, with
// and without RespectNoFollow), and RewriteHTML hands fn the same Refs in
// the same order and writes the same bytes as refRewriteHTML. It returns
// the number of links.
func checkSameAsReference(t testing.TB, base *url.URL, body []byte) int {
	t.Helper()
	orig := bytes.Clone(body)
	var links []Link
	for _, opts := range []Options{{}, {RespectNoFollow: true}} {
		got, want := HTML(base, body, opts, nil), refHTML(base, body, opts, nil)
		if g, w := formatLinks(got), formatLinks(want); g != w {
			t.Fatalf("links of %q with %+v:\n--- scanner\n%s--- tokenizer\n%s", body, opts, g, w)
		}
		checkModes(t, base, body, opts)
		if links == nil {
			links = got
		}
	}
	// A rewrite that answers each Ref with a new URL full of characters
	// that need escaping, and removes the <base href>.
	rewrite := func(calls *strings.Builder) func(Ref) (string, bool) {
		n := 0
		return func(r Ref) (string, bool) {
			fmt.Fprintf(calls, "%v %s base=%v\n", r.Kind, r.URL, r.Base)
			n++
			if r.Base {
				return "", true
			}
			return fmt.Sprintf("http://m.example/%d/a b'c\"d&e,f<g>(h)\\i", n), true
		}
	}
	var gotCalls, wantCalls strings.Builder
	got := RewriteHTML(base, body, Options{}, rewrite(&gotCalls))
	want := refRewriteHTML(base, body, rewrite(&wantCalls))
	if gotCalls.String() != wantCalls.String() {
		t.Fatalf("RewriteHTML of %q:\n--- scanner's refs\n%s--- tokenizer's refs\n%s", body, gotCalls.String(), wantCalls.String())
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("RewriteHTML of %q:\n--- scanner\n%q\n--- tokenizer\n%q", body, got, want)
	}
	if !bytes.Equal(body, orig) {
		t.Fatalf("body modified")
	}
	return len(links)
}

// htmlFiles returns the HTML files under dir, as paths relative to it.
func htmlFiles(t testing.TB, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".html") {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// checkDirSameAsReference runs checkSameAsReference on every HTML file
// under dir, served under the URL prefix base, and with cuts, on each cut
// at 39 places (3 with -short or -race), so that documents that end in
// the middle of things are compared too. It returns the number of files.
func checkDirSameAsReference(t *testing.T, dir, base string, cuts bool) int {
	t.Helper()
	files := htmlFiles(t, dir)
	links := 0
	for _, rel := range files {
		t.Run(rel, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Fatal(err)
			}
			u := mustURL(t, base+rel)
			links += checkSameAsReference(t, u, body)
			checkScan(t, body)
			n := 40
			if raceEnabled || testing.Short() {
				n = 4
			}
			for i := 1; cuts && i < n; i++ {
				checkSameAsReference(t, u, body[:len(body)*i/n+i])
			}
		})
	}
	t.Logf("%d files, %d links", len(files), links)
	return len(files)
}

func TestSameAsReferenceFixtures(t *testing.T) {
	htmlFiles, _ := rewriteFixtures(t)
	for _, path := range htmlFiles {
		t.Run(path, func(t *testing.T) {
			body := readFile(t, path)
			checkSameAsReference(t, fixtureURL(t, path), body)
			checkScan(t, body)
		})
	}
}

func TestSameAsReferenceSamplePages(t *testing.T) {
	if n := checkDirSameAsReference(t, filepath.Join("testdata", "pages", "python"), "https://docs.python.org/3.11/", true); n < 10 {
		t.Errorf("only %d Python pages", n)
	}
	if n := checkDirSameAsReference(t, filepath.Join("testdata", "pages", "gensite"), "http://127.0.0.1:18080/", true); n < 5 {
		t.Errorf("only %d synthetic pages", n)
	}
}

// TestSameAsReferencePythonDocs compares on the whole of the Python
// documentation, when it is installed.
func TestSameAsReferencePythonDocs(t *testing.T) {
	dir := pythonDocs(t)
	checkDirSameAsReference(t, dir, "https://docs.python.org/3.11/", false)
}

// TestSameAsReferenceGensite compares on a site made by the shared
// bench's generator, when CRAWL_GENSITE names its directory:
//
//	go run ../shared/bench/gensite -out /tmp/gensite -n 500
//	CRAWL_GENSITE=/tmp/gensite go test -run GenSite ./parse
func TestSameAsReferenceGensite(t *testing.T) {
	dir := gensiteDir(t)
	checkDirSameAsReference(t, dir, "http://127.0.0.1:18080/", false)
}

// pythonDocs returns the directory of the Python documentation, or skips
// the test when it is not installed.
func pythonDocs(t testing.TB) string {
	t.Helper()
	skipUnderRace(t)
	dir := cmp.Or(os.Getenv("CRAWL_PYDOCS"), pythonDocsDir)
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Skipf("the Python documentation is not in %s (apt-get install python3.11-doc, or set CRAWL_PYDOCS to its html directory): %v", dir, err)
	}
	return dir
}

// gensiteDir returns the directory that CRAWL_GENSITE names, or skips the
// test when it is not set.
func gensiteDir(t testing.TB) string {
	t.Helper()
	skipUnderRace(t)
	dir := os.Getenv("CRAWL_GENSITE")
	if dir == "" {
		t.Skip("CRAWL_GENSITE is not set: generate a site with go run ../shared/bench/gensite -out DIR -n 500 and set CRAWL_GENSITE=DIR")
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Fatalf("CRAWL_GENSITE=%s: %v", dir, err)
	}
	return dir
}

// skipUnderRace skips a test over a whole collection of documents under
// the race detector, where it takes minutes and checks no concurrency;
// the committed sample pages are compared there.
func skipUnderRace(t testing.TB) {
	t.Helper()
	if raceEnabled {
		if _, ok := t.(*testing.B); !ok {
			t.Skip("skipped with -race: run without -race to compare whole collections")
		}
	}
}
