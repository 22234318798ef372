//go:build tdewolff

package parse

// A prototype of HTML on github.com/tdewolff/parse/v2/html's lexer, to
// measure it beside the scanner: go test -tags tdewolff -bench Links.
// It reads the same link table as HTML, but where the lexer reads HTML
// otherwise than the standard (<svg> and <math> as one XML token, "<!-->",
// end tags, "</script1>"...) it finds other links, which is not fixed here.

import (
	"bytes"
	"net/url"
	"os"
	"testing"

	tdparse "github.com/tdewolff/parse/v2"
	tdhtml "github.com/tdewolff/parse/v2/html"
)

func init() {
	linkFinders = append(linkFinders, struct {
		name string
		fn   func(base *url.URL, body []byte, opts Options, dst []Link) []Link
	}{"tdewolff", tdwHTML})
}

func tdwHTML(base *url.URL, body []byte, opts Options, dst []Link) []Link {
	c := newCollector(base, opts, dst)
	in := tdparse.NewInputBytes(body)
	defer in.Restore()
	l := tdhtml.NewLexer(in)
	var (
		a         attrs
		found     [maxLinkAttrs]linkAttr
		dec       []byte
		tag       tagID
		haveBase  bool
		styleNext bool
	)
	for !c.full {
		tt, data := l.Next()
		switch tt {
		case tdhtml.ErrorToken:
			return c.dst
		case tdhtml.TextToken:
			if styleNext {
				c.scanCSS(data)
			}
			styleNext = false
		case tdhtml.StartTagToken:
			styleNext = false
			tag = lookupTag(l.Text())
			a.has = 0
			clear(a.val[:])
			dec = dec[:0]
		case tdhtml.AttributeToken:
			id, ok := lookupAttr(l.AttrKey())
			if !ok || a.has&(1<<id) != 0 {
				continue
			}
			v := l.AttrVal()
			if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
				v = v[1:]
				if len(v) > 0 && v[len(v)-1] == data[len(data)-len(v)-1] {
					v = v[:len(v)-1]
				}
			}
			a.has |= 1 << id
			a.val[id] = decodeAttr(v, &dec)
		case tdhtml.StartTagCloseToken, tdhtml.StartTagVoidToken:
			if tag == tagStyle {
				styleNext = true
			}
			act := tagLinks
			switch tag {
			case tagStyle, tagNoscript, tagNoframes:
				act = tagSkip
			case tagOther, tagNoembed, tagPlaintext, tagTextarea, tagTitle, tagXmp:
				act = tagSkip
				if bytes.IndexByte(a.get(attrStyle), '(') >= 0 {
					act = tagStyleAttr
				}
			}
			if act == tagSkip {
				continue
			}
			for _, la := range a.linkAttrs(tag, act, found[:0]) {
				v := a.val[la.id]
				switch la.form {
				case formURL:
					c.add(v, la.kind, la.nofollow)
				case formSrcset:
					c.addSrcset(v)
				case formCSS:
					c.scanCSS(v)
				case formRefresh:
					if s, e, ok := refreshSpan(v); ok {
						c.add(v[s:e], Page, false)
					}
				case formBase:
					if !haveBase {
						haveBase = true
						c.setBase(v)
					}
				}
			}
		}
	}
	return c.dst
}

// TestTdewolffLinks counts the pages on which the prototype finds other
// links than HTML. (On the committed and installed collections: 1 of 24
// fixtures of testdata, malformed markup, and none of the 530 Python pages
// and 505 bench pages.)
func TestTdewolffLinks(t *testing.T) {
	for _, dir := range []string{"testdata/pages/python", "testdata/pages/gensite", "testdata", "../testdata/site", pythonDocsDir, os.Getenv("CRAWL_GENSITE")} {
		if _, err := os.Stat(dir); dir == "" || err != nil {
			continue
		}
		differ := 0
		files := htmlFiles(t, dir)
		for _, rel := range files {
			body := readFile(t, dir+"/"+rel)
			u := mustURL(t, "http://example.com/"+rel)
			if formatLinks(tdwHTML(u, body, Options{}, nil)) != formatLinks(HTML(u, body, Options{}, nil)) {
				differ++
			}
		}
		t.Logf("%s: %d of %d pages have other links", dir, differ, len(files))
	}
}
