package parse

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The JavaScript corpus: real scripts, most of them minified bundles, with
// every URL that JS finds in them, each reviewed by hand. 22 files, 1.6
// MB: 14 URLs, none of them a false positive (source maps, links in
// markup strings, the endpoints and documentation URLs they name). Before
// the rules for pieces of strings and module ids, the same files gave 35
// false positives: 31 module ids of jQuery UI's define([...]) calls
// ("./version") and 4 path suffixes of rustdoc (endsWith("/help.html"),
// crate + "/index.html").
//
// The files are Debian's (apt-get install libjs-jquery libjs-underscore
// libjs-sphinxdoc libjs-d3 libjs-jquery-ui libjs-leaflet libjs-requirejs
// libjs-bootstrap5) and rustdoc's, of a Rust toolchain installed with
// rustup; a file that is missing or of another version is skipped. Two
// of them are in testdata/js, and always compared.

// rustdoc is where rustup installs the HTML documentation of Rust.
var rustdoc = filepath.Join(os.Getenv("HOME"), ".rustup/toolchains/stable-x86_64-unknown-linux-gnu/share/doc/rust/html")

var jsCorpus = []struct {
	path, sha256 string
	want         []string // "URL source", in order
}{
	{"/usr/share/javascript/jquery/jquery.min.js", "03378a725b68b791419d83f47f10ff7ca5819c7d9d1dadba9edd26ef2ce588fd", []string{}},
	{"/usr/share/javascript/jquery/jquery.js", "6e2dac4996733bcf0175f3b52bd55284f383909e50b9da3e258c4aefa9910ab7", []string{}},
	{"/usr/share/javascript/underscore/underscore.min.js", "875bcdb9a31df1918997ce7bab73be864d48a25f4e58ca2520f667e8d52000ba", []string{}},
	{"/usr/share/javascript/underscore/underscore.js", "03203363ad99fc8de92e0096e1419ff416909cb9e6d1d7e05e64905387d1949f", []string{
		"https://example.com/static/js/underscore-umd.js.map js:sourcemap",
	}},
	{"/usr/share/javascript/sphinxdoc/1.0/searchtools.js", "efd754bc6adc3610e00e2ff144c604f0e8527ab184171970fe4abc48478a321b", []string{}},
	{"/usr/share/javascript/sphinxdoc/1.0/doctools.js", "2e887dc9a70efc8bc29783a50d3809c294ea023f1360ef5035f5aea372614d3f", []string{}},
	{"/usr/share/javascript/sphinxdoc/1.0/css3-mediaqueries.js", "0bdff46f7e10f633d1e9f2ef99bde753b96bcb7386b0cc902de951ec348ae95e", []string{}},
	{"/usr/share/javascript/sphinxdoc/1.0/sphinx_highlight.js", "8ab48df3b3dec086f887666e14f9e789fcc3bf3e78d4e044771133272aded525", []string{}},
	{"/usr/share/javascript/d3/d3.min.js", "1a2f33dad4948edb0648bf2b2518e89f91fca2ed5888e13b650ae54438d19841", []string{}},
	{"/usr/share/javascript/jquery-ui/jquery-ui.min.js", "c362847dc97a86055306c36b7ac779a1bc694c12cf3a2089fcc19b1a2e00d79a", []string{}},
	{"/usr/share/javascript/leaflet/leaflet.min.js", "846e4ac69c2654490a1b821eb2fd52b195118fb6d3c65c398da0da467c737e8d", []string{
		"https://leafletjs.com/ js:a@href",
		"https://example.com/static/js/leaflet.min.js.map js:sourcemap",
	}},
	{"/usr/share/javascript/requirejs/require.min.js", "4e3bb5efc6ee0c782439a895166e2772b721cc4ca93568e54bd118adf5c8d72c", []string{
		"https://requirejs.org/docs/errors.html js:string",
	}},
	{"/usr/share/bootstrap-html/js/bootstrap.bundle.min.js", "91b555123480cc56584356ff3d4e973c592a945394aae5ab8eac88fa107d8877", []string{
		"https://popper.js.org/ js:string",
		"https://example.com/static/js/bootstrap.bundle.js.map js:sourcemap",
		"https://example.com/static/js/bootstrap.bundle.min.js.map js:sourcemap",
	}},
	{rustdoc + "/static.files/main-5013f961.js", "6295d6c7131fcb0375f7d6b582d84ff237e720524697c531cb6a871b183d9ee1", []string{
		"https://doc.rust-lang.org/ js:string",
	}},
	{rustdoc + "/static.files/search-63369b7b.js", "2a9656542038afd313902ed419f687960614c93f813d666228d13cad88d8a108", []string{
		"https://doc.rust-lang.org/ js:string",
		"https://duckduckgo.com/?q= js:string",
		"https://docs.rs/ js:string",
		"https://crates.io/ js:a@href",
	}},
	{rustdoc + "/static.files/stringdex-b897f86f.js", "b9941cadbf241b19a8e6ad0917dae6553584345dc457531809893c2665cdf786", []string{}},
	{rustdoc + "/static.files/settings-170eb4bf.js", "7a5bc91b83a8c9e590f3ed56fe7a0ea5c6f3bdce5a37fd5c785fcaeab74b2b03", []string{}},
	{rustdoc + "/static.files/storage-41dd4d93.js", "41ae6c52806867b0888b909a815fd147c2b012b10211a772747f49c10f3fece9", []string{}},
	{rustdoc + "/rustdoc/elasticlunr-ef4e11c1.min.js", "ef4e11c157b1e2e89782d30bd726f2d5ff7834ea5e26ad02474325f8b1f126c9", []string{}},
	{rustdoc + "/rustdoc/clipboard-1626706a.min.js", "1626706afc88d95ebe1173b553ec732c6dc82a576989315fdf5e7779af738a44", []string{}},
	{rustdoc + "/rustdoc/mark-09e88c2c.min.js", "09e88c2cfaf23ea8a37b5681433eafea97033af632ecc948c8c1ee9944647743", []string{}},
	{rustdoc + "/rustdoc/book-a0b12cfe.js", "a0b12cfedf44851aa23bbfd6c39a0df8f9c34fdb919d6d22913dcd2041d0b2fa", []string{
		"https://play.rust-lang.org/meta/crates js:string",
		"https://play.rust-lang.org/evaluate.json js:string",
	}},
}

