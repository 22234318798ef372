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
		found    [maxLinkAttrs]linkAttr
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
			act := startTagAction(name, raw)
			switch act {
			case tagSkip:
				continue
			case tagStyleText:
				inStyle = true
				continue
			case tagMarkupText:
				z.NextIsNotRawText()
				continue
			}
			a.read(z, raw)
			for _, l := range a.linkAttrs(name, act, found[:0]) {
				v := a.val[l.id]
				switch l.form {
				case formURL:
					c.add(v, l.kind, l.nofollow)
				case formSrcset:
					c.addSrcset(v)
				case formCSS:
					c.scanCSS(v)
				case formRefresh:
					if s, e, ok := refreshSpan(v); ok {
						c.add(v[s:e], Page, false)
					}
				case formBase:
					if !haveBase {
						haveBase = true
						c.setBase(v)
					}
				}
			}
		}
	}
	return c.dst
}

// tagAction is what HTML does with a start tag.
type tagAction uint8

const (
	// tagSkip: nothing to look at.
	tagSkip tagAction = iota
	// tagStyleAttr: a tag HTML does not know, whose style attribute may
	// hold url()s.
	tagStyleAttr
	// tagLinks: a tag whose attributes may hold links.
	tagLinks
	// tagStyleText: <style>, whose text is CSS.
	tagStyleText
	// tagMarkupText: <noscript> or <noframes>, whose text is scanned as
	// markup.
	tagMarkupText
)

// startTagAction tells what HTML does with the start tag whose raw bytes
// are raw and whose name, from tagName, is name.
func startTagAction(name, raw []byte) tagAction {
	if !interesting(name) {
		// Any tag may carry a style attribute with url()s; only decode
		// the attributes of those that might.
		if bytes.IndexByte(raw, '(') >= 0 {
			return tagStyleAttr
		}
		return tagSkip
	}
	switch string(name) {
	case "style":
		return tagStyleText
	case "noscript", "noframes":
		return tagMarkupText
	}
	return tagLinks
}

// valueForm is how an attribute value holds its links.
type valueForm uint8

const (
	formURL     valueForm = iota // the value is one URL
	formSrcset                   // a srcset: URLs and descriptors
	formRefresh                  // a meta refresh content: "5; url=..."
	formCSS                      // a style attribute: CSS declarations
	formBase                     // the href of a <base>: the resolution base
)

// linkAttr is an attribute of a tag that holds links, and what they are.
type linkAttr struct {
	id       attrID
	form     valueForm
	kind     Kind // of the links of a formURL value
	nofollow bool
}

// maxLinkAttrs is the most link attributes one tag can have: style,
// data-src, data-srcset and two of the tag's own (img src and srcset,
// video src and poster).
const maxLinkAttrs = 5

