package urlnorm

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/crawl-go/crawl/internal/pct"
)

// Normalize is [Normalizer.Normalize] with the default options: session
// ids are removed.
func Normalize(u *url.URL) { Normalizer{}.Normalize(u) }

// Normalize rewrites u in place into its canonical spelling, so that two
// spellings of one resource give the same u.String():
//
//   - the scheme and host are lowercased, and a host with non-ASCII
//     characters is converted to punycode (IDNA's lookup profile; a
//     host that cannot be converted is only lowercased);
//   - the default port (80 for http, 443 for https), an empty port ("host:")
//     and leading zeros of a port are removed;
//   - dot segments ("." and "..") are resolved as in RFC 3986 section 5.2.4,
//     and an empty path becomes "/" when there is a host;
//   - the fragment, an empty query ("?" alone) and userinfo
//     ("user:password@") are dropped: credentials are not part of what a
//     URL names, and a URL is written down (manifests, state, messages),
//     so a password must not stay in it; whoever has credentials for a
//     host sends them in a header instead;
//   - in the path and the query, escapes of unreserved characters (ALPHA,
//     DIGIT, "-", ".", "_", "~") are decoded, other escapes get uppercase hex,
//     and bytes that may not appear literally are escaped: spaces, control
//     characters, non-ASCII bytes and `"#<>\^`{|}` (and "?" in the path);
//   - unless n.KeepSessionIDs is set, session ids are removed: a
//     ";jsessionid=" path parameter with its value, the query parameters
//     jsessionid, PHPSESSID and ASPSESSIONID followed by 8 letters (any
//     case, any non-empty value), sid, sessionid and session_id when the
//     value starts with 16 or more letters and digits mixing both (so
//     "sid=3", a story id, stays), and CFID and CFTOKEN when both are
//     there. The other parameters keep their order, and a query left
//     empty loses its "?": "/a;jsessionid=0123ABC?PHPSESSID=x&p=2"
//     becomes "/a?p=2".
//
// Everything else is kept as written: reserved characters stay literal or
// escaped as they were ("/a%2Fb" and "/a/b" stay distinct, as do "?a=%26"
// and "?a=&"), and the order of query parameters. Normalize is
// idempotent, and the result's String re-parses to the same string.
//
// Normalize allocates nothing when u is already canonical and its path has
// no percent-escapes.
func (n Normalizer) Normalize(u *url.URL) {
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = normalizeHost(u.Scheme, u.Host)
	u.Fragment, u.RawFragment = "", ""
	u.User = nil
	if u.Opaque == "" {
		n.normalizePath(u)
	}
	u.RawQuery = n.canonicalQuery(u.RawQuery)
	u.ForceQuery = false
}

// normalizeHost lowercases host, converts it to punycode if needed and drops
// a default, empty or zero-padded port. It returns host itself when nothing
// changes.
func normalizeHost(scheme, host string) string {
	if host == "" {
		return host
	}
	name, port, hasPort := host, "", false
	if host[0] == '[' {
		if i := strings.LastIndexByte(host, ']'); i >= 0 && i+1 < len(host) && host[i+1] == ':' {
			name, port, hasPort = host[:i+1], host[i+2:], true
		}
	} else if i := strings.IndexByte(host, ':'); i >= 0 {
		if strings.LastIndexByte(host, ':') != i {
			// Not a host and port: net/url accepts "a:b:c" for schemes
			// other than http and https. Only lowercase it.
			return strings.ToLower(host)
		}
		name, port, hasPort = host[:i], host[i+1:], true
	}
	newName := normalizeHostname(name)
	newPort := port
	if hasPort {
		newPort = strings.TrimLeft(port, "0")
		if newPort == "" && port != "" {
			newPort = "0"
		}
		if scheme == "http" && newPort == "80" || scheme == "https" && newPort == "443" {
			newPort = ""
		}
	}
	switch {
	case newName == name && newPort == port && (newPort != "" || !hasPort):
		return host
	case newPort == "":
		return newName
	default:
		return newName + ":" + newPort
	}
}

// normalizeHostname lowercases an ASCII host name or converts a non-ASCII
// one to punycode.
func normalizeHostname(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			if a, ok := toASCII(name); ok {
				return a
			}
			return strings.ToLower(name)
		}
	}
	return strings.ToLower(name)
}

// normalizePath makes the escaped path of u canonical and resolves its dot
// segments.
func (n Normalizer) normalizePath(u *url.URL) {
	p := escapedPath(u)
	c := n.canonicalPath(p, u.Host != "")
	if c == p {
		// Path is right; make RawPath the one setCanonicalPath would set,
		// so that Path and RawPath are functions of the escaped path.
		u.RawPath = rawPathFor(c)
		return
	}
	setCanonicalPath(u, c)
}

// escapedPath is u.EscapedPath, except that it also keeps a RawPath that
// has bytes which should have been escaped, such as the `"` in
// `/a%2Fb/"x`: EscapedPath would escape Path again and lose the difference
// between "%2F" and "/". canonicalEscapes escapes those bytes anyway.
func escapedPath(u *url.URL) string {
	if u.RawPath != "" {
		if p, err := url.PathUnescape(u.RawPath); err == nil && p == u.Path {
			return u.RawPath
		}
	}
	return u.EscapedPath()
}

