package parse

import (
	"net/url"
)

// HTML appends to dst the links of an HTML document fetched from base and
// returns the extended slice.
//
// base is the URL the document was fetched from (after redirects); it is
// normalized on a copy and not modified. The first <base href> of the
// document, resolved against base, becomes the base of the links that come
// after it. Every link is resolved and normalized with urlnorm; links that
// do not resolve to an http or https URL (javascript:, mailto:, data:,
// tel:...) are skipped, and so are links back to the document itself
// ("", "#top", or its own URL spelled another way). After a <base href>,
// "" and "#top" resolve to the base URL, as in browsers, and are reported
// if that is another URL. A URL is reported once, at its first position, as a
// Requisite if any of its uses was one; links already in dst[:len(dst)] are
// neither looked at nor deduplicated against. At most MaxLinks links are
// appended.
//
// Links are taken from:
//
//   - a[href], area[href]: Page, with NoFollow for rel=nofollow (or dropped
//     with Options.RespectNoFollow);
//   - link[href]: Requisite when rel has stylesheet, icon, shortcut,
//     apple-touch-icon(-precomposed), mask-icon, preload, prefetch,
//     modulepreload or manifest; skipped for rel=preconnect and
//     rel=dns-prefetch, which name origins, not resources; else Page
//     (canonical, alternate, next, prev...);
//   - img[src], img[srcset], source[src], source[srcset], script[src],
//     iframe[src], frame[src], embed[src], video[src], video[poster],
//     audio[src], track[src], input[type=image][src], object[data]:
//     Requisite;
//   - meta[http-equiv=refresh][content="5; url=..."]: Page;
//   - url(...) and @import in <style> elements and in the style attribute
//     of any tag: Requisite.
//
// That is ModePage. In ModeAll, HTML also reports, each with its Source,
// the rest of the link table (a ping, blockquote cite, formaction, POST
// form actions, applet and object attributes, img longdesc and lowsrc,
// meta og:image and the like, href on any SVG element...: see
// testdata/discover/MECHANISMS.md), the <base href> URL itself, any other
// attribute whose value looks like a URL, the URLs of event handlers,
// javascript: URLs and scripts as [JS] finds them, absolute and
// root-relative URLs in text and comments, doctype system identifiers and
// xml-stylesheet instructions, and reads conditional comments, srcdoc
// attributes, script templates and SVG, HTML, CSS and JavaScript data:
// URLs as documents of their own (up to maxNesting deep).
//
// In ModePage, script contents are never searched for links. The contents of <noscript>
// and <noframes> are scanned as markup, since a crawler is a client without
// scripts or frames support. No DOM is built: the document is read with
// scanner, which splits it into tokens as golang.org/x/net/html's
// Tokenizer does (without its copies), and only the attributes of the
// tags above are decoded. HTML never fails: malformed markup is read the
// way the tokenizer reads it, as browsers do.
func HTML(base *url.URL, body []byte, opts Options, dst []Link) []Link {
	c := newCollector(base, opts, dst)
	defer c.free()
	if c.all {
		c.htmlAll(body, false)
		return c.dst
	}
	ls := &c.ls
	ls.reset(&c.lsScan, body)
	c.pageLS = ls
	for !c.full {
		ref, ok := ls.next()
		if !ok {
			break
		}
		c.pageAttr = ref.linkAttr
		v := ref.val
		switch ref.form {
		case formURL:
			c.add(v, ref.kind, ref.nofollow)
		case formSrcset:
			c.addSrcset(v)
		case formCSS:
			c.scanCSS(v)
		case formRefresh:
			if s, e, ok := refreshSpan(v); ok {
				c.add(v[s:e], Page, false)
			}
		case formBase:
			c.setBase(v)
		}
	}
	return c.dst
}

// pageSource sets *src to the Source of the reference that HTML is at
// in ModePage.
func (c *collector) pageSource(src *Source) {
	if c.pageAttr.form == formCSS && c.pageAttr.id != attrStyle {
		*src = Source{Kind: SourceStyle, Tag: "style"} // a <style> element
		return
	}
	t := &c.pageLS.tag
	src.Kind, src.Tag, src.Attr = SourceAttr, tagNames[t.tag], attrNames[c.pageAttr.id]
	if t.tag == tagOther {
		src.Tag = lowerString(c.pageLS.s.b[t.start+1 : t.nameEnd])
	}
	switch c.pageAttr.form {
	case formCSS:
		src.Kind = SourceStyle
	case formRefresh:
		src.Attr = "refresh"
	}
}

