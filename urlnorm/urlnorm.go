package urlnorm

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/crawl-go/crawl/internal/pct"
)

// ErrUnsupportedScheme is wrapped by the errors of [Parse] and [Resolve] for
// a URL whose scheme is not http or https: javascript:, mailto:, data:, tel:
// and the like. A crawler skips such links quietly.
var ErrUnsupportedScheme = errors.New("unsupported url scheme")

// ErrNoHost is wrapped by the errors of [Parse] and [Resolve] for an http or
// https URL without a host, such as "http:///path".
var ErrNoHost = errors.New("url has no host")

// SchemeError reports a URL whose scheme is not http or https. It matches
// [ErrUnsupportedScheme] with errors.Is; errors.As gives the scheme.
//
// Resolve returns it without wrapping it further because it is the common
// case on the hot path (every javascript: and mailto: link of every page).
type SchemeError struct {
	// Scheme is the lowercased scheme of the rejected URL, without the colon.
	Scheme string
}

// Error returns a message naming the scheme.
func (e *SchemeError) Error() string {
	return "unsupported url scheme " + strconv.Quote(e.Scheme)
}

// Unwrap returns ErrUnsupportedScheme.
func (e *SchemeError) Unwrap() error { return ErrUnsupportedScheme }

// Normalizer normalizes URLs as [Parse], [Resolve] and [Normalize] do,
// with options. Its zero value is the default, which those functions use:
// session ids are removed.
//
// A Normalizer has no state beyond its options: it is safe for concurrent
// use, and copying it is cheap. Every URL of one crawl must go through
// Normalizers with the same options, since they decide the dedup key.
type Normalizer struct {
	// KeepSessionIDs keeps session-id parameters in URLs. By default they
	// are removed, so that a site that puts a fresh session id in every
	// link does not make each page a new URL: a ";jsessionid=" path
	// parameter, and the query parameters jsessionid, PHPSESSID,
	// ASPSESSIONIDxxxxxxxx, CFID with CFTOKEN, and sid, sessionid or
	// session_id with a value that looks like a session id (see
	// [Normalizer.Normalize]).
	KeepSessionIDs bool
}

// Parse is [Normalizer.Parse] with the default options.
func Parse(raw string) (*url.URL, error) { return Normalizer{}.Parse(raw) }

// Resolve is [Normalizer.Resolve] with the default options.
func Resolve(base *url.URL, ref string) (*url.URL, error) { return Normalizer{}.Resolve(base, ref) }

