package parse

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// formatTokens renders the tokens of the scanner, text included, as
// "kind:raw" joined by " | ", up to tokEOF.
func formatTokens(body []byte) string {
	var out []string
	s := newScanner(body, 0)
	s.text = true
	for {
		t := s.next()
		if t.kind == tokEOF {
			return strings.Join(out, " | ")
		}
		out = append(out, fmt.Sprintf("%s:%s", [...]string{"eof", "text", "raw", "start", "end", "comment", "doctype"}[t.kind], body[t.start:t.end]))
	}
}

func TestScan(t *testing.T) {
	tests := []struct{ name, html, want string }{
		{"text only", "a < b", "text:a < b"},
		{"empty", "", ""},
		{"tags", `x<a href="y">z</a>`, `text:x | start:<a href="y"> | text:z | end:</a>`},
		{"less-than before anything else", "<<a>< 3<=", "text:< | start:<a> | text:< 3<="},
		{"less-than at the end", "a<", "text:a<"},
		{"end tag opener at the end", "a</", "text:a</"},

		// Attributes: quotes hide '>', a stray '/' or '=' does not end
		// the tag.
		{"quoted greater-than", `<a title='>' href=">">x`, `start:<a title='>' href=">"> | text:x`},
		{"unquoted with slash", `<a href=x/>y`, `start:<a href=x/> | text:y`},
		{"slash between attributes", `<a/href=x / title=y>`, `start:<a/href=x / title=y>`},
		{"equals in key", `<a =x==y>`, `start:<a =x==y>`},
		{"end tag hides quoted greater-than", `</a title=">">x`, `end:</a title=">"> | text:x`},

		// Comments and their oddities.
		{"comment", "<!-- <a href=x> -->y", "comment:<!-- <a href=x> --> | text:y"},
		{"abrupt empty comments", "<!-->a<!--->b", "comment:<!--> | text:a | comment:<!---> | text:b"},
		{"bang close", "<!-- x --!>y", "comment:<!-- x --!> | text:y"},
		{"greater-than inside", "<!-- a > b -> c --->d", "comment:<!-- a > b -> c ---> | text:d"},
		{"bang not a close", "<!-- --!x> --!->z-->w", "comment:<!-- --!x> --!->z--> | text:w"},
		{"bogus comments", "<?php echo 1 ?><!x></ 3></>", "comment:<?php echo 1 ?> | comment:<!x> | comment:</ 3> | comment:</>"},
		{"cdata is a bogus comment", "<![CDATA[ <a> ]]>", "comment:<![CDATA[ <a> | text: ]]>"},
		{"doctype", "<!DOCTYPE html><!doctype x>", "doctype:<!DOCTYPE html> | doctype:<!doctype x>"},

		// Raw text.
		{"script", "<script>if (a<b) x='</a>'</script><p>", "start:<script> | raw:if (a<b) x='</a>' | end:</script> | start:<p>"},
		{"script end tag in any case", "<SCRIPT>x</ScRiPt >", "start:<SCRIPT> | raw:x | end:</ScRiPt >"},
		{"script end tag needs a delimiter", "<script>a</scripts></script/>", "start:<script> | raw:a</scripts> | end:</script/>"},
		{"script escaped", "<script><!--</script>x", "start:<script> | raw:<!-- | end:</script> | text:x"},
		{"script double escaped", "<script><!--<script></script>--></script>x",
			"start:<script> | raw:<!--<script></script>--> | end:</script> | text:x"},
		{"script double escape ended", "<script><!--<script>--></script>x", "start:<script> | raw:<!--<script>--> | end:</script> | text:x"},
		{"script escape left by less-than", "<script><!--a< <script></script>x</script>",
			"start:<script> | raw:<!--a< <script> | end:</script> | text:x | end:</script>"},
		{"empty script", "<script></script>", "start:<script> | end:</script>"},
		{"style", "<style>a{b:url(</p>)}</style>", "start:<style> | raw:a{b:url(</p>)} | end:</style>"},
		{"title and textarea", "<title><a></title><textarea><b></textarea>", "start:<title> | raw:<a> | end:</title> | start:<textarea> | raw:<b> | end:</textarea>"},
		{"self-closing script is raw", "<script/><a></script>", "start:<script/> | raw:<a> | end:</script>"},
		{"plaintext to the end", "<plaintext></plaintext><a>", "start:<plaintext> | raw:</plaintext><a>"},
		{"noscript is markup", "<noscript><a></noscript>", "start:<noscript> | start:<a> | end:</noscript>"},
		{"raw text to the end", "<xmp>a</xmp", "start:<xmp> | raw:a</xmp"},

		// The end of the document in the middle of things.
		{"eof in tag", `a<a href="x>`, "text:a"},
		{"eof in unquoted value", `<a href=x`, ""},
		{"eof after tag name", `<img`, ""},
		{"eof in end tag", `x</a`, "text:x"},
		{"eof in comment", `<!-- x`, "comment:<!-- x"},
		{"eof in comment opener", `<!-`, "comment:<!-"},
		{"eof in doctype", `<!DOCTY`, "comment:<!DOCTY"},
		{"eof in bogus comment", `<?x`, "comment:<?x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatTokens([]byte(tt.html)); got != tt.want {
				t.Errorf("tokens of %q:\n got %s\nwant %s", tt.html, got, tt.want)
			}
			checkScan(t, []byte(tt.html))
		})
	}
}

