package parse

// The link finding of parse before issue #12 (discovery modes, sources,
// JavaScript), kept as the reference that ModePage is compared with:
// preHTML, preCSS and preHeaders must find exactly the links that HTML,
// CSS and Headers find in ModePage (same URLs, order, kinds and nofollow).
// It is the code of that time with its names prefixed by "pre"; it shares
// with the package only what #12 did not change: the scanner, attribute
// decoding, and the pure helpers of attr.go, css.go and headers.go. It is
// not to be improved.

import (
	"bytes"
	"net/http"
	"net/url"
	"unicode/utf8"
)

// preNumAttrs is the number of attributes HTML read before #12 (attrHref
// to attrMethod).
const preNumAttrs = attrMethod + 1

// preMaxRawCache bounds the cache of raw attribute values, which also remembers
// the skipped ones (javascript:, mailto:...) that do not count toward
// MaxLinks.
const preMaxRawCache = 4 * MaxLinks

// preCollector resolves, deduplicates and caps the links of one document.
type preCollector struct {
	base  *url.URL // resolution base: the document URL, or its <base href>
	dst   []Link
	start int // dst[:start] belongs to the caller
	opts  Options
	full  bool // MaxLinks reached: stop scanning

	// seen maps a normalized URL to its index in dst, or to -1 for the
	// document itself, which is never reported.
	seen map[linkKey]int
	// raw maps an attribute value as written to its index in dst, or to -1
	// when it gave no link. It is only valid for the current base. It saves
	// resolving the many repeated values of a page ("#", "/", a logo...)
	// and the look-up does not allocate.
	raw map[string]int

	scratch []byte // preCSS escape decoding

	// cssRef, when set, receives the URLs that scanCSS finds instead of
	// add, with the span css[start:end] of the string or url token each
	// was read from. RewriteHTML and RewriteCSS set it.
	cssRef func(ref []byte, start, end int)
}

// newPreCollector returns a preCollector for a document fetched from page.
func newPreCollector(page *url.URL, opts Options, dst []Link) *preCollector {
	p := *page
	opts.Normalizer.Normalize(&p)
	c := &preCollector{
		base:  &p,
		dst:   dst,
		start: len(dst),
		opts:  opts,
		seen:  make(map[linkKey]int, 64),
		raw:   make(map[string]int, 64),
	}
	c.seen[keyOf(&p)] = -1
	return c
}

// setBase makes the first <base href> the resolution base of the links that
// follow it.
func (c *preCollector) setBase(href []byte) {
	u, err := c.opts.Normalizer.Resolve(c.base, string(href))
	if err != nil {
		return // browsers fall back to the document URL
	}
	c.base = u
	clear(c.raw)
}

// add resolves ref against the current base and records the link, merging
// it with an earlier one for the same URL.
func (c *preCollector) add(ref []byte, kind Kind, nofollow bool) {
	if c.full || nofollow && c.opts.RespectNoFollow {
		return
	}
	if i, ok := c.raw[string(ref)]; ok {
		if i >= 0 {
			c.merge(i, kind, nofollow)
		}
		return
	}
	s := string(ref)
	i := -1
	if u, err := c.opts.Normalizer.Resolve(c.base, s); err == nil {
		key := keyOf(u)
		var ok bool
		if i, ok = c.seen[key]; ok {
			if i >= 0 {
				c.merge(i, kind, nofollow)
			}
		} else {
			if len(c.dst)-c.start >= MaxLinks {
				c.full = true
				return
			}
			i = len(c.dst)
			c.dst = append(c.dst, Link{URL: u, Kind: kind, NoFollow: nofollow})
			c.seen[key] = i
		}
	}
	if len(c.raw) < preMaxRawCache {
		c.raw[s] = i
	}
}

// merge folds another use of the link dst[i] into it: one requisite use
// makes it a requisite, one followable use makes it followable.
func (c *preCollector) merge(i int, kind Kind, nofollow bool) {
	l := &c.dst[i]
	if kind == Requisite {
		l.Kind = Requisite
	}
	if !nofollow {
		l.NoFollow = false
	}
}