// canonicalPath returns the escaped path p with canonical escapes, without
// session ids (unless n keeps them) and without dot segments. With hasHost
// it starts with '/'. Session ids go before dot segments are resolved, so
// that a segment "..;jsessionid=1" is resolved as ".." and the result is a
// fixed point.
func (n Normalizer) canonicalPath(p string, hasHost bool) string {
	c := canonicalEscapes(p, true)
	if !n.KeepSessionIDs {
		c = stripPathSessionIDs(c)
	}
	if hasHost && (c == "" || c[0] != '/') {
		c = "/" + c
	}
	if c != "" && c[0] == '/' && hasDotSegment(c) {
		c = removeDotSegments(c)
	}
	return c
}

// canonicalQuery returns the raw query q with canonical escapes and,
// unless n keeps them, without session ids.
func (n Normalizer) canonicalQuery(q string) string {
	c := canonicalEscapes(q, false)
	if !n.KeepSessionIDs {
		c = stripQuerySessionIDs(c)
	}
	return c
}

// setCanonicalPath sets u.Path and u.RawPath so that u.EscapedPath() is
// the canonical path c, which canonicalPath made.
func setCanonicalPath(u *url.URL, c string) {
	path := c
	if strings.IndexByte(c, '%') >= 0 {
		var err error
		if path, err = url.PathUnescape(c); err != nil {
			// Unreachable: canonicalEscapes leaves only valid escapes.
			path = c
		}
	}
	u.Path = path
	u.RawPath = rawPathFor(c)
}

// rawPathFor returns the URL.RawPath that goes with the canonical escaped
// path c: empty when net/url's default encoding of the unescaped path is c
// itself, else c. Normalize always sets it so, which makes Path and RawPath
// of normalized URLs equal exactly when their strings are.
func rawPathFor(c string) string {
	if escapedAsIs(c) {
		return ""
	}
	return c
}

// escapedAsIs reports whether net/url's default encoding of the unescaped
// form of c is c itself, so that URL.RawPath is not needed. It is
// conservative: false only costs a RawPath.
func escapedAsIs(c string) bool {
	for i := 0; i < len(c); i++ {
		switch c[i] {
		case '%', '!', '\'', '(', ')', '*', '[', ']':
			return false
		}
	}
	return true
}

// canonicalEscapes returns s with canonical percent-encoding: escapes of
// unreserved characters decoded, other escapes with uppercase hex, a '%'
// that starts no valid escape written as "%25", and bytes that may not
// appear literally escaped. In a path a literal '?' is escaped too. It
// returns s itself when it is already canonical.
func canonicalEscapes(s string, path bool) string {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if !pct.Valid(s, i) {
				break
			}
			if v := pct.Unhex(s[i+1])<<4 | pct.Unhex(s[i+2]); pct.IsUnreserved(v) || isLowerHex(s[i+1]) || isLowerHex(s[i+2]) {
				break
			}
			i += 2
			continue
		}
		if mustEscape(c, path) {
			break
		}
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && pct.Valid(s, i):
			v := pct.Unhex(s[i+1])<<4 | pct.Unhex(s[i+2])
			if pct.IsUnreserved(v) {
				b = append(b, v)
			} else {
				b = pct.AppendEscape(b, v)
			}
			i += 2
		case c == '%':
			b = append(b, "%25"...)
		case mustEscape(c, path):
			b = pct.AppendEscape(b, c)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// mustEscape reports whether c may not appear literally in a path (path
// true) or a query.
func mustEscape(c byte, path bool) bool {
	if c <= ' ' || c >= 0x7f {
		return true
	}
	switch c {
	case '"', '#', '<', '>', '\\', '^', '`', '{', '|', '}':
		return true
	case '?':
		return path
	}
	return false
}

func isLowerHex(c byte) bool { return 'a' <= c && c <= 'f' }

// hasDotSegment reports whether the path p has a "." or ".." segment.
func hasDotSegment(p string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] != '.' || i > 0 && p[i-1] != '/' {
			continue
		}
		j := i + 1
		if j < len(p) && p[j] == '.' {
			j++
		}
		if j == len(p) || p[j] == '/' {
			return true
		}
	}
	return false
}

// removeDotSegments resolves the "." and ".." segments of p, which starts
// with '/', as RFC 3986 section 5.2.4 does.
func removeDotSegments(p string) string {
	out := make([]byte, 0, len(p))
	rest := p[1:]
	for {
		seg, tail, more := strings.Cut(rest, "/")
		switch seg {
		case ".":
		case "..":
			if i := lastSlash(out); i >= 0 {
				out = out[:i]
			}
		default:
			out = append(out, '/')
			out = append(out, seg...)
		}
		if !more {
			if seg == "." || seg == ".." {
				out = append(out, '/')
			}
			break
		}
		rest = tail
	}
	if len(out) == 0 {
		return "/"
	}
	return string(out)
}

func lastSlash(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '/' {
			return i
		}
	}
	return -1
}
