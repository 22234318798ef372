package parse

import (
	"net/http"
	"net/url"
	"strings"
)

// Headers appends to dst the links found in the headers of a response
// fetched from base, and returns the extended slice:
//
//   - Link: each <URI-reference>, a Requisite when its rel is one that
//     <link> makes a requisite (stylesheet, preload, icon...), a Page
//     otherwise (next, prev, canonical, alternate...); rel=preconnect and
//     dns-prefetch name origins and are skipped;
//   - Refresh: the URL of "5; url=/next", a Page;
//   - Content-Location: a Page (another URL of the same content).
//
// Location is not read: the fetcher follows redirects itself. Links are
// resolved and normalized as HTML's are, and a link back to base is not
// reported.
func Headers(base *url.URL, h http.Header, opts Options, dst []Link) []Link {
	if h.Get("Link") == "" && h.Get("Refresh") == "" && h.Get("Content-Location") == "" {
		return dst // the common case: no collector to build
	}
	c := newCollector(base, opts, dst)
	for _, v := range h.Values("Link") {
		for _, l := range splitLinkHeader(v) {
			if kind, ok := linkKind([]byte(l.rel)); ok {
				c.add([]byte(l.ref), kind, false)
			}
		}
	}
	if v := h.Get("Refresh"); v != "" {
		if ref, ok := refreshURL([]byte(v)); ok {
			c.add(ref, Page, false)
		}
	}
	if v := h.Get("Content-Location"); v != "" {
		c.add([]byte(v), Page, false)
	}
	return c.dst
}

type linkValue struct{ ref, rel string }

// splitLinkHeader splits a Link header value (RFC 8288) into its links:
// `<a.css>; rel=preload; as=style, </next>; rel="next"`. Commas inside
// <...> and quoted strings do not split. A link without <...> is skipped.
func splitLinkHeader(v string) []linkValue {
	var out []linkValue
	for len(v) > 0 {
		lt := strings.IndexByte(v, '<')
		if lt < 0 {
			break
		}
		gt := strings.IndexByte(v[lt:], '>')
		if gt < 0 {
			break
		}
		l := linkValue{ref: strings.TrimSpace(v[lt+1 : lt+gt])}
		v = v[lt+gt+1:]
		// Parameters up to the next comma outside quotes.
		end, inQuote := len(v), false
		for i := 0; i < len(v); i++ {
			switch v[i] {
			case '"':
				inQuote = !inQuote
			case '\\':
				i++
			case ',':
				if !inQuote {
					end = i
					i = len(v)
				}
			}
		}
		for _, p := range strings.Split(v[:end], ";") {
			name, val, ok := strings.Cut(p, "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "rel") {
				l.rel = strings.Trim(strings.TrimSpace(val), `"`)
			}
		}
		out = append(out, l)
		v = v[min(end+1, len(v)):]
	}
	return out
}