// preHTML appends to dst the links of an preHTML document fetched from base and
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
// scripts or frames support. No DOM is built: the document is read with
// scanner, which splits it into tokens as golang.org/x/net/html's
// Tokenizer does (without its copies), and only the attributes of the
// tags above are decoded. preHTML never fails: malformed markup is read the
// way the tokenizer reads it, as browsers do.
func preHTML(base *url.URL, body []byte, opts Options, dst []Link) []Link {
	c := newPreCollector(base, opts, dst)
	ls := newPreLinkScanner(body)
	for !c.full {
		ref, ok := ls.next()
		if !ok {
			break
		}
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

// preLinkScanner finds the references that hold links in an preHTML document:
// the link attributes of its tags, in the order of the link table, and
// the text of its <style> elements. It is the one walk over a document
// that preHTML and RewriteHTML share.
type preLinkScanner struct {
	s        *scanner
	a        preAttrs      // the current start tag's attributes
	tag      token         // the current start tag
	pending  []preLinkAttr // its link attributes not yet returned
	found    [preMaxLinkAttrs]preLinkAttr
	haveBase bool   // a <base href> was returned
	dec      []byte // decoded attribute values
	text     []byte // style text with newlines and NULs converted
}

// preLinkRef is a reference found by preLinkScanner.
type preLinkRef struct {
	preLinkAttr // the attribute, or formCSS for a <style> element
	// val is the attribute value, decoded, or the preCSS text of the <style>
	// element as the tokenizer's Text gives it. It is valid until the
	// next call of next.
	val []byte
	// tok is the start tag of the attribute, or the raw text of the
	// <style> element.
	tok token
	// span is where the attribute is, for an attribute.
	span attrSpan
}

func newPreLinkScanner(body []byte) *preLinkScanner {
	return &preLinkScanner{s: newScanner(body, 0)}
}

// next returns the next reference, or ok false at the end of the
// document. Of the <base> elements, only the href of the first that has
// one is returned, as only it counts.
func (ls *preLinkScanner) next() (ref preLinkRef, ok bool) {
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
			return preLinkRef{preLinkAttr: l, val: ls.a.val[l.id], tok: ls.tag, span: ls.a.span[l.id]}, true
		}
		t := ls.s.next()
		switch t.kind {
		case tokEOF:
			return preLinkRef{}, false
		case tokRawText:
			if t.tag == tagStyle {
				return preLinkRef{preLinkAttr: preLinkAttr{form: formCSS, kind: Requisite}, val: ls.styleText(t), tok: t}, true
			}
		case tokStartTag:
			act := preStartTagAction(ls.s, t)
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
func (ls *preLinkScanner) styleText(t token) []byte {
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

// preStartTagAction tells what preHTML does with the start tag t of s.
func preStartTagAction(s *scanner, t token) tagAction {
	switch t.tag {
	case tagStyle, tagNoscript, tagNoframes:
		// The text of <style> is preCSS; the contents of the other two are
		// markup. Their own attributes are not read.
		return tagSkip
	case tagOther, tagNoembed, tagPlaintext, tagTextarea, tagTitle, tagXmp:
		// Any tag may carry a style attribute with url()s: only decode
		// the attributes of those that have one, and a '(' somewhere.
		for _, a := range s.attrs {
			if asciiEqualFold(s.b[a.ks:a.ke], "style") {
				if bytes.IndexByte(s.b[t.start:t.end], '(') >= 0 {
					return tagStyleAttr
				}
				break
			}
		}
		return tagSkip
	}
	return tagLinks
}

// preLinkAttr is an attribute of a tag that holds links, and what they are.
type preLinkAttr struct {
	id       attrID
	form     valueForm
	kind     Kind // of the links of a formURL value
	nofollow bool
}

// preMaxLinkAttrs is the most link attributes one tag can have: style,
// data-src, data-srcset and two of the tag's own (img src and srcset,
// video src and poster).
const preMaxLinkAttrs = 5

// linkAttrs appends to dst the attributes of a that hold links, in the
// order preHTML reports their links, for the element tag on which
// preStartTagAction said act (tagStyleAttr or tagLinks).
func (a *preAttrs) linkAttrs(tag tagID, act tagAction, dst []preLinkAttr) []preLinkAttr {
	add := func(id attrID, form valueForm, kind Kind) {
		if a.has&(1<<id) != 0 {
			dst = append(dst, preLinkAttr{id: id, form: form, kind: kind})
		}
	}
	add(attrStyle, formCSS, Requisite)
	if act != tagLinks {
		return dst
	}
	add(attrDataSrc, formURL, Requisite) // lazy loading, on any tag
	add(attrDataSrcset, formSrcset, Requisite)
	switch tag {
	case tagA, tagArea:
		if id, ok := a.anyHref(); ok {
			dst = append(dst, preLinkAttr{id: id, form: formURL, kind: Page, nofollow: relHas(a.get(attrRel), "nofollow")})
		}
	case tagImage, tagUse:
		// SVG: <image href> and <use href="sprite.svg#icon">.
		if id, ok := a.anyHref(); ok {
			add(id, formURL, Requisite)
		}
	case tagForm:
		// A GET form's action, without submitting any values.
		if a.has&(1<<attrMethod) == 0 || asciiEqualFold(trimSpace(a.get(attrMethod)), "get") {
			add(attrAction, formURL, Page)
		}
	case tagBody, tagTable, tagTd, tagTh, tagTr:
		add(attrBackground, formURL, Requisite)
	case tagLink:
		if a.has&(1<<attrHref) != 0 {
			if kind, ok := linkKind(a.get(attrRel)); ok {
				add(attrHref, formURL, kind)
			}
		}
	case tagImg, tagSource:
		add(attrSrc, formURL, Requisite)
		add(attrSrcset, formSrcset, Requisite)
	case tagScript, tagIframe, tagFrame, tagEmbed, tagAudio, tagTrack:
		add(attrSrc, formURL, Requisite)
	case tagVideo:
		add(attrSrc, formURL, Requisite)
		add(attrPoster, formURL, Requisite)
	case tagInput:
		if asciiEqualFold(a.get(attrType), "image") {
			add(attrSrc, formURL, Requisite)
		}
	case tagObject:
		add(attrData, formURL, Requisite)
	case tagMeta:
		if asciiEqualFold(trimSpace(a.get(attrEquiv)), "refresh") {
			add(attrContent, formRefresh, Page)
		}
	case tagBase:
		add(attrHref, formBase, Page)
	}
	return dst
}

// preLookupAttr returns the attrID of the attribute key (in any case), with
// ok false when preHTML does not read it. It does not allocate.
func preLookupAttr(key []byte) (id attrID, ok bool) {
	if len(key) > maxAttrName {
		return 0, false
	}
	var buf [maxAttrName]byte
	for i, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(key)]) {
	case "href":
		return attrHref, true
	case "src":
		return attrSrc, true
	case "srcset":
		return attrSrcset, true
	case "poster":
		return attrPoster, true
	case "data":
		return attrData, true
	case "rel":
		return attrRel, true
	case "type":
		return attrType, true
	case "http-equiv":
		return attrEquiv, true
	case "content":
		return attrContent, true
	case "style":
		return attrStyle, true
	case "xlink:href":
		return attrXlinkHref, true
	case "background":
		return attrBackground, true
	case "data-src", "data-lazy-src", "data-original":
		return attrDataSrc, true
	case "data-srcset":
		return attrDataSrcset, true
	case "action":
		return attrAction, true
	case "method":
		return attrMethod, true
	}
	return 0, false
}

// preAttrs holds the attributes of a start tag that preHTML reads: their values
// decoded as the tokenizer decodes them, and where they are. val and span
// are only meaningful for the attributes in has; get reads the others as
// empty. (They are not cleared between tags: clearing pointers costs
// write barriers on every tag.)
type preAttrs struct {
	val  [preNumAttrs][]byte
	span [preNumAttrs]attrSpan
	has  uint64 // 1<<id for each attribute present, even empty
}

// get returns the value of the attribute id, or nil if it is not there.
func (a *preAttrs) get(id attrID) []byte {
	if a.has&(1<<id) == 0 {
		return nil
	}
	return a.val[id]
}

// anyHref returns the href attribute, or SVG's older xlink:href.
func (a *preAttrs) anyHref() (attrID, bool) {
	switch {
	case a.has&(1<<attrHref) != 0:
		return attrHref, true
	case a.has&(1<<attrXlinkHref) != 0:
		return attrXlinkHref, true
	}
	return 0, false
}

// read sets a to the attributes of the start tag whose attributes the
// scanner s has just read, decoding their values into *buf when they need
// it. The first of duplicate attributes wins, as in the tokenizer. The
// values are valid until the next call with the same buf.
func (a *preAttrs) read(s *scanner, buf *[]byte) {
	a.has = 0
	*buf = (*buf)[:0]
	for _, sp := range s.attrs {
		id, ok := preLookupAttr(s.b[sp.ks:sp.ke])
		if !ok || a.has&(1<<id) != 0 {
			continue
		}
		a.has |= 1 << id
		a.val[id] = decodeAttr(s.b[sp.vs:sp.ve], buf)
		a.span[id] = sp
	}
}

// preCSS appends to dst the links of a stylesheet fetched from base and
// returns the extended slice.
//
// It finds url(...) in its quoted and unquoted forms, @import "x.css" and
// @import url(x.css), and the quoted URLs of image-set(); all are
// Requisite. Comments are skipped and strings that are not URLs are not
// searched. preCSS escapes are decoded (\" , \28, a backslash-newline in a
// string). Resolution, deduplication, the self-link rule and the MaxLinks
// cap are as for [preHTML]. preCSS never fails: what does not parse is skipped,
// as browsers do.
func preCSS(base *url.URL, body []byte, opts Options, dst []Link) []Link {
	c := newPreCollector(base, opts, dst)
	c.scanCSS(body)
	return c.dst
}

// scanCSS records the URLs of a stylesheet, a <style> element or a style
// attribute. It is a byte scanner that knows just enough of preCSS
// tokenization to find url( tokens, @import strings and image-set()
// strings, and to not find them in comments and other strings.
func (c *preCollector) scanCSS(css []byte) {
	n := len(css)
	imageSet := 0 // parenthesis depth inside image-set(, 0 outside
	for i := 0; i < n && !c.full; {
		ch := css[i]
		if !cssSpecial(ch) {
			i++
			continue
		}
		switch {
		case ch == '/' && i+1 < n && css[i+1] == '*':
			end := bytes.Index(css[i+2:], []byte("*/"))
			if end < 0 {
				return
			}
			i += 2 + end + 2
		case ch == '"' || ch == '\'':
			s, next, ok := c.cssString(css, i)
			if ok && imageSet == 1 {
				c.addCSS(s, i, next)
			}
			i = next
		case ch == '\\':
			i += 2 // an escaped character is part of an identifier
		case ch == '@':
			i++
			if hasPrefixFold(css[i:], "import") && (i+6 == n || !isNameChar(css[i+6])) {
				i += 6
				i = skipCSSSpace(css, i)
				if i < n && (css[i] == '"' || css[i] == '\'') {
					s, next, ok := c.cssString(css, i)
					if ok {
						c.addCSS(s, i, next)
					}
					i = next
				}
				// @import url(...) is found by the next round.
			}
		case ch == '(':
			if imageSet > 0 {
				imageSet++
			}
			i++
		case ch == ')':
			if imageSet > 0 {
				imageSet--
			}
			i++
		case (ch == 'u' || ch == 'U') && hasPrefixFold(css[i:], "url(") && (i == 0 || !isNameChar(css[i-1])):
			s, start, end, next, ok := c.cssURL(css, i+4)
			if ok {
				c.addCSS(s, start, end)
			}
			i = next
		case (ch == 'i' || ch == 'I') && hasPrefixFold(css[i:], "image-set(") && (i == 0 || !isNameChar(css[i-1]) || css[i-1] == '-'):
			// image-set( and -webkit-image-set(: quoted arguments are URLs.
			imageSet = 1
			i += len("image-set(")
		default:
			i++
		}
	}
}

// addCSS records a URL found in preCSS, decoded into ref from the string or
// url token css[start:end], or hands it to c.cssRef when that is set.
func (c *preCollector) addCSS(ref []byte, start, end int) {
	if len(trimSpace(ref)) == 0 {
		return
	}
	if c.cssRef != nil {
		c.cssRef(ref, start, end)
		return
	}
	c.add(ref, Requisite, false)
}

// cssString reads the string that starts with the quote at css[i]. It
// returns its decoded value, the index after it, and ok false for a string
// cut by a newline (a bad string in preCSS).
func (c *preCollector) cssString(css []byte, i int) (s []byte, next int, ok bool) {
	q := css[i]
	start := i + 1
	j := start
	for ; j < len(css); j++ {
		switch css[j] {
		case q:
			return c.unescapeCSS(css[start:j]), j + 1, true
		case '\n', '\r', '\f':
			return nil, j, false
		case '\\':
			j++ // skip the escaped byte, be it a quote or a newline
		}
	}
	return c.unescapeCSS(css[start:]), len(css), true // EOF ends a string
}

// cssURL reads the rest of a url( token, from css[i] just after the "(".
// It returns the URL, the span css[start:end] it was read from (the string
// with its quotes, or the unquoted URL without the whitespace around it),
// the index after the closing parenthesis, and ok false for a bad url
// (whitespace inside, stray quotes or parentheses), which is skipped up to
// its closing parenthesis as preCSS does.
func (c *preCollector) cssURL(css []byte, i int) (u []byte, start, end, next int, ok bool) {
	n := len(css)
	i = skipCSSSpace(css, i)
	if i < n && (css[i] == '"' || css[i] == '\'') {
		// url("x"): a function with a string argument.
		s, j, ok := c.cssString(css, i)
		strEnd := j
		j = skipCSSSpace(css, j)
		if !ok || j < n && css[j] != ')' {
			return nil, 0, 0, badURLEnd(css, j), false
		}
		return s, i, strEnd, min(j+1, n), true
	}
	start = i
	escaped := false
	for ; i < n; i++ {
		switch ch := css[i]; {
		case ch == ')':
			return c.unquotedURL(css[start:i], escaped), start, i, i + 1, true
		case isCSSSpace(ch):
			urlEnd := i
			i = skipCSSSpace(css, i)
			if i == n || css[i] == ')' {
				return c.unquotedURL(css[start:urlEnd], escaped), start, urlEnd, min(i+1, n), true
			}
			return nil, 0, 0, badURLEnd(css, i), false
		case ch == '"' || ch == '\'' || ch == '(' || ch < ' ' || ch == 0x7f:
			return nil, 0, 0, badURLEnd(css, i), false
		case ch == '\\':
			if i+1 == n || css[i+1] == '\n' {
				return nil, 0, 0, badURLEnd(css, i), false
			}
			escaped = true
			i++
			if isHexDigit(css[i]) {
				// Up to six hex digits and one whitespace belong to the
				// escape: "\28 x" is "(x".
				j := i
				for j < n && j < i+6 && isHexDigit(css[j]) {
					j++
				}
				if j < n && isCSSSpace(css[j]) {
					j++
				}
				i = j - 1
			}
		}
	}
	return c.unquotedURL(css[start:], escaped), start, n, n, true // EOF ends a url
}

func (c *preCollector) unquotedURL(b []byte, escaped bool) []byte {
	if escaped {
		return c.unescapeCSS(b)
	}
	return b
}

// unescapeCSS decodes the preCSS escapes of b: a backslash and up to six hex
// digits (and one whitespace after them) is a code point, a backslash and a
// newline is nothing, a backslash and any other character is that
// character. Without escapes it returns b itself; else the result is in
// the preCollector's scratch buffer, valid until the next call.
func (c *preCollector) unescapeCSS(b []byte) []byte {
	if bytes.IndexByte(b, '\\') < 0 {
		return b
	}
	out := c.scratch[:0]
	for i := 0; i < len(b); i++ {
		ch := b[i]
		if ch != '\\' {
			out = append(out, ch)
			continue
		}
		i++
		if i == len(b) {
			out = utf8.AppendRune(out, utf8.RuneError)
			break
		}
		switch ch = b[i]; {
		case ch == '\n' || ch == '\f':
			// line continuation
		case ch == '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		case isHexDigit(ch):
			r := rune(0)
			j := i
			for ; j < len(b) && j < i+6 && isHexDigit(b[j]); j++ {
				r = r<<4 | rune(hexVal(b[j]))
			}
			if r == 0 || r > utf8.MaxRune || 0xD800 <= r && r <= 0xDFFF {
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			i = j - 1
			if j < len(b) && isCSSSpace(b[j]) {
				i = j
				if b[j] == '\r' && j+1 < len(b) && b[j+1] == '\n' {
					i++
				}
			}
		default:
			out = append(out, ch)
		}
	}
	c.scratch = out
	return out
}

// addSrcset records the URLs of a srcset attribute.
func (c *preCollector) addSrcset(v []byte) {
	for i := 0; i < len(v); {
		var s, e int
		s, e, i = nextSrcsetURL(v, i)
		if s < e {
			c.add(v[s:e], Requisite, false)
		}
	}
}

// preHeaders appends to dst the links found in the headers of a response
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
// resolved and normalized as preHTML's are, and a link back to base is not
// reported.
func preHeaders(base *url.URL, h http.Header, opts Options, dst []Link) []Link {
	if h.Get("Link") == "" && h.Get("Refresh") == "" && h.Get("Content-Location") == "" {
		return dst // the common case: no preCollector to build
	}
	c := newPreCollector(base, opts, dst)
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
