package parse

import "bytes"

// This file is the HTML scanner: a tokenizer over a document in memory
// that finds where each tag, comment and run of text is, without copying
// or decoding anything. It splits a document exactly as
// golang.org/x/net/html's Tokenizer does (the tests check this token by
// token against it), which follows the HTML standard's tokenization
// stage, with the differences listed in the comment of scanner.
//
// It is fast because the document is already in memory: text is skipped
// with bytes.IndexByte to the next '<', quoted attribute values and the
// text of raw text elements likewise, tag names are matched without
// allocation, and nothing is decoded here: the caller decodes the few
// attribute values it wants (decodeAttr).

// tokenKind is the kind of a token of the scanner.
type tokenKind uint8

const (
	// tokEOF ends the document, or the part of it that can be read: a
	// tag cut by the end of the document is dropped, as the tokenizer
	// drops it, and so is what follows a text ending in "<a".
	tokEOF tokenKind = iota
	// tokText is character data, between tags.
	tokText
	// tokRawText is the text of a raw text element (script, style,
	// textarea, title, xmp, iframe, noembed, plaintext): token.tag
	// tells which.
	tokRawText
	// tokStartTag is a start tag, self-closing or not; its attributes are
	// in scanner.attrs.
	tokStartTag
	// tokEndTag is an end tag.
	tokEndTag
	// tokComment is a comment: <!--...-->, a bogus comment (<!x>, <?x>,
	// </ x>, </>) or a CDATA section, which the tokenizer reads as a bogus
	// comment outside SVG and MathML.
	tokComment
	// tokDoctype is a <!DOCTYPE ...> declaration.
	tokDoctype
)

// token is one token of the scanner: its raw bytes are b[start:end], and
// the tokens of a document partition it up to tokEOF.
type token struct {
	kind       tokenKind
	start, end int
	// tag is the element of a start tag or of raw text; tagOther for
	// elements the link table does not name.
	tag tagID
	// nameEnd ends the name of a tag, which starts after its "<" or "</".
	nameEnd int
}

// attrSpan is where an attribute of a start tag is, in the document: its
// key is b[ks:ke] and its value, without quotes, b[vs:ve]. An attribute
// without '=' has vs == ve == ke; a quoted value has its opening quote at
// b[vs-1].
type attrSpan struct {
	ks, ke, vs, ve int
}

// scanner splits an HTML document into tokens. Its zero value is not
// usable: see newScanner.
//
// It reads a document as the tokenizer of golang.org/x/net/html does,
// which is the HTML standard's tokenizer except for what it leaves to a
// tree builder:
//
//   - CDATA sections are bogus comments, as in HTML content; inside SVG
//     and MathML a browser reads them as text.
//   - <noscript> and <noframes> are not raw text elements: their contents
//     are read as markup, as a client without scripts or frames does.
//     (The tokenizer needs Tokenizer.NextIsNotRawText for this.)
//   - Raw text elements are raw text anywhere, also inside SVG and
//     MathML, where <title> and <style> hold markup in a browser.
//   - In a script, "<!--" then "<" and a byte that is neither a letter nor
//     '/' leaves the escaped state, where the standard stays in it: after
//     "<script><!-- a<b <script></script>" the standard still reads the
//     script, the tokenizer has ended it.
type scanner struct {
	b   []byte
	pos int // b[:pos] has been read
	// rawNext is the raw text element whose text comes next, or tagNone.
	rawNext tagID
	// attrs are the attributes of the last start tag, in document order,
	// duplicates and attributes with empty keys included.
	attrs []attrSpan
	// text makes next return the text between tags as tokText tokens;
	// without it, that text is skipped.
	text bool
}

// newScanner returns a scanner of the document b[pos:]; offsets are in b.
func newScanner(b []byte, pos int) *scanner {
	return &scanner{b: b, pos: pos, attrs: make([]attrSpan, 0, 16)}
}

