package parse

import (
	"encoding/json"
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
//     dns-prefetch name origins and are skipped (reported as Page in
//     ModeAll);
//   - Refresh: the URL of "5; url=/next", a Page;
//   - Content-Location: a Page (another URL of the same content).
//
// In ModeAll, also, each a Page: the report-uri URLs of
// Content-Security-Policy and Content-Security-Policy-Report-Only, the
// endpoints of Reporting-Endpoints and Report-To, X-Pingback, and the
// source map of SourceMap and X-SourceMap.
//
// Location is not read: the fetcher follows redirects itself. Links are
// resolved and normalized as HTML's are, and a link back to base is not
// reported. Their Source is SourceHeader with the header's canonical name.
func Headers(base *url.URL, h http.Header, opts Options, dst []Link) []Link {
	all := opts.Mode == ModeAll
	if h.Get("Link") == "" && h.Get("Refresh") == "" && h.Get("Content-Location") == "" && (!all || !hasAllHeaders(h)) {
		return dst // the common case: no collector to build
	}
	c := newCollector(base, opts, dst)
	defer c.free()
	c.src = Source{Kind: SourceHeader, Attr: "Link"}
	for _, v := range h.Values("Link") {
		for _, l := range splitLinkHeader(v) {
			if kind, ok := linkKind([]byte(l.rel)); ok || all {
				c.add([]byte(l.ref), kind, false)
			}
		}
	}
	if v := h.Get("Refresh"); v != "" {
		if ref, ok := refreshURL([]byte(v)); ok {
			c.src.Attr = "Refresh"
			c.add(ref, Page, false)
		}
	}
	if v := h.Get("Content-Location"); v != "" {
		c.src.Attr = "Content-Location"
		c.add([]byte(v), Page, false)
	}
	if all {
		c.allHeaders(h)
	}
	return c.dst
}

// allHeaders are the headers that only ModeAll reads.
var allHeaders = []string{
	"Content-Security-Policy", "Content-Security-Policy-Report-Only", "Reporting-Endpoints",
	"Report-To", "X-Pingback", "Sourcemap", "X-Sourcemap",
}

func hasAllHeaders(h http.Header) bool {
	for _, name := range allHeaders {
		if len(h[name]) > 0 {
			return true
		}
	}
	return false
}

// allHeaders records the links of the headers only ModeAll reads.
func (c *collector) allHeaders(h http.Header) {
	for _, name := range allHeaders {
		c.src = Source{Kind: SourceHeader, Attr: name}
		for _, v := range h.Values(name) {
			switch name {
			case "Content-Security-Policy", "Content-Security-Policy-Report-Only":
				c.addCSPReports([]byte(v))
			case "Reporting-Endpoints":
				// default="https://example.com/reports", csp="/csp"
				for _, m := range splitStructured(v) {
					if _, val, ok := strings.Cut(m, "="); ok {
						c.add([]byte(strings.Trim(strings.TrimSpace(val), `"`)), Page, false)
					}
				}
			case "Report-To":
				// {"group":"g","max_age":1,"endpoints":[{"url":"https://..."}]}
				var groups []struct {
					Endpoints []struct{ URL string }
				}
				if json.Unmarshal([]byte("["+v+"]"), &groups) == nil {
					for _, g := range groups {
						for _, e := range g.Endpoints {
							c.add([]byte(e.URL), Page, false)
						}
					}
				}
			default: // X-Pingback, SourceMap, X-SourceMap: one URL
				c.add([]byte(strings.TrimSpace(v)), Page, false)
			}
		}
	}
}

// splitStructured splits a structured field dictionary at the commas
// outside quoted strings.
func splitStructured(v string) []string {
	var out []string
	start, inQuote := 0, false
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			inQuote = !inQuote
		case '\\':
			i++
		case ',':
			if !inQuote {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
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
