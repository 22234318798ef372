package parse

import "unicode/utf8"

//go:generate go run entity_gen.go

// decodeAttr returns the attribute value v, as written between its
// quotes, decoded as the tokenizer decodes attribute values: NUL becomes
// U+FFFD, "\r\n" and "\r" become "\n", and character references are
// replaced (see appendCharRef). A value without '&', '\r' or NUL is
// returned as it is; else the decoded value is appended to *buf and
// returned, and stays valid while *buf is only appended to.
func decodeAttr(v []byte, buf *[]byte) []byte {
	i := 0
	for i < len(v) && (v[i] > '&' || v[i] != '&' && v[i] != '\r' && v[i] != 0) {
		i++
	}
	if i == len(v) {
		return v
	}
	start := len(*buf)
	out := append(*buf, v[:i]...)
	for i < len(v) {
		switch c := v[i]; c {
		case 0:
			out = append(out, "\uFFFD"...)
			i++
		case '\r':
			out = append(out, '\n')
			i++
			if i < len(v) && v[i] == '\n' {
				i++
			}
		case '&':
			out, i = appendCharRef(out, v, i)
		default:
			out = append(out, c)
			i++
		}
	}
	*buf = out
	return out[start:]
}

// appendCharRef decodes the character reference at v[i], an '&', as the
// HTML standard does in an attribute value, appends it to dst, and
// returns the index after it. An '&' that starts no reference is appended
// as it is.
//
// A numeric reference (&#38; &#x26;) needs at least one digit; its ';'
// may be missing. Code points 0x80 to 0x9F are read as windows-1252, as
// the standard says, and 0, surrogates and values past U+10FFFF become
// U+FFFD. A named reference is the longest run of ASCII letters and
// digits after the '&', with its ';' if one follows, and must be a name of
// the standard's table as it stands: "&amp;" and the legacy "&amp" are,
// "&ampx" is not (the standard reads "&amp" and then, in an attribute,
// leaves it alone because a letter follows). A legacy name without ';'
// followed by '=' is left alone too ("?a=1&copy=2").
func appendCharRef(dst, v []byte, i int) ([]byte, int) {
	s := v[i:]
	if len(s) < 2 {
		return append(dst, '&'), i + 1
	}
	if s[1] == '#' {
		j := 2
		hex := j < len(s) && (s[j] == 'x' || s[j] == 'X')
		if hex {
			j++
		}
		j0 := j
		var x rune
		for ; j < len(s); j++ {
			var d rune
			switch c := s[j]; {
			case '0' <= c && c <= '9':
				d = rune(c - '0')
			case hex && 'a' <= c && c <= 'f':
				d = rune(c-'a') + 10
			case hex && 'A' <= c && c <= 'F':
				d = rune(c-'A') + 10
			default:
				goto digitsDone
			}
			if x <= utf8.MaxRune {
				if hex {
					x = x*16 + d
				} else {
					x = x*10 + d
				}
			}
		}
	digitsDone:
		if j == j0 {
			return append(dst, '&'), i + 1
		}
		if j < len(s) && s[j] == ';' {
			j++
		}
		switch {
		case 0x80 <= x && x <= 0x9F:
			x = windows1252[x-0x80]
		case x == 0 || 0xD800 <= x && x <= 0xDFFF || x > utf8.MaxRune:
			x = utf8.RuneError
		}
		return utf8.AppendRune(dst, x), i + j
	}
	j := 1
	for j < len(s) && isAlnum(s[j]) {
		j++
	}
	if j < len(s) && s[j] == ';' {
		j++
	}
	name := s[1:j]
	switch {
	case len(name) == 0:
	case name[len(name)-1] != ';' && j < len(s) && s[j] == '=':
	default:
		if r, ok := entity(name); ok {
			return append(dst, r...), i + j
		}
	}
	return append(dst, '&'), i + 1
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// windows1252 is what numeric references to 0x80-0x9F stand for: the
// characters of those bytes in windows-1252, or the code point itself
// where windows-1252 has none (the HTML standard's table).
var windows1252 = [32]rune{
	'\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
	'\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
	'\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
	'\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
}
