package parse

// isSpace reports whether c is ASCII whitespace as HTML defines it.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// asciiEqualFold reports whether b equals the lowercase ASCII string s,
// ignoring ASCII case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether b starts with the lowercase ASCII string
// s, ignoring ASCII case.
func hasPrefixFold(b []byte, s string) bool {
	return len(b) >= len(s) && asciiEqualFold(b[:len(s)], s)
}

// relTokens calls f for each whitespace-separated token of a rel attribute
// until f returns true, and reports whether it did.
func relTokens(rel []byte, f func(tok []byte) bool) bool {
	for i := 0; i < len(rel); {
		for i < len(rel) && isSpace(rel[i]) {
			i++
		}
		start := i
		for i < len(rel) && !isSpace(rel[i]) {
			i++
		}
		if start < i && f(rel[start:i]) {
			return true
		}
	}
	return false
}

// relHas reports whether the rel attribute has the lowercase token tok.
func relHas(rel []byte, tok string) bool {
	return relTokens(rel, func(t []byte) bool { return asciiEqualFold(t, tok) })
}

// linkKind classifies a <link> by its rel attribute. ok is false for the
// rel values that name an origin to connect to rather than a resource.
func linkKind(rel []byte) (kind Kind, ok bool) {
	requisite, origin, other := false, false, false
	relTokens(rel, func(t []byte) bool {
		switch {
		case asciiEqualFold(t, "stylesheet"), asciiEqualFold(t, "icon"),
			asciiEqualFold(t, "shortcut"), asciiEqualFold(t, "apple-touch-icon"),
			asciiEqualFold(t, "apple-touch-icon-precomposed"), asciiEqualFold(t, "mask-icon"),
			asciiEqualFold(t, "preload"), asciiEqualFold(t, "prefetch"),
			asciiEqualFold(t, "modulepreload"), asciiEqualFold(t, "manifest"):
			requisite = true
			return true
		case asciiEqualFold(t, "preconnect"), asciiEqualFold(t, "dns-prefetch"):
			origin = true
		default:
			other = true
		}
		return false
	})
	switch {
	case requisite:
		return Requisite, true
	case origin && !other:
		return Page, false
	default:
		return Page, true
	}
}

// addSrcset records the URLs of a srcset attribute.
func (c *collector) addSrcset(v []byte) {
	for i := 0; i < len(v); {
		var s, e int
		s, e, i = nextSrcsetURL(v, i)
		if s < e {
			c.add(v[s:e], Requisite, false)
		}
	}
}

// nextSrcsetURL returns the span v[start:end] of the URL of the image
// candidate of the srcset value v that starts at or after v[i], and the
// index where the next one starts. It splits candidates as the HTML
// standard's "parse a srcset attribute" algorithm does: a candidate is a
// run of non-whitespace (its trailing commas removed) followed by
// descriptors up to a comma outside parentheses. So "a.png 1x, b.png 2x",
// "a.png, b.png 2x" and "data:image/png;base64,xx 1x, b.png" all split
// right, while in "a.png,b.png 2x" the comma is part of one URL.
// Descriptors are not checked. The span is empty when no candidate is left.
func nextSrcsetURL(v []byte, i int) (start, end, next int) {
	n := len(v)
	for i < n && (isSpace(v[i]) || v[i] == ',') {
		i++
	}
	start = i
	for i < n && !isSpace(v[i]) {
		i++
	}
	end = i
	if start < end && v[end-1] == ',' {
		// "a.png," ends the candidate without descriptors.
		for start < end && v[end-1] == ',' {
			end--
		}
		return start, end, i
	}
	inParens := false
	for ; i < n; i++ {
		switch v[i] {
		case '(':
			inParens = true
		case ')':
			inParens = false
		case ',':
			if !inParens {
				return start, end, i + 1
			}
		}
	}
	return start, end, n
}

// refreshURL returns the URL of a meta refresh content attribute such as
// "5; url='/next'", following the HTML standard's "shared declarative
// refresh steps". ok is false when there is none (a plain reload, or a
// malformed value).
func refreshURL(content []byte) (ref []byte, ok bool) {
	start, end, ok := refreshSpan(content)
	return content[start:end], ok
}

// refreshSpan is refreshURL, returning the span content[start:end] of the
// URL: without its quotes if it is quoted, else up to the end of content.
func refreshSpan(content []byte) (start, end int, ok bool) {
	s := content
	i := 0
	skip := func() {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
	}
	skip()
	digits := i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i == digits && (i == len(s) || s[i] != '.') {
		return 0, 0, false
	}
	for i < len(s) && ('0' <= s[i] && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == len(s) {
		return 0, 0, false
	}
	if s[i] != ';' && s[i] != ',' && !isSpace(s[i]) {
		return 0, 0, false
	}
	skip()
	if i < len(s) && (s[i] == ';' || s[i] == ',') {
		i++
	}
	skip()
	if i == len(s) {
		return 0, 0, false
	}
	if hasPrefixFold(s[i:], "url") {
		j := i + 3
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '=' {
			i = j + 1
			skip()
		}
	}
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		q := s[i]
		i++
		end = i
		for end < len(s) && s[end] != q {
			end++
		}
		return i, end, true
	}
	return i, len(s), true
}
