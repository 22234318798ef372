package parse

import (
	"bytes"
	"net/url"

	"golang.org/x/net/html"
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
// Script contents are never searched for links. The contents of <noscript>
// and <noframes> are scanned as markup, since a crawler is a client without
// scripts or frames support. The document is read with the streaming
// golang.org/x/net/html Tokenizer: no DOM is built, and only the attributes
// of the tags above are decoded. HTML never fails: malformed markup is read
// the way the tokenizer reads it, as browsers do.
func HTML(base *url.URL, body []byte, opts Options, dst []Link) []Link {
	c := newCollector(base, opts, dst)
	z := html.NewTokenizer(bytes.NewReader(body))
	var (
		nameBuf  [maxTagName]byte
		a        attrs
		haveBase bool // a <base href> was seen
		inStyle  bool // the previous token was a <style> start tag
	)
	for !c.full {
		tt := z.Next()
		styleText := inStyle
		inStyle = false
		switch tt {
		case html.ErrorToken:
			return c.dst
		case html.TextToken:
			if styleText {
				c.scanCSS(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			raw := z.Raw()
			name := tagName(raw, &nameBuf)
			if !interesting(name) {
				// Any tag may carry a style attribute with url()s; only
				// decode the attributes of those that might.
				if bytes.IndexByte(raw, '(') >= 0 {
					var a attrs
					a.read(z, raw, c)
				}
				continue
			}
			switch string(name) {
			case "style":
				inStyle = true
				continue
			case "noscript", "noframes":
				z.NextIsNotRawText()
				continue
			}
			a.read(z, raw, c)
			if a.has&hasDataSrc != 0 {
				c.add(a.dataSrc, Requisite, false) // lazy loading, on any tag
			}
			if a.has&hasDataSrcset != 0 {
				c.addSrcset(a.dataSrcset)
			}
			switch string(name) {
			case "a", "area":
				if href, ok := a.anyHref(); ok {
					c.add(href, Page, relHas(a.rel, "nofollow"))
				}
			case "image", "use":
				// SVG: <image href> and <use href="sprite.svg#icon">.
				if href, ok := a.anyHref(); ok {
					c.add(href, Requisite, false)
				}
			case "form":
				// A GET form's action, without submitting any values.
				if a.has&hasAction != 0 && (a.has&hasMethod == 0 || asciiEqualFold(trimSpace(a.method), "get")) {
					c.add(a.action, Page, false)
				}
			case "body", "table", "td", "th", "tr":
				if a.has&hasBackground != 0 {
					c.add(a.background, Requisite, false)
				}
			case "link":
				if a.has&hasHref != 0 {
					if kind, ok := linkKind(a.rel); ok {
						c.add(a.href, kind, false)
					}
				}
			case "img", "source":
				if a.has&hasSrc != 0 {
					c.add(a.src, Requisite, false)
				}
				if a.has&hasSrcset != 0 {
					c.addSrcset(a.srcset)
				}
			case "script", "iframe", "frame", "embed", "audio", "track":
				if a.has&hasSrc != 0 {
					c.add(a.src, Requisite, false)
				}
			case "video":
				if a.has&hasSrc != 0 {
					c.add(a.src, Requisite, false)
				}
				if a.has&hasPoster != 0 {
					c.add(a.poster, Requisite, false)
				}
			case "input":
				if a.has&hasSrc != 0 && asciiEqualFold(a.typ, "image") {
					c.add(a.src, Requisite, false)
				}
			case "object":
				if a.has&hasData != 0 {
					c.add(a.data, Requisite, false)
				}
			case "meta":
				if asciiEqualFold(trimSpace(a.equiv), "refresh") {
					if ref, ok := refreshURL(a.content); ok {
						c.add(ref, Page, false)
					}
				}
			case "base":
				if !haveBase && a.has&hasHref != 0 {
					haveBase = true
					c.setBase(a.href)
				}
			}
		}
	}
	return c.dst
}

// maxTagName is the length of the longest interesting tag name ("noscript").
const maxTagName = 8

// tagName copies the lowercased name of the start tag raw ("<IMG src=x>")
// into buf and returns it, or nil when it is longer than any interesting
// name. Reading the name from the raw bytes, instead of with
// Tokenizer.TagName, costs no allocation for the many tags that do not
// matter. The name ends where the tokenizer ends it: at whitespace, '/' or
// '>'.
func tagName(raw []byte, buf *[maxTagName]byte) []byte {
	n := 0
	for _, c := range raw[1:] {
		switch c {
		case ' ', '\n', '\r', '\t', '\f', '/', '>':
			return buf[:n]
		}
		if n == len(buf) {
			return nil
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return buf[:n]
}

// interesting reports whether HTML looks at the attributes or contents of
// tags named name.
func interesting(name []byte) bool {
	switch string(name) {
	case "a", "area", "link", "img", "source", "script", "iframe", "frame",
		"embed", "video", "audio", "track", "input", "object", "meta", "base",
		"style", "noscript", "noframes",
		"image", "use", "form", "body", "table", "td", "th", "tr":
		return true
	}
	return false
}

// Bits of attrs.has.
const (
	hasHref = 1 << iota
	hasSrc
	hasSrcset
	hasPoster
	hasData
	hasRel
	hasType
	hasEquiv
	hasContent
	hasStyle
	hasXlinkHref
	hasBackground
	hasDataSrc
	hasDataSrcset
	hasAction
	hasMethod
)

// attrs holds the attributes of an interesting tag that HTML uses. The
// slices are only valid until the tokenizer moves on.
type attrs struct {
	href, src, srcset, poster, data []byte
	rel, typ, equiv, content        []byte
	xlinkHref, background           []byte
	dataSrc, dataSrcset             []byte // lazy loading: data-src, data-lazy-src, data-original; data-srcset
	action, method                  []byte
	has                             uint32 // which attributes are present, even empty
}

// anyHref returns href, or SVG's older xlink:href.
func (a *attrs) anyHref() ([]byte, bool) {
	switch {
	case a.has&hasHref != 0:
		return a.href, true
	case a.has&hasXlinkHref != 0:
		return a.xlinkHref, true
	}
	return nil, false
}

// read decodes the attributes of the current tag of z, whose raw bytes are
// raw, into a, and scans a style attribute on the way.
//
// Tokenizer.TagAttr allocates two copies per attribute. When the tag has
// no character reference, carriage return or NUL, the values need no
// decoding and read splits raw itself with the tokenizer's rules
// (nextRawAttr), allocating nothing; else it asks TagAttr.
func (a *attrs) read(z *html.Tokenizer, raw []byte, c *collector) {
	*a = attrs{}
	if !needsDecoding(raw) {
		for i := attrsStart(raw); ; {
			k, v, next, ok := nextRawAttr(raw, i)
			if !ok {
				return
			}
			a.set(k, v, c)
			i = next
		}
	}
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		a.set(k, v, c)
	}
}

// set records the attribute k=v; the first of duplicate attributes wins,
// as in the tokenizer. k may be in any case.
func (a *attrs) set(k, v []byte, c *collector) {
	var buf [len("data-lazy-src")]byte
	if len(k) > len(buf) {
		return
	}
	for i, ch := range k {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf[i] = ch
	}
	var bit uint32
	var dst *[]byte
	switch string(buf[:len(k)]) {
	case "href":
		bit, dst = hasHref, &a.href
	case "src":
		bit, dst = hasSrc, &a.src
	case "srcset":
		bit, dst = hasSrcset, &a.srcset
	case "poster":
		bit, dst = hasPoster, &a.poster
	case "data":
		bit, dst = hasData, &a.data
	case "rel":
		bit, dst = hasRel, &a.rel
	case "type":
		bit, dst = hasType, &a.typ
	case "http-equiv":
		bit, dst = hasEquiv, &a.equiv
	case "content":
		bit, dst = hasContent, &a.content
	case "xlink:href":
		bit, dst = hasXlinkHref, &a.xlinkHref
	case "background":
		bit, dst = hasBackground, &a.background
	case "data-src", "data-lazy-src", "data-original":
		bit, dst = hasDataSrc, &a.dataSrc
	case "data-srcset":
		bit, dst = hasDataSrcset, &a.dataSrcset
	case "action":
		bit, dst = hasAction, &a.action
	case "method":
		bit, dst = hasMethod, &a.method
	case "style":
		if a.has&hasStyle == 0 {
			a.has |= hasStyle
			c.scanCSS(v)
		}
		return
	default:
		return
	}
	if a.has&bit == 0 {
		a.has |= bit
		*dst = v
	}
}

// needsDecoding reports whether the attribute values of the raw tag may
// need the tokenizer's decoding: character references, newline
// normalization of "\r", or NUL replacement.
func needsDecoding(raw []byte) bool {
	return bytes.IndexByte(raw, '&') >= 0 || bytes.IndexByte(raw, '\r') >= 0 || bytes.IndexByte(raw, 0) >= 0
}

func isTagSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

func skipTagSpace(raw []byte, i int) int {
	for i < len(raw) && isTagSpace(raw[i]) {
		i++
	}
	return i
}

// attrsStart returns the index of the first attribute of the raw start tag
// raw, as the tokenizer's readTagName and readTag find it.
func attrsStart(raw []byte) int {
	i := 1
	for i < len(raw) {
		switch raw[i] {
		case ' ', '\n', '\r', '\t', '\f':
			return skipTagSpace(raw, i+1)
		case '/', '>':
			return i
		}
		i++
	}
	return i
}

// nextRawAttr splits the attribute at raw[i] off the raw start tag raw,
// which ends with the '>' that closed it, following the tokenizer's
// readTag, readTagAttrKey and readTagAttrVal step for step. It returns the
// key as written (not lowercased), the value without quotes, the index of
// the next attribute, and ok false at the end of the tag. Keys may be empty
// (a stray '/'); set ignores them as the tokenizer does.
func nextRawAttr(raw []byte, i int) (key, val []byte, next int, ok bool) {
	n := len(raw)
	if i >= n || raw[i] == '>' {
		return nil, nil, n, false
	}
	ks := i
	for ; i < n; i++ {
		ch := raw[i]
		if ch == '=' && i == ks {
			continue // a leading '=' is part of the name
		}
		if ch == '=' || ch == '/' || ch == '>' || isTagSpace(ch) {
			break
		}
	}
	key = raw[ks:i]
	vs, ve := i, i
	i = skipTagSpace(raw, i)
	if i < n {
		switch raw[i] {
		case '/':
			i++
		case '=':
			i = skipTagSpace(raw, i+1)
			if i < n {
				switch q := raw[i]; q {
				case '>':
				case '"', '\'':
					i++
					vs = i
					for i < n && raw[i] != q {
						i++
					}
					ve = i
					if i < n {
						i++
					}
				default:
					vs = i
					for i < n && raw[i] != '>' && !isTagSpace(raw[i]) {
						i++
					}
					ve = i
				}
			}
		}
	}
	return key, raw[vs:ve], skipTagSpace(raw, i), true
}
