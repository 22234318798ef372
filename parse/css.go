package parse

import (
	"bytes"
	"net/url"
	"unicode/utf8"
)

// CSS appends to dst the links of a stylesheet fetched from base and
// returns the extended slice.
//
// It finds url(...) in its quoted and unquoted forms, @import "x.css" and
// @import url(x.css), and the quoted URLs of image-set(); all are
// Requisite. Comments are skipped and strings that are not URLs are not
// searched. CSS escapes are decoded (\" , \28, a backslash-newline in a
// string). Resolution, deduplication, the self-link rule and the MaxLinks
// cap are as for [HTML]. CSS never fails: what does not parse is skipped,
// as browsers do.
func CSS(base *url.URL, body []byte, opts Options, dst []Link) []Link {
	c := newCollector(base, opts, dst)
	defer c.free()
	c.src = Source{Kind: SourceCSS}
	c.scanCSS(body)
	return c.dst
}

// scanCSS records the URLs of a stylesheet, a <style> element or a style
// attribute. It is a byte scanner that knows just enough of CSS
// tokenization to find url( tokens, @import strings and image-set()
// strings, and to not find them in comments and other strings.
func (c *collector) scanCSS(css []byte) {
	n := len(css)
	imageSet := 0 // parenthesis depth inside image-set(, 0 outside
	for i := 0; i < n && !c.full; {
		ch := css[i]
		if !cssSpecial(ch) {
			i++
			continue
		}
		switch {
		case ch == '/' && i+1 < n && css[i+1] == '*':
			end := bytes.Index(css[i+2:], []byte("*/"))
			if end < 0 {
				return
			}
			if c.all {
				c.cssComment(css[i+2 : i+2+end])
			}
			i += 2 + end + 2
		case ch == '"' || ch == '\'':
			s, next, ok := c.cssString(css, i)
			if ok && imageSet == 1 {
				c.addCSS(s, i, next, "image-set")
			}
			i = next
		case ch == '\\':
			i += 2 // an escaped character is part of an identifier
		case ch == '@':
			i++
			if hasPrefixFold(css[i:], "import") && (i+6 == n || !isNameChar(css[i+6])) {
				i += 6
				i = skipCSSSpace(css, i)
				if i < n && (css[i] == '"' || css[i] == '\'') {
					s, next, ok := c.cssString(css, i)
					if ok {
						c.addCSS(s, i, next, "import")
					}
					i = next
				}
				// @import url(...) is found by the next round.
			}
		case ch == '(':
			if imageSet > 0 {
				imageSet++
			}
			i++
		case ch == ')':
			if imageSet > 0 {
				imageSet--
			}
			i++
		case (ch == 'u' || ch == 'U') && hasPrefixFold(css[i:], "url(") && (i == 0 || !isNameChar(css[i-1])):
			s, start, end, next, ok := c.cssURL(css, i+4)
			if ok {
				c.addCSS(s, start, end, "url")
			}
			i = next
		case (ch == 'i' || ch == 'I') && hasPrefixFold(css[i:], "image-set(") && (i == 0 || !isNameChar(css[i-1]) || css[i-1] == '-'):
			// image-set( and -webkit-image-set(: quoted arguments are URLs.
			imageSet = 1
			i += len("image-set(")
		default:
			i++
		}
	}
}

// cssSpecial reports whether scanCSS must look at c: most bytes of a
// stylesheet are not.
func cssSpecial(c byte) bool {
	switch c {
	case '/', '"', '\'', '\\', '@', '(', ')', 'u', 'U', 'i', 'I':
		return true
	}
	return false
}

// addCSS records a URL found in CSS by the construct ("url", "import",
// "image-set"), decoded into ref from the string or url token
// css[start:end], or hands it to c.cssRef when that is set.
func (c *collector) addCSS(ref []byte, start, end int, construct string) {
	if len(trimSpace(ref)) == 0 {
		return
	}
	if c.cssRef != nil {
		c.cssRef(ref, start, end)
		return
	}
	if c.src.Kind == SourceCSS {
		c.src.Attr = construct
	}
	c.add(ref, Requisite, false)
}

// cssComment records, in ModeAll, the URL of a source map comment, whose
// text is text: "# sourceMappingURL=site.css.map".
func (c *collector) cssComment(text []byte) {
	const key = "sourceMappingURL="
	t := trimSpace(text)
	if len(t) < 2 || t[0] != '#' && t[0] != '@' || !hasPrefixFold(trimSpace(t[1:]), "sourcemappingurl=") {
		return
	}
	v := trimSpace(trimSpace(t[1:])[len(key):])
	if len(v) == 0 {
		return
	}
	src := c.src
	c.src = Source{Kind: SourceCSS, Attr: "sourcemap"}
	c.add(v, Page, false)
	c.src = src
}