func TestJSCorpus(t *testing.T) {
	base := mustURL(t, "https://example.com/static/js/app.js")
	compared := 0
	for _, f := range jsCorpus {
		t.Run(filepath.Base(f.path), func(t *testing.T) {
			body, err := os.ReadFile(f.path)
			if err != nil {
				body, err = os.ReadFile(filepath.Join("testdata", "js", filepath.Base(f.path)))
			}
			if err != nil {
				t.Skipf("not installed: %v", err)
			}
			if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != f.sha256 {
				t.Skipf("%s is another version", f.path)
			}
			compared++
			links := checkOnLink(t, "JS", body, Options{Mode: ModeAll}, func(o Options) []Link { return JS(base, body, o, nil) })
			checkLinks(t, base, links)
			var got []string
			for _, l := range links {
				got = append(got, l.URL.String()+" "+l.Source.String())
			}
			if !slices.Equal(got, f.want) && !(len(got) == 0 && len(f.want) == 0) {
				t.Errorf("got %d URLs:\n%q\nwant %d:\n%q", len(got), got, len(f.want), f.want)
			}
			if page := JS(base, body, Options{}, nil); len(page) != 0 {
				t.Errorf("ModePage: %d links, want none", len(page))
			}
		})
	}
	if compared < 2 {
		t.Errorf("only %d files compared", compared)
	}
}