// linkScanner finds the references that hold links in an HTML document:
// the link attributes of its tags, in the order of the link table, and
// the text of its <style> elements. It is the one walk over a document
// that HTML and RewriteHTML share.
type linkScanner struct {
	s        *scanner
	a        attrs      // the current start tag's attributes
	tag      token      // the current start tag
	pending  []linkAttr // its link attributes not yet returned
	found    [maxLinkAttrs]linkAttr
	haveBase bool   // a <base href> was returned
	dec      []byte // decoded attribute values
	text     []byte // style text with newlines and NULs converted
}

// linkRef is a reference found by linkScanner.
type linkRef struct {
	linkAttr // the attribute, or formCSS for a <style> element
	// val is the attribute value, decoded, or the CSS text of the <style>
	// element as the tokenizer's Text gives it. It is valid until the
	// next call of next.
	val []byte
	// tok is the start tag of the attribute, or the raw text of the
	// <style> element.
	tok token
	// span is where the attribute is, for an attribute.
	span attrSpan
}

func newLinkScanner(body []byte) *linkScanner {
	return &linkScanner{s: newScanner(body, 0)}
}

// reset makes ls a scanner of the document body that reads with s, reusing
// the memory of both.
func (ls *linkScanner) reset(s *scanner, body []byte) {
	*s = scanner{b: body, attrs: s.attrs[:0]}
	if s.attrs == nil {
		s.attrs = make([]attrSpan, 0, 16)
	}
	dec, text := ls.dec[:0], ls.text[:0]
	*ls = linkScanner{s: s, dec: dec, text: text}
}

// keep makes ls empty but for the buffers of old, when they are not too
// large to keep in a pool.
func (ls *linkScanner) keep(old *linkScanner) {
	*ls = linkScanner{}
	if cap(old.dec) <= maxPooledBuffer {
		ls.dec = old.dec[:0]
	}
	if cap(old.text) <= maxPooledBuffer {
		ls.text = old.text[:0]
	}
}

// next returns the next reference, or ok false at the end of the
// document. Of the <base> elements, only the href of the first that has
// one is returned, as only it counts.
func (ls *linkScanner) next() (ref linkRef, ok bool) {
	for {
		for len(ls.pending) > 0 {
			l := ls.pending[0]
			ls.pending = ls.pending[1:]
			if l.form == formBase {
				if ls.haveBase {
					continue
				}
				ls.haveBase = true
			}
			return linkRef{linkAttr: l, val: ls.a.val[l.id], tok: ls.tag, span: ls.a.span[l.id]}, true
		}
		t := ls.s.next()
		switch t.kind {
		case tokEOF:
			return linkRef{}, false
		case tokRawText:
			if t.tag == tagStyle {
				return linkRef{linkAttr: linkAttr{form: formCSS, kind: Requisite}, val: ls.styleText(t), tok: t}, true
			}
		case tokStartTag:
			act := startTagAction(ls.s, t)
			if act == tagSkip {
				continue
			}
			ls.a.read(ls.s, &ls.dec)
			ls.tag = t
			ls.pending = ls.a.linkAttrs(t.tag, act, ls.found[:0])
		}
	}
}

// styleText returns the text of the raw text token t as the tokenizer's
// Text does: "\r\n" and "\r" become "\n", and NUL becomes U+FFFD.
func (ls *linkScanner) styleText(t token) []byte {
	raw := ls.s.b[t.start:t.end]
	i := 0
	for i < len(raw) && raw[i] != '\r' && raw[i] != 0 {
		i++
	}
	if i == len(raw) {
		return raw
	}
	out := append(ls.text[:0], raw[:i]...)
	for ; i < len(raw); i++ {
		switch c := raw[i]; c {
		case 0:
			out = append(out, "\uFFFD"...)
		case '\r':
			out = append(out, '\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
		default:
			out = append(out, c)
		}
	}
	ls.text = out
	return out
}
