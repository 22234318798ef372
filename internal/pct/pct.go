// Package pct holds the byte classes of percent-encoding (RFC 3986) that
// URL normalization, the robots.txt matcher and the URL-to-path mapping
// share.
package pct

// IsHex reports whether c is a hexadecimal digit.
func IsHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Unhex returns the value of the hexadecimal digit c (IsHex(c) must hold).
func Unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// IsUnreserved reports whether c is an unreserved character of RFC 3986
// section 2.3, whose percent-encoding does not change a URL's meaning.
func IsUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// UpperHex is the alphabet of canonical percent-escapes: "%3C", not "%3c".
const UpperHex = "0123456789ABCDEF"

// Valid reports whether s[i] is a '%' followed by two hexadecimal digits.
func Valid(s string, i int) bool {
	return i+2 < len(s) && s[i] == '%' && IsHex(s[i+1]) && IsHex(s[i+2])
}

// Decode returns the octet of the valid escape at s[i] (Valid(s, i) must
// hold).
func Decode(s string, i int) byte { return Unhex(s[i+1])<<4 | Unhex(s[i+2]) }

// AppendEscape appends the canonical escape of c to b.
func AppendEscape(b []byte, c byte) []byte {
	return append(b, '%', UpperHex[c>>4], UpperHex[c&15])
}

// Rewrite returns s with its bytes from i on rewritten by next, which
// appends what the byte at s[j] becomes to b and returns b and the index
// of the next byte to look at; s[:i] is kept as it is. Callers find the
// first byte to change without allocating, and call Rewrite only then.
func Rewrite(s string, i int, next func(b []byte, s string, j int) ([]byte, int)) string {
	b := make([]byte, 0, len(s)+8)
	b = append(b, s[:i]...)
	for j := i; j < len(s); {
		b, j = next(b, s, j)
	}
	return string(b)
}
