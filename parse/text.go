package parse

import (
	"bytes"
	"encoding/base64"
)

// This file reads URLs where no markup says they are URLs, in ModeAll:
// in text, in attribute values and script strings that look like URLs,
// and in the payloads of data: URLs.

// textURLs records the URLs written in the text t: absolute http and https
// URLs, and root-relative paths that start a word ("see /docs/api", not
// "</title>").
// A URL ends at whitespace, quotes or angle brackets, and loses the
// punctuation that ends a sentence after it ("/a/b." is "/a/b") and a
// closing parenthesis or bracket it did not open. Paths of the Unix file
// system's top folders (/usr/..., /etc/...) are not URLs, and neither
// are XML namespace names (http://www.w3.org/2000/svg).
func (c *collector) textURLs(t []byte) {
	c.scanTextURLs(t, false)
}

// absoluteURLs is textURLs for absolute URLs only: in scripts' strings,
// and in the text of code elements.
func (c *collector) absoluteURLs(t []byte) {
	c.scanTextURLs(t, true)
}

func (c *collector) scanTextURLs(t []byte, absOnly bool) {
	for i := 0; i < len(t) && !c.full; {
		j := bytes.IndexByte(t[i:], '/')
		if j < 0 {
			return
		}
		p := i + j
		start := -1
		switch {
		case p+1 < len(t) && t[p+1] == '/':
			switch {
			case p >= 6 && asciiEqualFold(t[p-6:p], "https:") && wordStart(t, p-6):
				start = p - 6
			case p >= 5 && asciiEqualFold(t[p-5:p], "http:") && wordStart(t, p-5):
				start = p - 5
			}
			if start < 0 {
				i = p + 2
				continue
			}
		case !absOnly && wordStart(t, p) && p+1 < len(t) && isPathStart(t[p+1]):
			start = p
		default:
			i = p + 1
			continue
		}
		end := start
		for end < len(t) && isURLByte(t[end]) {
			end++
		}
		u := trimURLEnd(t[start:end])
		if u[0] == '/' && !unixPath(u) || u[0] != '/' && !namespaceURI(u) {
			c.add(u, Page, false)
		}
		i = end
	}
}

// wordStart reports whether t[i] starts a word: it is the first byte, or
// follows whitespace or punctuation that may open a URL.
func wordStart(t []byte, i int) bool {
	if i == 0 {
		return true
	}
	switch t[i-1] {
	case ' ', '\t', '\n', '\r', '\f', '(', '[', '"', '\'', '=', ',', ';', ':', '`':
		return true
	}
	return false
}

// isPathStart reports whether c can follow the '/' that starts a
// root-relative path.
func isPathStart(c byte) bool {
	return isAlnum(c) || c == '_' || c == '~' || c == '.' || c == '-' || c == '%' || c == '@'
}

// isURLByte reports whether c can be part of a URL written in text.
func isURLByte(c byte) bool {
	if c >= 0x80 {
		return true // IRIs
	}
	if c <= ' ' || c == 0x7f {
		return false
	}
	switch c {
	case '"', '\'', '<', '>', '`', '{', '}', '|', '\\', '^':
		return false
	}
	return true
}

// trimURLEnd removes from the URL u found in text the punctuation that
// ends the sentence after it, and closing parentheses and brackets that
// it does not open.
func trimURLEnd(u []byte) []byte {
	// unclosed counts the ( and [ that the ) and ] after them do not
	// close: a closing one is trimmed when there is none.
	parens := bytes.Count(u, []byte("(")) - bytes.Count(u, []byte(")"))
	brackets := bytes.Count(u, []byte("[")) - bytes.Count(u, []byte("]"))
	for len(u) > 1 {
		switch u[len(u)-1] {
		case '.', ',', ';', ':', '!', '?', '*':
		case ')':
			if parens >= 0 {
				return u
			}
			parens++
		case ']':
			if brackets >= 0 {
				return u
			}
			brackets++
		default:
			return u
		}
		u = u[:len(u)-1]
	}
	return u
}

// unixFolders are the top folders of Unix file systems, whose paths are
// common in documentation and are not URLs.
var unixFolders = []string{
	"bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "mnt", "opt", "proc", "root",
	"run", "sbin", "srv", "sys", "tmp", "usr", "var", "Applications", "Library", "System", "Users",
	"Volumes", "private",
}

// unixPath reports whether the root-relative path p is a file system path
// of unixFolders ("/usr/bin/python3", "/tmp").
func unixPath(p []byte) bool {
	seg := p[1:]
	if i := bytes.IndexByte(seg, '/'); i >= 0 {
		seg = seg[:i]
	}
	for _, f := range unixFolders {
		if string(seg) == f {
			return true
		}
	}
	return false
}

