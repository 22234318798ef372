package parse

import "bytes"

// scriptEnd returns where the text of a script that starts at b[i] ends:
// at the "</" of the </script> that ends it, or len(b). It follows the
// standard's script data states, escaped ("<!--") and double escaped
// ("<!--<script>") as the tokenizer's readScript does, with its one
// difference (see scanner).
func scriptEnd(b []byte, i int) int {
	n := len(b)
	// read returns b[i] and moves past it; ok is false at the end.
	var c byte
	read := func() bool {
		if i >= n {
			return false
		}
		c = b[i]
		i++
		return true
	}
	const name = "script"

scriptData:
	if j := bytes.IndexByte(b[i:], '<'); j >= 0 {
		i += j + 1
	} else {
		return n
	}
	// script data less-than sign
	if !read() {
		return n
	}
	switch c {
	case '/':
		ok, next, eof := rawEndTag(b, i, name)
		switch {
		case eof:
			return n
		case ok:
			return i - 2
		}
		i = next
		goto scriptData
	case '!':
		// script data escape start, and its dash
		if !read() {
			return n
		}
		if c != '-' {
			i--
			goto scriptData
		}
		if !read() {
			return n
		}
		if c != '-' {
			i--
			goto scriptData
		}
		goto escapedDashDash
	}
	i--
	goto scriptData

escaped:
	for {
		if !read() {
			return n
		}
		switch c {
		case '-':
			goto escapedDash
		case '<':
			goto escapedLessThan
		}
	}

escapedDash:
	if !read() {
		return n
	}
	switch c {
	case '-':
		goto escapedDashDash
	case '<':
		goto escapedLessThan
	}
	goto escaped

escapedDashDash:
	if !read() {
		return n
	}
	switch c {
	case '-':
		goto escapedDashDash
	case '<':
		goto escapedLessThan
	case '>':
		goto scriptData
	}
	goto escaped

escapedLessThan:
	if !read() {
		return n
	}
	switch {
	case c == '/':
		ok, next, eof := rawEndTag(b, i, name)
		switch {
		case eof:
			return n
		case ok:
			return i - 2
		}
		i = next
		goto escaped
	case isLetter(c):
		// double escape start: "script" and a delimiter
		i--
		for k := 0; k < len(name); k++ {
			if !read() {
				return n
			}
			if c != name[k] && c != name[k]-('a'-'A') {
				i--
				goto escaped
			}
		}
		if !read() {
			return n
		}
		switch c {
		case ' ', '\n', '\r', '\t', '\f', '/', '>':
			goto doubleEscaped
		}
		i--
		goto escaped
	}
	// The standard stays escaped here; the tokenizer does not.
	i--
	goto scriptData

doubleEscaped:
	for {
		if !read() {
			return n
		}
		switch c {
		case '-':
			goto doubleEscapedDash
		case '<':
			goto doubleEscapedLessThan
		}
	}

doubleEscapedDash:
	if !read() {
		return n
	}
	switch c {
	case '-':
		goto doubleEscapedDashDash
	case '<':
		goto doubleEscapedLessThan
	}
	goto doubleEscaped

doubleEscapedDashDash:
	if !read() {
		return n
	}
	switch c {
	case '-':
		goto doubleEscapedDashDash
	case '<':
		goto doubleEscapedLessThan
	case '>':
		goto scriptData
	}
	goto doubleEscaped

doubleEscapedLessThan:
	if !read() {
		return n
	}
	if c != '/' {
		i--
		goto doubleEscaped
	}
	// double escape end
	switch ok, next, eof := rawEndTag(b, i, name); {
	case eof:
		return n
	case ok:
		i = next + 1 // past the delimiter
		goto escaped
	default:
		i = next
	}
	goto doubleEscaped
}