// cssString reads the string that starts with the quote at css[i]. It
// returns its decoded value, the index after it, and ok false for a string
// cut by a newline (a bad string in CSS).
func (c *collector) cssString(css []byte, i int) (s []byte, next int, ok bool) {
	q := css[i]
	start := i + 1
	j := start
	for ; j < len(css); j++ {
		switch css[j] {
		case q:
			return c.unescapeCSS(css[start:j]), j + 1, true
		case '\n', '\r', '\f':
			return nil, j, false
		case '\\':
			j++ // skip the escaped byte, be it a quote or a newline
		}
	}
	return c.unescapeCSS(css[start:]), len(css), true // EOF ends a string
}

// cssURL reads the rest of a url( token, from css[i] just after the "(".
// It returns the URL, the span css[start:end] it was read from (the string
// with its quotes, or the unquoted URL without the whitespace around it),
// the index after the closing parenthesis, and ok false for a bad url
// (whitespace inside, stray quotes or parentheses), which is skipped up to
// its closing parenthesis as CSS does.
func (c *collector) cssURL(css []byte, i int) (u []byte, start, end, next int, ok bool) {
	n := len(css)
	i = skipCSSSpace(css, i)
	if i < n && (css[i] == '"' || css[i] == '\'') {
		// url("x"): a function with a string argument.
		s, j, ok := c.cssString(css, i)
		strEnd := j
		j = skipCSSSpace(css, j)
		if !ok || j < n && css[j] != ')' {
			return nil, 0, 0, badURLEnd(css, j), false
		}
		return s, i, strEnd, min(j+1, n), true
	}
	start = i
	escaped := false
	for ; i < n; i++ {
		switch ch := css[i]; {
		case ch == ')':
			return c.unquotedURL(css[start:i], escaped), start, i, i + 1, true
		case isCSSSpace(ch):
			urlEnd := i
			i = skipCSSSpace(css, i)
			if i == n || css[i] == ')' {
				return c.unquotedURL(css[start:urlEnd], escaped), start, urlEnd, min(i+1, n), true
			}
			return nil, 0, 0, badURLEnd(css, i), false
		case ch == '"' || ch == '\'' || ch == '(' || ch < ' ' || ch == 0x7f:
			return nil, 0, 0, badURLEnd(css, i), false
		case ch == '\\':
			if i+1 == n || css[i+1] == '\n' {
				return nil, 0, 0, badURLEnd(css, i), false
			}
			escaped = true
			i++
			if isHexDigit(css[i]) {
				// Up to six hex digits and one whitespace belong to the
				// escape: "\28 x" is "(x".
				j := i
				for j < n && j < i+6 && isHexDigit(css[j]) {
					j++
				}
				if j < n && isCSSSpace(css[j]) {
					j++
				}
				i = j - 1
			}
		}
	}
	return c.unquotedURL(css[start:], escaped), start, n, n, true // EOF ends a url
}

func (c *collector) unquotedURL(b []byte, escaped bool) []byte {
	if escaped {
		return c.unescapeCSS(b)
	}
	return b
}

// badURLEnd returns the index after the ')' that ends a bad url token.
func badURLEnd(css []byte, i int) int {
	for ; i < len(css); i++ {
		switch css[i] {
		case ')':
			return i + 1
		case '\\':
			i++
		}
	}
	return len(css)
}

// unescapeCSS decodes the CSS escapes of b: a backslash and up to six hex
// digits (and one whitespace after them) is a code point, a backslash and a
// newline is nothing, a backslash and any other character is that
// character. Without escapes it returns b itself; else the result is in
// the collector's scratch buffer, valid until the next call.
func (c *collector) unescapeCSS(b []byte) []byte {
	if bytes.IndexByte(b, '\\') < 0 {
		return b
	}
	out := c.scratch[:0]
	for i := 0; i < len(b); i++ {
		ch := b[i]
		if ch != '\\' {
			out = append(out, ch)
			continue
		}
		i++
		if i == len(b) {
			out = utf8.AppendRune(out, utf8.RuneError)
			break
		}
		switch ch = b[i]; {
		case ch == '\n' || ch == '\f':
			// line continuation
		case ch == '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		case isHexDigit(ch):
			r := rune(0)
			j := i
			for ; j < len(b) && j < i+6 && isHexDigit(b[j]); j++ {
				r = r<<4 | rune(hexVal(b[j]))
			}
			if r == 0 || r > utf8.MaxRune || 0xD800 <= r && r <= 0xDFFF {
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			i = j - 1
			if j < len(b) && isCSSSpace(b[j]) {
				i = j
				if b[j] == '\r' && j+1 < len(b) && b[j+1] == '\n' {
					i++
				}
			}
		default:
			out = append(out, ch)
		}
	}
	c.scratch = out
	return out
}

func skipCSSSpace(css []byte, i int) int {
	for i < len(css) && isCSSSpace(css[i]) {
		i++
	}
	return i
}

func isCSSSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// isNameChar reports whether c can be part of a CSS identifier, so that
// "myurl(" is not read as "url(".
func isNameChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c >= 0x80 || c == '\\'
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
