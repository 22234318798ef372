package parse

import (
	"html"
	"strings"
)

// Title returns the text of the first <title> element of an HTML
// document, with its character references decoded and its runs of spaces
// made one, or "" when none comes before <body> or <svg>. It reads the
// document with the scanner HTML uses, and decodes nothing else: a page's
// title costs a scan of its head.
func Title(doc []byte) string {
	s := newScanner(doc, 0)
	for {
		t := s.next()
		switch t.kind {
		case tokEOF:
			return ""
		case tokStartTag:
			// The page table has no svg: it is one of the others.
			if t.tag == tagBody || t.tag == tagOther && lookupTagAll(doc[t.start+1:t.nameEnd]) == tagSvg {
				return ""
			}
		case tokRawText:
			if t.tag == tagTitle {
				text := strings.ReplaceAll(string(doc[t.start:t.end]), "\x00", "\uFFFD")
				return strings.Join(strings.Fields(html.UnescapeString(text)), " ")
			}
		}
	}
}
