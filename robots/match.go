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
	return pct.Rewrite(s, i, canonicalByte)
}

// canonicalByte appends the canonical form of the byte (or escape) at s[i]
// to b, for canonical.
func canonicalByte(b []byte, s string, i int) ([]byte, int) {
	switch c := s[i]; {
	case pct.Valid(s, i):
		if v := pct.Decode(s, i); pct.IsUnreserved(v) {
			return append(b, v), i + 3
		} else {
			return pct.AppendEscape(b, v), i + 3
		}
	case c == '%':
		return append(b, "%25"...), i + 1
	case c <= ' ' || c >= 0x7f:
		return pct.AppendEscape(b, c), i + 1
	}
	return append(b, s[i]), i + 1
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