func TestDecodeAttr(t *testing.T) {
	tests := []struct{ v, want string }{
		{"plain", "plain"},
		{"a&amp;b", "a&b"},
		{"a&ampb", "a&ampb"},           // legacy name followed by a letter
		{"a&amp;b&amp=c", "a&b&amp=c"}, // legacy name followed by '='
		{"?x=1&copy=2&copy;", "?x=1&copy=2©"},
		{"&amp", "&"},
		{"&notin;&notit;&not", "∉&notit;¬"},
		{"&hellip", "&hellip"}, // not a legacy name
		{"&fjlig;&nvlt;", "fj<\u20d2"},
		{"&#65;&#x41&#X41;&#0065x", "AAAAx"},
		{"&#;&#x;&#", "&#;&#x;&#"},
		{"&#0;&#xD800;&#x110000;&#99999999999;", "\uFFFD\uFFFD\uFFFD\uFFFD"},
		{"&#x80;&#x81;&#159;", "\u20ac\u0081\u0178"},
		{"&#13;", "\r"},
		{"&;&", "&;&"},
		{"a\r\nb\rc\r\r\nd", "a\nb\nc\n\nd"},
		{"a\x00b", "a\uFFFDb"},
		{"&am\x00p;", "&am\uFFFDp;"},
	}
	for _, tt := range tests {
		t.Run(tt.v, func(t *testing.T) {
			var buf []byte
			if got := decodeAttr([]byte(tt.v), &buf); string(got) != tt.want {
				t.Errorf("decodeAttr(%q) = %q, want %q", tt.v, got, tt.want)
			}
			if got := tokenizerAttr(tt.v); got != tt.want {
				t.Errorf("the tokenizer decodes %q as %q, the test wants %q", tt.v, got, tt.want)
			}
		})
	}
}

// tokenizerAttr returns the value v of a double-quoted attribute as the
// Tokenizer decodes it.
func tokenizerAttr(v string) string {
	z := html.NewTokenizer(strings.NewReader(`<a x="` + v + `">`))
	z.Next()
	_, val, _ := z.TagAttr()
	return string(val)
}

// TestEntityTable checks every name of the generated table against the
// Tokenizer, with and without a letter or '=' after it.
func TestEntityTable(t *testing.T) {
	src, err := os.ReadFile("entity_table.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(line, "\tcase ") {
			for _, m := range regexp.MustCompile(`"([A-Za-z0-9]+;?)"`).FindAllStringSubmatch(line, -1) {
				names = append(names, m[1])
			}
		}
	}
	if len(names) != numEntities || numEntities != 2231 {
		t.Fatalf("found %d names, the table says %d, the standard has 2231", len(names), numEntities)
	}
	var buf []byte
	for _, name := range names {
		for _, v := range []string{"&" + name, "&" + name + "x", "&" + name + "=", "&" + name + ";"} {
			buf = buf[:0]
			got, want := string(decodeAttr([]byte(v), &buf)), tokenizerAttr(v)
			if got != want {
				t.Errorf("%q decodes as %q, the tokenizer says %q", v, got, want)
			}
		}
	}
}