// looksLikeURL reports whether the value v, found where nothing says it
// is a URL (an attribute no row of the table names, a string in a
// script), is one all the same: an absolute http or https URL, a
// protocol-relative one with a dotted host, a root-relative path, or a
// ./ or ../ path; without whitespace, quotes, angle brackets or
// backslashes, and not a bare "/", "./" or "../". It is the test that
// keeps words, MIME types (text/html), dates (2024/06/01) and the like
// out.
func looksLikeURL(v []byte) bool {
	if len(v) < 2 || len(v) > 4096 {
		return false
	}
	for _, c := range v {
		if c <= ' ' || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == '`' || c == '{' || c == '}' || c == '|' || c == '^' {
			return false
		}
	}
	switch {
	case hasPrefixFold(v, "http://"), hasPrefixFold(v, "https://"):
		rest := v[bytes.IndexByte(v, ':')+3:]
		return len(rest) > 0 && (isAlnum(rest[0]) || rest[0] == '[') && !namespaceURI(v)
	case v[0] == '/' && v[1] == '/':
		host := v[2:]
		if i := bytes.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		return len(host) > 2 && bytes.IndexByte(host, '.') > 0 && isAlnum(host[0]) && isAlnum(host[len(host)-1])
	case v[0] == '/':
		return isPathStart(v[1]) && !regexLike(v)
	case bytes.HasPrefix(v, []byte("./")):
		return len(v) > 2 && !regexLike(v)
	case bytes.HasPrefix(v, []byte("../")):
		return len(v) > 3 && !regexLike(v)
	}
	return false
}

// regexLike reports whether a path holds what paths seldom do and
// regular expressions and globs often do.
func regexLike(v []byte) bool {
	return bytes.ContainsAny(v, "*$()[]") || bytes.Contains(v, []byte("//"))
}

// namespaceURI reports whether u is an XML namespace name, a URL that
// names and is never fetched.
func namespaceURI(u []byte) bool {
	for _, ns := range []string{
		"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml", "http://www.w3.org/1999/xlink",
		"http://www.w3.org/1998/math/mathml", "http://www.w3.org/2000/xmlns/", "http://www.w3.org/xml/1998/namespace",
	} {
		if asciiEqualFold(u, ns) {
			return true
		}
	}
	return false
}

// percentDecode returns b with its %XX escapes decoded; a '%' that
// starts no escape is kept. It returns b itself when it has no escape.
func percentDecode(b []byte) []byte {
	if bytes.IndexByte(b, '%') < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '%' && i+2 < len(b) && isHexDigit(b[i+1]) && isHexDigit(b[i+2]) {
			out = append(out, hexVal(b[i+1])<<4|hexVal(b[i+2]))
			i += 2
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// dataURL reads the payload of the data: URL whose text after "data:" is
// r, if its type is one that holds links: SVG and HTML are read as
// documents, CSS as a stylesheet, JavaScript as a script. Its links
// resolve against the current base: browsers cannot resolve a relative
// link in a data: document, but a crawler looking for every link takes
// them as the page's author meant them.
func (c *collector) dataURL(r []byte) {
	comma := bytes.IndexByte(r, ',')
	if comma < 0 {
		return
	}
	meta, payload := r[:comma], r[comma+1:]
	mt := meta
	if i := bytes.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	mt = trimSpace(mt)
	isBase64 := false
	if i := bytes.LastIndexByte(meta, ';'); i >= 0 && asciiEqualFold(trimSpace(meta[i+1:]), "base64") {
		isBase64 = true
	}
	var read func(b []byte)
	switch {
	case asciiEqualFold(mt, "image/svg+xml"):
		read = func(b []byte) { c.htmlAll(b, true) }
	case asciiEqualFold(mt, "text/html"), asciiEqualFold(mt, "application/xhtml+xml"):
		read = func(b []byte) { c.htmlAll(b, false) }
	case asciiEqualFold(mt, "text/css"):
		read = func(b []byte) {
			c.setSrc(Source{Kind: SourceCSS}, nil, nil)
			c.scanCSS(b)
		}
	case isJSType(mt):
		read = func(b []byte) {
			c.setSrc(Source{Kind: SourceJS}, nil, nil)
			c.scanJS(b)
		}
	default:
		return
	}
	body := percentDecode(payload)
	if isBase64 {
		var err error
		if body, err = decodeBase64(body); err != nil {
			return
		}
	}
	c.nested(SourceDataURL, func() { read(body) })
}

// decodeBase64 decodes b as the "forgiving base64" of the Infra standard
// that data: URLs use: whitespace is ignored, and the padding may be
// missing.
func decodeBase64(b []byte) ([]byte, error) {
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		if !isSpace(c) {
			clean = append(clean, c)
		}
	}
	clean = bytes.TrimRight(clean, "=")
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	return out[:n], err
}

// isJSType reports whether the media type mt is one of JavaScript's.
func isJSType(mt []byte) bool {
	for _, t := range []string{"text/javascript", "application/javascript", "application/x-javascript",
		"text/ecmascript", "application/ecmascript", "text/x-javascript", "text/jscript"} {
		if asciiEqualFold(mt, t) {
			return true
		}
	}
	return false
}