// linkAttrs appends to dst the attributes of a that hold links, in the
// order HTML reports their links, for a tag named name (from tagName) on
// which startTagAction said act (tagStyleAttr or tagLinks). This is the
// table of which attribute of which tag is a link, shared by HTML and
// RewriteHTML so that they cannot disagree.
func (a *attrs) linkAttrs(name []byte, act tagAction, dst []linkAttr) []linkAttr {
	add := func(id attrID, form valueForm, kind Kind) {
		if a.has&(1<<id) != 0 {
			dst = append(dst, linkAttr{id: id, form: form, kind: kind})
		}
	}
	add(attrStyle, formCSS, Requisite)
	if act != tagLinks {
		return dst
	}
	add(attrDataSrc, formURL, Requisite) // lazy loading, on any tag
	add(attrDataSrcset, formSrcset, Requisite)
	switch string(name) {
	case "a", "area":
		if id, ok := a.anyHref(); ok {
			dst = append(dst, linkAttr{id: id, form: formURL, kind: Page, nofollow: relHas(a.val[attrRel], "nofollow")})
		}
	case "image", "use":
		// SVG: <image href> and <use href="sprite.svg#icon">.
		if id, ok := a.anyHref(); ok {
			add(id, formURL, Requisite)
		}
	case "form":
		// A GET form's action, without submitting any values.
		if a.has&(1<<attrMethod) == 0 || asciiEqualFold(trimSpace(a.val[attrMethod]), "get") {
			add(attrAction, formURL, Page)
		}
	case "body", "table", "td", "th", "tr":
		add(attrBackground, formURL, Requisite)
	case "link":
		if a.has&(1<<attrHref) != 0 {
			if kind, ok := linkKind(a.val[attrRel]); ok {
				add(attrHref, formURL, kind)
			}
		}
	case "img", "source":
		add(attrSrc, formURL, Requisite)
		add(attrSrcset, formSrcset, Requisite)
	case "script", "iframe", "frame", "embed", "audio", "track":
		add(attrSrc, formURL, Requisite)
	case "video":
		add(attrSrc, formURL, Requisite)
		add(attrPoster, formURL, Requisite)
	case "input":
		if asciiEqualFold(a.val[attrType], "image") {
			add(attrSrc, formURL, Requisite)
		}
	case "object":
		add(attrData, formURL, Requisite)
	case "meta":
		if asciiEqualFold(trimSpace(a.val[attrEquiv]), "refresh") {
			add(attrContent, formRefresh, Page)
		}
	case "base":
		add(attrHref, formBase, Page)
	}
	return dst
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

// attrID names an attribute that HTML reads; it indexes attrs.val, and
// 1<<attrID is its bit in attrs.has.
type attrID uint8

const (
	attrHref attrID = iota
	attrSrc
	attrSrcset
	attrPoster
	attrData
	attrRel
	attrType
	attrEquiv // http-equiv
	attrContent
	attrStyle
	attrXlinkHref
	attrBackground
	attrDataSrc    // data-src, data-lazy-src, data-original: lazy loading
	attrDataSrcset // data-srcset
	attrAction
	attrMethod
	numAttrs
)

// attrs holds the attributes of a tag that HTML uses. The slices are only
// valid until the tokenizer moves on.
type attrs struct {
	val [numAttrs][]byte
	has uint32 // 1<<id for each attribute present, even empty
}

// anyHref returns the href attribute, or SVG's older xlink:href.
func (a *attrs) anyHref() (attrID, bool) {
	switch {
	case a.has&(1<<attrHref) != 0:
		return attrHref, true
	case a.has&(1<<attrXlinkHref) != 0:
		return attrXlinkHref, true
	}
	return 0, false
}

// read decodes the attributes of the current tag of z, whose raw bytes are
// raw, into a.
//
// Tokenizer.TagAttr allocates two copies per attribute. When the tag has
// no character reference, carriage return or NUL, the values need no
// decoding and read splits raw itself with the tokenizer's rules
// (nextRawAttr), allocating nothing; else it asks TagAttr.
func (a *attrs) read(z *html.Tokenizer, raw []byte) {
	*a = attrs{}
	if !needsDecoding(raw) {
		for i := attrsStart(raw); ; {
			k, vs, ve, next, ok := nextRawAttr(raw, i)
			if !ok {
				return
			}
			a.set(k, raw[vs:ve])
			i = next
		}
	}
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		a.set(k, v)
	}
}

// set records the attribute k=v and returns its attrID, with ok false when
// k is not an attribute HTML reads or is a duplicate: the first of
// duplicate attributes wins, as in the tokenizer. k may be in any case.
func (a *attrs) set(k, v []byte) (id attrID, ok bool) {
	var buf [len("data-lazy-src")]byte
	if len(k) > len(buf) {
		return 0, false
	}
	for i, ch := range k {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf[i] = ch
	}
	switch string(buf[:len(k)]) {
	case "href":
		id = attrHref
	case "src":
		id = attrSrc
	case "srcset":
		id = attrSrcset
	case "poster":
		id = attrPoster
	case "data":
		id = attrData
	case "rel":
		id = attrRel
	case "type":
		id = attrType
	case "http-equiv":
		id = attrEquiv
	case "content":
		id = attrContent
	case "style":
		id = attrStyle
	case "xlink:href":
		id = attrXlinkHref
	case "background":
		id = attrBackground
	case "data-src", "data-lazy-src", "data-original":
		id = attrDataSrc
	case "data-srcset":
		id = attrDataSrcset
	case "action":
		id = attrAction
	case "method":
		id = attrMethod
	default:
		return 0, false
	}
	if a.has&(1<<id) != 0 {
		return 0, false
	}
	a.has |= 1 << id
	a.val[id] = v
	return id, true
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
// key as written (not lowercased), the span raw[vs:ve] of the value without
// quotes, the index of the next attribute, and ok false at the end of the
// tag. Keys may be empty (a stray '/'); set ignores them as the tokenizer
// does. A quoted value has its opening quote at raw[vs-1]; an attribute
// without '=' has vs == ve == i+len(key), the end of its key.
func nextRawAttr(raw []byte, i int) (key []byte, vs, ve, next int, ok bool) {
	n := len(raw)
	if i >= n || raw[i] == '>' {
		return nil, n, n, n, false
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
	vs, ve = i, i
	i = skipTagSpace(raw, i)
	if i < n {
		switch raw[i] {
		case '/':
			i++
		case '=':
			i = skipTagSpace(raw, i+1)
			vs, ve = i, i
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
	return key, vs, ve, skipTagSpace(raw, i), true
}
