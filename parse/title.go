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
	t, _ := titleEnd(doc)
	return t
}

// DocTitle returns the title of an HTML document fetched with the
// Content-Type contentType: Title(ToUTF8(doc, contentType)), without
// decoding the document when nothing declares a charset other than UTF-8
// and all it has up to the end of its title is ASCII, which ToUTF8 would
// leave as it is.
func DocTitle(doc []byte, contentType string) string {
	if t, end := titleEnd(doc); isASCII(doc[:end]) && noOtherCharset(doc, contentType) {
		return t
	}
	return Title(ToUTF8(doc, contentType))
}

// titleEnd returns what Title does, and the length of the start of doc
// that it read to find it.
func titleEnd(doc []byte) (string, int) {
	s := newScanner(doc, 0)
	for {
		t := s.next()
		switch t.kind {
		case tokEOF:
			return "", len(doc)
		case tokStartTag:
			// The page table has no svg: it is one of the others.
			if t.tag == tagBody || t.tag == tagOther && lookupTagAll(doc[t.start+1:t.nameEnd]) == tagSvg {
				return "", s.pos
			}
		case tokRawText:
			if t.tag == tagTitle {
				text := strings.ReplaceAll(string(doc[t.start:t.end]), "\x00", "\uFFFD")
				return strings.Join(strings.Fields(html.UnescapeString(text)), " "), s.pos
			}
		}
	}
}