// Parse parses raw as an absolute http or https URL and normalizes it with
// [Normalizer.Normalize].
//
// Leading and trailing spaces and control characters are trimmed, and tabs
// and newlines inside raw are removed, as browsers do. A scheme other than
// http or https gives an error wrapping [ErrUnsupportedScheme], a missing
// host one wrapping [ErrNoHost], and an IPv6 zone with non-ASCII bytes
// ("[fe80::1%25é]", which has no string that reads back) a
// url.InvalidHostError. Parse is for URLs that are meant to be absolute
// (seeds, redirect targets); use [Resolve] for links found in pages.
func (n Normalizer) Parse(raw string) (*url.URL, error) {
	s := clean(raw)
	if scheme, rest, ok := splitScheme(s); ok && isHTTP(scheme) && strings.HasPrefix(rest, "//") {
		if u, ok := n.parseSimple(strings.ToLower(scheme), rest[2:]); ok {
			return u, nil
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("normalize url: %w", err)
	}
	if !isHTTP(u.Scheme) {
		return nil, &SchemeError{Scheme: u.Scheme}
	}
	n.Normalize(u)
	if u.Host == "" {
		return nil, fmt.Errorf("normalize url %q: %w", s, ErrNoHost)
	}
	if err := checkZone(u.Host); err != nil {
		return nil, fmt.Errorf("normalize url %q: %w", s, err)
	}
	return u, nil
}

// Resolve resolves ref, a reference as found in an href or src attribute,
// against base and normalizes the result with [Normalizer.Normalize].
//
// base must be an absolute URL that a Normalizer with the same options has
// already seen (the result of Parse or Resolve); it is not modified, and
// the result shares nothing mutable with it. ref is read the way a browser
// reads it: surrounding spaces and control characters are trimmed, tabs
// and newlines inside it are removed, it may be relative ("../a"),
// root-relative ("/a"), protocol-relative ("//host/a") or absolute, and
// "http:a" on an http base is the relative "a". Backslashes are not turned
// into slashes: they are escaped like any other character that may not
// appear in a URL.
//
// An empty ref or a fragment-only one ("#top") resolves to base itself; the
// caller decides whether a page linking to itself counts. A scheme other
// than http or https gives a *[SchemeError], which wraps
// [ErrUnsupportedScheme]; a result without a host gives an error wrapping
// [ErrNoHost]; a ref that does not parse even after the browser-style
// clean-up gives the *url.Error wrapped, and one with an IPv6 zone of
// non-ASCII bytes a url.InvalidHostError as with Parse.
func (n Normalizer) Resolve(base *url.URL, ref string) (*url.URL, error) {
	ref = clean(ref)
	if ref == "" || ref[0] == '#' {
		return self(base), nil
	}
	var abs string
	if scheme, rest, ok := splitScheme(ref); ok {
		switch {
		case !isHTTP(scheme):
			return nil, &SchemeError{Scheme: strings.ToLower(scheme)}
		case strings.HasPrefix(rest, "//"):
			if u, ok := n.parseSimple(strings.ToLower(scheme), rest[2:]); ok {
				return u, nil
			}
			abs = ref
		case strings.EqualFold(scheme, base.Scheme):
			// WHATWG URL: "http:a" against an http base is the relative
			// reference "a", as browsers treat it.
			if rest == "" || rest[0] == '#' {
				return self(base), nil
			}
			return n.resolveRelative(base, rest)
		default:
			// WHATWG URL: "https:host/a" against an http base skips any
			// slashes and reads an authority.
			abs = scheme + "://" + strings.TrimLeft(rest, "/")
		}
	} else if strings.HasPrefix(ref, "//") {
		if base.Scheme == "http" || base.Scheme == "https" {
			if u, ok := n.parseSimple(base.Scheme, ref[2:]); ok {
				return u, nil
			}
		}
		abs = base.Scheme + ":" + ref
	} else {
		return n.resolveRelative(base, ref)
	}
	return n.parseResolved(abs)
}

// parseResolved parses and normalizes the absolute URL string that a
// reference resolved to.
func (n Normalizer) parseResolved(abs string) (*url.URL, error) {
	u, err := url.Parse(abs)
	if err != nil {
		return nil, fmt.Errorf("resolve link: %w", err)
	}
	if !isHTTP(u.Scheme) {
		return nil, &SchemeError{Scheme: u.Scheme}
	}
	n.Normalize(u)
	if u.Host == "" {
		return nil, fmt.Errorf("resolve link %q: %w", abs, ErrNoHost)
	}
	if err := checkZone(u.Host); err != nil {
		return nil, fmt.Errorf("resolve link %q: %w", abs, err)
	}
	return u, nil
}

// resolveRelative resolves ref, a relative reference without a scheme or
// authority (a path, a root-relative path or a query), against base.
//
// This is the common case and it skips url.Parse: scheme, userinfo and host
// come from base as they are (userinfo is dropped), and the merged path and the query only need
// their escapes made canonical, as url.Parse would accept anything that
// clean has let through. Bases that are not normalized http(s) URLs with a
// host take the long way, through the string merge and url.Parse, for the
// errors.
func (n Normalizer) resolveRelative(base *url.URL, ref string) (*url.URL, error) {
	if base.Host == "" || base.Opaque != "" || (base.Scheme != "http" && base.Scheme != "https") {
		return n.parseResolved(merge(base, ref))
	}
	if i := strings.IndexByte(ref, '#'); i >= 0 {
		ref = ref[:i]
	}
	p, query, _ := strings.Cut(ref, "?")
	switch {
	case p == "":
		// "?q": the base path with the new query (RFC 3986 5.2.2).
		p = escapedPath(base)
	case p[0] != '/':
		bp := escapedPath(base)
		p = bp[:strings.LastIndexByte(bp, '/')+1] + p
	}
	u := &url.URL{Scheme: base.Scheme, Host: base.Host}
	setCanonicalPath(u, n.canonicalPath(p, true))
	u.RawQuery = n.canonicalQuery(query)
	return u, nil
}

// parseSimple builds the URL scheme://rest, where scheme is "http" or
// "https" and rest has been through clean, without url.Parse, when its
// authority is a plain host (letters, digits, '.', '-') with an optional
// numeric port. ok is false for anything else (userinfo, IP literals,
// percent-encoded or international hosts, an empty host): those take the
// long way through url.Parse, which accepts and rejects them properly.
// For the hosts it takes, url.Parse would accept the URL and split it the
// same way.
func (n Normalizer) parseSimple(scheme, rest string) (u *url.URL, ok bool) {
	end := len(rest)
	hostEnd := -1
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c == '/' || c == '?' || c == '#':
			end = i
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '.' || c == '-' || '0' <= c && c <= '9':
			continue
		case c == ':' && hostEnd < 0:
			hostEnd = i
			continue
		default:
			return nil, false
		}
		break
	}
	if hostEnd < 0 {
		hostEnd = end
	}
	if hostEnd == 0 {
		return nil, false
	}
	for i := hostEnd + 1; i < end; i++ {
		if c := rest[i]; c < '0' || c > '9' {
			return nil, false
		}
	}
	host := normalizeHost(scheme, rest[:end])
	if host == "" {
		return nil, false
	}
	tail := rest[end:]
	if i := strings.IndexByte(tail, '#'); i >= 0 {
		tail = tail[:i]
	}
	p, query, _ := strings.Cut(tail, "?")
	u = &url.URL{Scheme: scheme, Host: host}
	setCanonicalPath(u, n.canonicalPath(p, true))
	u.RawQuery = n.canonicalQuery(query)
	return u, true
}