func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// next returns the next token.
func (s *scanner) next() token {
	b, n := s.b, len(s.b)
	start := s.pos
	if s.rawNext != tagNone {
		tag := s.rawNext
		s.rawNext = tagNone
		end := n
		if tag != tagPlaintext {
			end = s.rawTextEnd(tag, start)
		}
		if end > start {
			s.pos = end
			return token{kind: tokRawText, start: start, end: end, tag: tag}
		}
	}
	if start >= n {
		return token{kind: tokEOF, start: n, end: n}
	}
	// Find the next '<' that starts markup: a letter, '/', '!' or '?'
	// after it.
	lt := start
	for {
		i := bytes.IndexByte(b[lt:], '<')
		if i >= 0 {
			lt += i
		}
		if i < 0 || lt+1 >= n {
			s.pos = n
			if !s.text {
				return token{kind: tokEOF, start: n, end: n}
			}
			return token{kind: tokText, start: start, end: n}
		}
		c := b[lt+1]
		if isLetter(c) || c == '!' || c == '?' || c == '/' && lt+2 < n {
			break
		}
		// "</" at the end of the document is text, and so is a '<'
		// before anything else.
		lt++
	}
	if lt > start && s.text {
		s.pos = lt
		return token{kind: tokText, start: start, end: lt}
	}
	switch c := b[lt+1]; {
	case isLetter(c):
		return s.startTag(lt)
	case c == '/':
		c = b[lt+2]
		switch {
		case c == '>':
			// "</>" is nothing in HTML; the tokenizer gives it as an
			// empty comment.
			return s.token(tokComment, lt, lt+3)
		case isLetter(c):
			nameEnd := tagNameEnd(b, lt+3)
			end, ok := s.tagEnd(nameEnd, false)
			if !ok {
				return s.eof()
			}
			t := s.token(tokEndTag, lt, end)
			t.nameEnd = nameEnd
			return t
		}
		// "</ 3>": a bogus comment.
		return s.token(tokComment, lt, closeAngle(b, lt+2))
	case c == '?':
		return s.token(tokComment, lt, closeAngle(b, lt+1))
	default: // '!'
		return s.markupDeclaration(lt)
	}
}

// token returns a token of kind from b[start:end] and moves past it.
func (s *scanner) token(kind tokenKind, start, end int) token {
	s.pos = end
	return token{kind: kind, start: start, end: end}
}

// eof ends the document: the token being read is cut by its end.
func (s *scanner) eof() token {
	s.pos = len(s.b)
	return token{kind: tokEOF, start: len(s.b), end: len(s.b)}
}

// closeAngle returns the index after the first '>' at or after b[i], or
// len(b): the end of a bogus comment or a doctype.
func closeAngle(b []byte, i int) int {
	if j := bytes.IndexByte(b[i:], '>'); j >= 0 {
		return i + j + 1
	}
	return len(b)
}

// tagNameEnd returns the end of the tag name that starts before b[i]: the
// first whitespace, '/' or '>' at or after b[i], or len(b).
func tagNameEnd(b []byte, i int) int {
	for ; i < len(b); i++ {
		if endsName(b[i], false) {
			return i
		}
	}
	return i
}

// startTag reads the start tag at b[lt], "<" and a letter.
func (s *scanner) startTag(lt int) token {
	nameEnd := tagNameEnd(s.b, lt+2)
	s.attrs = s.attrs[:0]
	end, ok := s.tagEnd(nameEnd, true)
	if !ok {
		return s.eof()
	}
	t := s.token(tokStartTag, lt, end)
	t.nameEnd = nameEnd
	t.tag = lookupTag(s.b[lt+1 : nameEnd])
	if rawTextTag(t.tag) {
		s.rawNext = t.tag
	}
	return t
}

// tagEnd reads the attributes of a tag from b[i], just after its name, and
// returns the index after the '>' that ends the tag, or ok false if the
// document ends first. With record, the attributes are appended to
// s.attrs. The steps are those of the tokenizer's readTag,
// readTagAttrKey and readTagAttrVal.
func (s *scanner) tagEnd(i int, record bool) (end int, ok bool) {
	b, n := s.b, len(s.b)
	i = skipTagSpace(b, i)
	for {
		if i >= n {
			return 0, false
		}
		if b[i] == '>' {
			return i + 1, true
		}
		// The key: a leading '=' is part of it; a '/' ends it, and may
		// leave it empty.
		ks := i
		if b[i] == '=' {
			i++
		}
		for i < n && !endsName(b[i], false) && b[i] != '=' {
			i++
		}
		ke := i
		vs, ve := i, i
		i = skipTagSpace(b, i)
		if i >= n {
			return 0, false
		}
		switch b[i] {
		case '/':
			i++
		case '=':
			i = skipTagSpace(b, i+1)
			if i >= n {
				return 0, false
			}
			switch q := b[i]; q {
			case '>':
				vs, ve = i, i // "href=>": an empty value
			case '"', '\'':
				j := bytes.IndexByte(b[i+1:], q)
				if j < 0 {
					return 0, false
				}
				vs, ve = i+1, i+1+j
				i = ve + 1
			default:
				vs = i
				for i < n && !endsName(b[i], true) {
					i++
				}
				if i >= n {
					return 0, false
				}
				ve = i
			}
		}
		if record {
			s.attrs = append(s.attrs, attrSpan{ks: ks, ke: ke, vs: vs, ve: ve})
		}
		i = skipTagSpace(b, i)
	}
}

