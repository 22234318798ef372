package parse

// The implementation of HTML before the scanner, on golang.org/x/net/html's
// Tokenizer with the link table of that time, kept as the reference that
// the tests compare the scanner with: refHTML, and refRewriteHTML for
// RewriteHTML. It is the code of that time with its names prefixed by
// "ref"; it is not to be improved, as it is what "the same links as the
// tokenizer" means.

import (
	"bytes"
	"net/url"

	"golang.org/x/net/html"
)

// refHTML is HTML as it was, on the Tokenizer.
func refHTML(base *url.URL, body []byte, opts Options, dst []Link) []Link {
	c := newPreCollector(base, opts, dst)
	z := html.NewTokenizer(bytes.NewReader(body))
	var (
		nameBuf  [refMaxTagName]byte
		a        refAttrs
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
			name := refTagName(raw, &nameBuf)
			act := refStartTagAction(name, raw)
			switch act {
			case refTagSkip:
				continue
			case refTagStyleText:
				inStyle = true
				continue
			case refTagMarkupText:
				z.NextIsNotRawText()
				continue
			}
			a.read(z, raw)
			for _, l := range a.refLinkAttrs(name, act, found[:0]) {
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

// refTagAction is what HTML does with a start tag.
type refTagAction uint8

const (
	// refTagSkip: nothing to look at.
	refTagSkip refTagAction = iota
	// refTagStyleAttr: a tag HTML does not know, whose style attribute may
	// hold url()s.
	refTagStyleAttr
	// refTagLinks: a tag whose attributes may hold links.
	refTagLinks
	// refTagStyleText: <style>, whose text is CSS.
	refTagStyleText
	// refTagMarkupText: <noscript> or <noframes>, whose text is scanned as
	// markup.
	refTagMarkupText
)

// refStartTagAction tells what HTML does with the start tag whose raw bytes
// are raw and whose name, from tagName, is name.
func refStartTagAction(name, raw []byte) refTagAction {
	if !refInteresting(name) {
		// Any tag may carry a style attribute with url()s; only decode
		// the attributes of those that might.
		if bytes.IndexByte(raw, '(') >= 0 {
			return refTagStyleAttr
		}
		return refTagSkip
	}
	switch string(name) {
	case "style":
		return refTagStyleText
	case "noscript", "noframes":
		return refTagMarkupText
	}
	return refTagLinks
}

// refLinkAttrs appends to dst the attributes of a that hold links, in the
// order HTML reports their links, for a tag named name (from tagName) on
// which refStartTagAction said act (refTagStyleAttr or refTagLinks). This is the
// table of which attribute of which tag is a link, shared by HTML and
// RewriteHTML so that they cannot disagree.
func (a *refAttrs) refLinkAttrs(name []byte, act refTagAction, dst []linkAttr) []linkAttr {
	add := func(id attrID, form valueForm, kind Kind) {
		if a.has&(1<<id) != 0 {
			dst = append(dst, linkAttr{id: id, form: form, kind: kind})
		}
	}
	add(attrStyle, formCSS, Requisite)
	if act != refTagLinks {
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

// refMaxTagName is the length of the longest interesting tag name ("noscript").
const refMaxTagName = 8

// tagName copies the lowercased name of the start tag raw ("<IMG src=x>")
// into buf and returns it, or nil when it is longer than any interesting
// name. Reading the name from the raw bytes, instead of with
// Tokenizer.TagName, costs no allocation for the many tags that do not
// matter. The name ends where the tokenizer ends it: at whitespace, '/' or
// '>'.
func refTagName(raw []byte, buf *[refMaxTagName]byte) []byte {
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
func refInteresting(name []byte) bool {
	switch string(name) {
	case "a", "area", "link", "img", "source", "script", "iframe", "frame",
		"embed", "video", "audio", "track", "input", "object", "meta", "base",
		"style", "noscript", "noframes",
		"image", "use", "form", "body", "table", "td", "th", "tr":
		return true
	}
	return false
}

// refAttrs holds the attributes of a tag that HTML uses. The slices are only
// valid until the tokenizer moves on.
type refAttrs struct {
	val [preNumAttrs][]byte
	has uint32 // 1<<id for each attribute present, even empty
}

// anyHref returns the href attribute, or SVG's older xlink:href.
func (a *refAttrs) anyHref() (attrID, bool) {
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
// (refNextRawAttr), allocating nothing; else it asks TagAttr.
func (a *refAttrs) read(z *html.Tokenizer, raw []byte) {
	*a = refAttrs{}
	if !refNeedsDecoding(raw) {
		for i := refAttrsStart(raw); ; {
			k, vs, ve, next, ok := refNextRawAttr(raw, i)
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
func (a *refAttrs) set(k, v []byte) (id attrID, ok bool) {
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

// refNeedsDecoding reports whether the attribute values of the raw tag may
// need the tokenizer's decoding: character references, newline
// normalization of "\r", or NUL replacement.
func refNeedsDecoding(raw []byte) bool {
	return bytes.IndexByte(raw, '&') >= 0 || bytes.IndexByte(raw, '\r') >= 0 || bytes.IndexByte(raw, 0) >= 0
}

// refAttrsStart returns the index of the first attribute of the raw start tag
// raw, as the tokenizer's readTagName and readTag find it.
func refAttrsStart(raw []byte) int {
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

// refNextRawAttr splits the attribute at raw[i] off the raw start tag raw,
// which ends with the '>' that closed it, following the tokenizer's
// readTag, readTagAttrKey and readTagAttrVal step for step. It returns the
// key as written (not lowercased), the span raw[vs:ve] of the value without
// quotes, the index of the next attribute, and ok false at the end of the
// tag. Keys may be empty (a stray '/'); set ignores them as the tokenizer
// does. A quoted value has its opening quote at raw[vs-1]; an attribute
// without '=' has vs == ve == i+len(key), the end of its key.
func refNextRawAttr(raw []byte, i int) (key []byte, vs, ve, next int, ok bool) {
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

// refRewriteHTML is RewriteHTML as it was, on the Tokenizer, feeding the
// rewriter of today with what it finds: what the scanner changed is where
// the references are and what their values are, not how they are
// rewritten.
func refRewriteHTML(base *url.URL, body []byte, fn func(Ref) (string, bool)) []byte {
	r := newRewriter(base, body, Options{}, fn)
	z := html.NewTokenizer(bytes.NewReader(body))
	var (
		nameBuf  [refMaxTagName]byte
		found    [maxLinkAttrs]linkAttr
		a        refAttrs
		spans    [preNumAttrs]attrSpan
		all      []attrSpan
		haveBase bool // a <base href> was seen
		inStyle  bool // the previous token was a <style> start tag
		end      int  // body[:end] has been tokenized
	)
	for {
		tt := z.Next()
		// The raw bytes of the tokens partition body. The tokenizer may
		// decode values in place in its buffer, so take them from body.
		start := end
		end += len(z.Raw())
		raw := body[start:end]
		styleText := inStyle
		inStyle = false
		switch tt {
		case html.ErrorToken:
			return r.result()
		case html.TextToken:
			if styleText {
				r.styleText(start, raw, z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name := refTagName(raw, &nameBuf)
			act := refStartTagAction(name, raw)
			switch act {
			case refTagSkip:
				continue
			case refTagStyleText:
				inStyle = true
				continue
			case refTagMarkupText:
				z.NextIsNotRawText()
				continue
			}
			all = refReadAttrs(z, raw, start, &a, &spans, all[:0])
			for _, l := range a.refLinkAttrs(name, act, found[:0]) {
				if l.form == formBase {
					if haveBase {
						continue
					}
					haveBase = true
				}
				r.rewriteAttr(linkRef{linkAttr: l, val: a.val[l.id], span: spans[l.id]}, all)
			}
		}
	}
}

// refReadAttrs is the rewriter's readAttrs as it was: it reads the
// attributes of the current start tag of z, whose raw bytes raw start at
// body[at], into a, and where they are in body into spans; it appends all
// the attributes, as refNextRawAttr splits them, to all. It splits raw
// with refNextRawAttr, which mirrors the tokenizer, and when the tag needs
// decoding takes the decoded values from TagAttr in lockstep.
func refReadAttrs(z *html.Tokenizer, raw []byte, at int, a *refAttrs, spans *[preNumAttrs]attrSpan, all []attrSpan) []attrSpan {
	*a = refAttrs{}
	decode := refNeedsDecoding(raw)
	keys := map[string]bool{}
	for i := refAttrsStart(raw); ; {
		k, vs, ve, next, ok := refNextRawAttr(raw, i)
		if !ok {
			return all
		}
		ks := i
		i = next
		sp := attrSpan{ks: at + ks, ke: at + ks + len(k), vs: at + vs, ve: at + ve}
		all = append(all, sp)
		v := raw[vs:ve]
		if decode {
			if len(k) == 0 {
				continue
			}
			key := string(asciiLower(k))
			if keys[key] {
				continue
			}
			keys[key] = true
			_, v, _ = z.TagAttr()
		}
		if id, ok := a.set(k, v); ok {
			spans[id] = sp
		}
	}
}