// self returns a copy of base without its fragment.
func self(base *url.URL) *url.URL {
	u := *base
	u.Fragment, u.RawFragment = "", ""
	return &u
}

// merge joins base and a relative reference without a scheme or authority
// into one absolute URL string, as RFC 3986 section 5.2.2 does. Dot segments
// are left for Normalize. The concatenation is a single allocation.
func merge(base *url.URL, ref string) string {
	host := base.Host
	switch ref[0] {
	case '/':
		return base.Scheme + "://" + host + ref
	}
	p := escapedPath(base)
	if p == "" {
		p = "/"
	}
	if ref[0] != '?' {
		// Keep everything up to and including the last slash.
		p = p[:strings.LastIndexByte(p, '/')+1]
	}
	return base.Scheme + "://" + host + p + ref
}

// splitScheme splits "scheme:rest" where scheme is ALPHA *( ALPHA / DIGIT /
// "+" / "-" / "." ) as in RFC 3986 section 3.1. ok is false when s has no
// scheme.
func splitScheme(s string) (scheme, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
			if i == 0 {
				return "", s, false
			}
		case c == ':':
			if i == 0 {
				return "", s, false
			}
			return s[:i], s[i+1:], true
		default:
			return "", s, false
		}
	}
	return "", s, false
}

// checkZone returns a url.InvalidHostError for an IPv6 literal whose zone
// ("[fe80::1%25en0]") has a non-ASCII byte. url.Parse accepts such a byte
// written as it is, but URL.String escapes it, and url.Parse rejects
// escapes of non-ASCII bytes in a zone: the URL would have no string that
// reads back. Browsers accept no zone at all.
func checkZone(host string) error {
	if host == "" || host[0] != '[' {
		return nil
	}
	end := strings.LastIndexByte(host, ']')
	if end < 0 {
		return nil
	}
	if i := strings.IndexByte(host[:end], '%'); i >= 0 {
		for j := i; j < end; j++ {
			if host[j] >= utf8.RuneSelf {
				return url.InvalidHostError(host[:end+1])
			}
		}
	}
	return nil
}

// isHTTP reports whether scheme is http or https in any case.
func isHTTP(scheme string) bool {
	return strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")
}

// clean does the browser-style clean-up of a URL string before parsing:
// leading and trailing C0 controls and spaces are trimmed and tabs and
// newlines removed (WHATWG URL), and the bytes url.Parse rejects but
// browsers accept are escaped: other control characters, and a '%' that
// does not start a valid escape becomes "%25". It allocates only when it
// has to change something inside the string.
func clean(s string) string {
	for len(s) > 0 && s[0] <= ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] <= ' ' {
		s = s[:len(s)-1]
	}
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f || c == '%' && !pct.Valid(s, i) {
			break
		}
	}
	if i == len(s) {
		return s
	}
	return pct.Rewrite(s, i, cleanByte)
}

// cleanByte appends what the byte at s[i] becomes to b, for clean.
func cleanByte(b []byte, s string, i int) ([]byte, int) {
	switch c := s[i]; {
	case c == '\t' || c == '\n' || c == '\r':
		return b, i + 1 // dropped
	case c < ' ' || c == 0x7f:
		return pct.AppendEscape(b, c), i + 1
	case c == '%' && !pct.Valid(s, i):
		return append(b, "%25"...), i + 1
	}
	return append(b, s[i]), i + 1
}