// isTagSpace reports whether c is whitespace in a tag. Most bytes of a
// tag are letters, above ' ': one comparison rules them out.
func isTagSpace(c byte) bool {
	return c <= ' ' && (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f')
}

// endsName reports whether c ends a tag name or an unquoted attribute
// value: whitespace, '/' or '>' for a name ('/' does not end a value, and
// value is set then). Letters, above '>', are ruled out with one
// comparison.
func endsName(c byte, value bool) bool {
	return c <= '>' && (c == '>' || c == '/' && !value || isTagSpace(c))
}

func skipTagSpace(b []byte, i int) int {
	for i < len(b) && isTagSpace(b[i]) {
		i++
	}
	return i
}

// markupDeclaration reads what starts with "<!" at b[lt]: a comment, a
// doctype, or a bogus comment up to the next '>'.
func (s *scanner) markupDeclaration(lt int) token {
	b, n := s.b, len(s.b)
	if lt+3 >= n {
		return s.token(tokComment, lt, n)
	}
	if b[lt+2] == '-' && b[lt+3] == '-' {
		return s.token(tokComment, lt, commentEnd(b, lt+4))
	}
	kind := tokComment
	if len(b)-(lt+2) >= len("doctype") && asciiEqualFold(b[lt+2:lt+2+len("doctype")], "doctype") {
		kind = tokDoctype
	}
	return s.token(kind, lt, closeAngle(b, lt+2))
}

// commentEnd returns the index after the comment whose text starts at
// b[i], after "<!--": the first '>' that follows "--" or "--!", or that
// follows only dashes since "<!--" ("<!-->", "<!--->"), or len(b).
func commentEnd(b []byte, i int) int {
	for j := i; ; {
		k := bytes.IndexByte(b[j:], '>')
		if k < 0 {
			return len(b)
		}
		g := j + k
		t := b[i:g]
		if len(t) == 0 || len(t) == 1 && t[0] == '-' || dashesBefore(t, len(t)) ||
			len(t) >= 3 && t[len(t)-1] == '!' && dashesBefore(t, len(t)-1) {
			return g + 1
		}
		j = g + 1
	}
}

// dashesBefore reports whether t[:i] ends with "--".
func dashesBefore(t []byte, i int) bool {
	return i >= 2 && t[i-1] == '-' && t[i-2] == '-'
}

// rawTextEnd returns where the text of the raw text element tag, which
// starts at b[i], ends: at the "</" of its end tag, or len(b).
func (s *scanner) rawTextEnd(tag tagID, i int) int {
	if tag == tagScript {
		return scriptEnd(s.b, i)
	}
	b, name := s.b, tagNames[tag]
	for {
		j := bytes.Index(b[i:], []byte("</"))
		if j < 0 {
			return len(b)
		}
		i += j + 2
		switch ok, next, eof := rawEndTag(b, i, name); {
		case eof:
			return len(b)
		case ok:
			return i - 2
		default:
			i = next
		}
	}
}

// rawEndTag reports whether b[i:] is the rest of the end tag of the
// element name (lowercase), after its "</": the name in any case, then
// whitespace, '/' or '>'. If not, next is where the name stops matching;
// eof is set when the document ends first.
func rawEndTag(b []byte, i int, name string) (ok bool, next int, eof bool) {
	for k := 0; k < len(name); k++ {
		if i+k >= len(b) {
			return false, len(b), true
		}
		if c := b[i+k]; c != name[k] && c != name[k]-('a'-'A') {
			return false, i + k, false
		}
	}
	i += len(name)
	if i >= len(b) {
		return false, len(b), true
	}
	switch b[i] {
	case ' ', '\n', '\r', '\t', '\f', '/', '>':
		return true, i, false
	}
	return false, i, false
}
