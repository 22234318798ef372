package robots

import (
	"strings"

	"github.com/crawl-go/crawl/internal/pct"
)

// canonical rewrites a path pattern or a URL's path and query so that two
// spellings of the same octets compare equal, as RFC 9309 section 2.2.2 asks:
// a percent-encoded unreserved character ("%7E", "%62") is decoded, other
// percent-encodings get upper-case hex digits ("%3c" becomes "%3C"), and
// octets outside printable ASCII (UTF-8 text such as "ツ", spaces, control
// characters) are percent-encoded. A "%" not followed by two hex digits
// becomes "%25". Reserved characters are left as they are, encoded or not,
// since encoding one changes what it means; "*" and "$" therefore stay
// wildcards in patterns and literal in URLs. canonical allocates only when
// s is not already canonical.
func canonical(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c == '%' || c <= ' ' || c >= 0x7f {
			break
		}
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 < len(s) && pct.IsHex(s[i+1]) && pct.IsHex(s[i+2]) {
				v := pct.Unhex(s[i+1])<<4 | pct.Unhex(s[i+2])
				if pct.IsUnreserved(v) {
					b.WriteByte(v)
				} else {
					writeEscaped(&b, v)
				}
				i += 2
			} else {
				b.WriteString("%25")
			}
		case c <= ' ' || c >= 0x7f:
			writeEscaped(&b, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

const upperHex = "0123456789ABCDEF"

func writeEscaped(b *strings.Builder, c byte) {
	b.WriteByte('%')
	b.WriteByte(upperHex[c>>4])
	b.WriteByte(upperHex[c&15])
}

// match reports whether pattern matches target from its start. In pattern,
// "*" matches any run of characters, and "$" at the very end matches the end
// of target; a "$" elsewhere is literal. Both are canonical.
//
// Each run of literal text between stars is matched at its leftmost
// possible place, which is enough for patterns with no other operator; the
// cost is at most the product of the two lengths, whatever the webmaster
// wrote, with no backtracking and no regular expression to compile.
func match(pattern, target string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = pattern[:len(pattern)-1]
	}
	first, rest, wild := strings.Cut(pattern, "*")
	if !strings.HasPrefix(target, first) {
		return false
	}
	if !wild {
		return !anchored || len(target) == len(first)
	}
	target = target[len(first):]
	for {
		var seg string
		seg, rest, wild = strings.Cut(rest, "*")
		if !wild {
			// seg is the last literal run.
			if anchored {
				return strings.HasSuffix(target, seg)
			}
			return strings.Contains(target, seg)
		}
		i := strings.Index(target, seg)
		if i < 0 {
			return false
		}
		target = target[i+len(seg):]
	}
}