// checkScan fails unless the scanner splits body as the Tokenizer does
// (told that noscript and noframes hold markup): the same tags, comments,
// doctypes and raw text at the same places, and for each start tag the
// same attributes, without empty keys and duplicates, lowercased and
// decoded the same. It also checks that the scanner's tokens partition
// body up to where it stops.
func checkScan(t testing.TB, body []byte) {
	t.Helper()
	var want []string
	z := html.NewTokenizer(bytes.NewReader(body))
	end, rawNext := 0, false
	for {
		tt := z.Next()
		start := end
		end += len(z.Raw())
		wasRaw := rawNext
		rawNext = false
		var kind string
		switch tt {
		case html.ErrorToken:
		case html.TextToken:
			if wasRaw {
				kind = "raw"
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			kind = "start"
			name, _ := z.TagName()
			switch string(name) {
			case "iframe", "noembed", "plaintext", "script", "style", "textarea", "title", "xmp":
				rawNext = true
			case "noscript", "noframes":
				z.NextIsNotRawText()
			}
		case html.EndTagToken:
			kind = "end"
		case html.CommentToken:
			kind = "comment"
		case html.DoctypeToken:
			kind = "doctype"
		}
		if tt == html.ErrorToken {
			break
		}
		if kind == "" {
			continue
		}
		tok := fmt.Sprintf("%s %d-%d", kind, start, end)
		if kind == "start" {
			for more := true; more; {
				var k, v []byte
				k, v, more = z.TagAttr()
				if k != nil {
					tok += fmt.Sprintf(" %q=%q", k, v)
				}
			}
		}
		want = append(want, tok)
	}

	got := scanTokens(t, body, true)
	if noText := scanTokens(t, body, false); !slices.Equal(noText, got) {
		t.Fatalf("scanning %q without text:\n%s\nwith text:\n%s", body, strings.Join(noText, "\n"), strings.Join(got, "\n"))
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Fatalf("scanning %q:\n--- scanner\n%s\n--- tokenizer\n%s", body, g, w)
	}
}

// scanTokens renders the tokens of body other than text as checkScan
// does, scanned with or without text tokens; with them, it checks that
// the tokens partition body.
func scanTokens(t testing.TB, body []byte, text bool) []string {
	t.Helper()
	var got []string
	s := newScanner(body, 0)
	s.text = text
	pos := 0
	var buf []byte
	for {
		tk := s.next()
		if tk.kind == tokEOF {
			return got
		}
		if text && (tk.start != pos || tk.end <= tk.start) {
			t.Fatalf("scanning %q: token %d-%d after %d", body, tk.start, tk.end, pos)
		}
		pos = tk.end
		kind := [...]string{tokText: "", tokRawText: "raw", tokStartTag: "start", tokEndTag: "end", tokComment: "comment", tokDoctype: "doctype"}[tk.kind]
		if kind == "" {
			continue
		}
		tok := fmt.Sprintf("%s %d-%d", kind, tk.start, tk.end)
		if tk.kind == tokStartTag {
			seen := map[string]bool{}
			for _, a := range s.attrs {
				k := string(asciiLower(body[a.ks:a.ke]))
				if k == "" || seen[k] {
					continue
				}
				seen[k] = true
				buf = buf[:0]
				v := decodeAttr(body[a.vs:a.ve], &buf)
				tok += fmt.Sprintf(" %q=%q", strings.ReplaceAll(k, "\x00", "\uFFFD"), v)
			}
		}
		got = append(got, tok)
	}
}

// FuzzScan compares the scanner with the Tokenizer token by token, and
// HTML and RewriteHTML with their Tokenizer versions.
func FuzzScan(f *testing.F) {
	// Small seeds only, as in FuzzHTML; the fixtures are compared by
	// TestSameAsReferenceFixtures.
	for _, s := range []string{
		`<a href="x">`, `<!--> <!---> <!-- --!> <?x> </ 3> </> <![CDATA[x]]> <!DOCTYPE html>`,
		`<script><!--<script></script>--></script>`, `<script><!--a< <script></script></script>`,
		`<style>a{b:url(c)}</style><title><a></title><textarea><b></textarea>`,
		`<a href='x&amp;y&copy=1&notit;&#x80;&#0;'>`, "<a href=\"a\r\nb\x00\">", `<a/href=x =y HREF=z>`,
		`<noscript><a href=n></noscript><noframes><img src=f></noframes><plaintext><a>`,
		`<a href="x>`, `</a title=">"><img src=y>`, `<base href=/b/><a href>`,
	} {
		f.Add([]byte(s))
	}
	base := mustURL(f, "https://example.com/dir/page.html")
	f.Fuzz(func(t *testing.T, body []byte) {
		checkScan(t, body)
		checkSameAsReference(t, base, body)
	})
}
