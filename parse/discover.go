package parse

import (
	"net/url"
)

// This file is HTML in ModeAll: a walk over every token of a document,
// which reads the whole link table (ModePage's rows, then the rows of
// allAttrs), the attributes no row names whose values are URLs, event
// handlers, scripts, text, comments, the doctype and processing
// instructions, and reads the HTML of srcdoc attributes, conditional
// comments, script templates and data: URLs as documents of their own.

// maxNesting is how many containers (srcdoc, data: URL, conditional
// comment, template, markup in a script...) are read inside each other:
// deeper ones are skipped, so that a hostile page cannot make the work
// grow beyond a few passes over it.
const maxNesting = 4

// allWalker reads one HTML document in ModeAll.
type allWalker struct {
	c   *collector
	s   *scanner
	a   attrs
	dec []byte // decoded attribute values
	txt []byte // decoded text
	// found is the page table's rows for the current tag.
	found [maxLinkAttrs]linkAttr
	// used has the bit of each attribute of the current tag whose value
	// a row of the table has read: the others may hold URLs all the same.
	used uint64
	// tag is the current start tag's element and name as written.
	tag     tagID
	tagName []byte
	// svg and math count the <svg> and <math> elements open: inside them,
	// href and xlink:href are links on any element.
	svg, math int
	// code counts the code elements open (pre, code, kbd, samp, tt,
	// var, listing): root-relative paths in their text are file paths of
	// examples far more often than links.
	code     int
	haveBase bool
	// script is what the text of the last <script> holds.
	script    scriptKind
	scriptSrc string // its Source.Attr for JSON scripts
}

// htmlAll records the links of the HTML document body in ModeAll. svg
// reads it as an SVG document, inside an <svg> element.
func (c *collector) htmlAll(body []byte, svg bool) {
	w := &allWalker{c: c, s: newScanner(body, 0)}
	w.s.text = true
	if svg {
		w.svg = 1
	}
	for !c.full {
		t := w.s.next()
		switch t.kind {
		case tokEOF:
			return
		case tokText:
			c.setSrc(Source{Kind: SourceText}, nil, nil)
			c.scanTextURLs(decodeAttr(body[t.start:t.end], &w.txt), w.code > 0)
			w.txt = w.txt[:0]
		case tokRawText:
			w.rawText(t)
		case tokComment:
			w.comment(body[t.start:t.end])
		case tokDoctype:
			if id := doctypeSystemID(body[t.start:t.end]); id != nil {
				c.setSrc(Source{Kind: SourceDoctype}, nil, nil)
				c.add(id, Page, false)
			}
		case tokStartTag:
			w.startTag(t)
		case tokEndTag:
			name := body[t.start+2 : t.nameEnd]
			if w.svg > 0 || w.math > 0 {
				switch lookupTagAll(name) {
				case tagSvg:
					w.svg = max(w.svg-1, 0)
				case tagMath:
					w.math = max(w.math-1, 0)
				}
			}
			if w.code > 0 && codeElement(name) {
				w.code--
			}
		}
	}
}

// codeElement reports whether name is the name of an element of code.
func codeElement(name []byte) bool {
	switch len(name) {
	case 2:
		return asciiEqualFold(name, "tt")
	case 3:
		return asciiEqualFold(name, "pre") || asciiEqualFold(name, "kbd") || asciiEqualFold(name, "var")
	case 4:
		return asciiEqualFold(name, "code") || asciiEqualFold(name, "samp")
	case 7:
		return asciiEqualFold(name, "listing")
	}
	return false
}

// setSrc sets the Source of the links that c records next; tag and attr,
// when set, are the element's and attribute's names as written, which
// replace src.Tag and src.Attr, lowercased, in the links recorded.
func (c *collector) setSrc(src Source, tag, attr []byte) {
	c.src, c.srcTag, c.srcAttr = src, tag, attr
}

// startTag reads the attributes of the start tag t.
func (w *allWalker) startTag(t token) {
	c, b := w.c, w.s.b
	w.tag, w.tagName = t.tag, b[t.start+1:t.nameEnd]
	if w.tag == tagOther {
		w.tag = lookupTagAll(w.tagName)
	}
	if w.tag == tagOther && codeElement(w.tagName) && b[t.end-2] != '/' {
		w.code++
	}
	switch w.tag {
	case tagSvg:
		if b[t.end-2] != '/' {
			w.svg++
		}
	case tagMath:
		if b[t.end-2] != '/' {
			w.math++
		}
	}
	w.a.readAll(w.s, &w.dec)
	w.used = 0
	// ModePage's rows, for the elements it knows.
	pageTag := w.tag
	if pageTag >= tagApplet {
		pageTag = tagOther
	}
	for _, l := range w.a.linkAttrs(pageTag, tagLinks, w.found[:0]) {
		w.used |= 1 << l.id
		v := w.a.val[l.id]
		w.setAttrSrc(SourceAttr, attrNames[l.id])
		switch l.form {
		case formURL:
			c.add(v, l.kind, l.nofollow)
		case formSrcset:
			c.addSrcset(v)
		case formCSS:
			w.setAttrSrc(SourceStyle, "style")
			c.scanCSS(v)
		case formRefresh:
			if s, e, ok := refreshSpan(v); ok {
				c.setSrc(Source{Kind: SourceAttr, Tag: "meta", Attr: "refresh"}, nil, nil)
				c.add(v[s:e], Page, false)
			}
		case formBase:
			if !w.haveBase {
				w.haveBase = true
				c.add(v, Page, false) // the base URL is a URL too
				c.setBase(v)
			}
		}
	}
	w.allAttrs()
	w.otherAttrs()
	if w.tag == tagScript {
		w.script, w.scriptSrc = scriptKindOf(w.a.get(attrType), w.a.has&(1<<attrType) != 0)
	}
}

// setAttrSrc makes the attribute attr of the current tag the source of
// the links that c records next.
func (w *allWalker) setAttrSrc(kind SourceKind, attr string) {
	var tag []byte
	if w.tag == tagOther {
		tag = w.tagName
	}
	w.c.setSrc(Source{Kind: kind, Tag: tagNames[w.tag], Attr: attr}, tag, nil)
}

// readAll is read for ModeAll: it knows the attributes of lookupAttrAll.
func (a *attrs) readAll(s *scanner, buf *[]byte) {
	a.has = 0
	*buf = (*buf)[:0]
	for _, sp := range s.attrs {
		id, ok := lookupAttrAll(s.b[sp.ks:sp.ke])
		if !ok || a.has&(1<<id) != 0 {
			continue
		}
		a.has |= 1 << id
		a.val[id] = decodeAttr(s.b[sp.vs:sp.ve], buf)
		a.span[id] = sp
	}
}

// nested runs read, which reads a container of kind (srcdoc, a data: URL,
// a conditional comment...), unless maxNesting containers are already
// being read. The sources of the links found inside take kind as their
// Kind (SourceNone keeps theirs), and the source and base of the links
// after the container are what they were before it.
func (c *collector) nested(kind SourceKind, read func()) {
	if c.depth >= maxNesting {
		return
	}
	src, tag, attr, nest, base := c.src, c.srcTag, c.srcAttr, c.nest, c.base
	c.depth++
	if kind != SourceNone {
		c.nest = kind
	}
	read()
	c.depth--
	c.src, c.srcTag, c.srcAttr, c.nest = src, tag, attr, nest
	if c.base != base {
		c.base = base
		clear(c.raw)
	}
}

// addAt is add for a reference resolved against base instead of the
// current base (nil for it).
func (c *collector) addAt(base *url.URL, ref []byte, kind Kind) {
	if base == nil {
		c.add(ref, kind, false)
		return
	}
	if c.full {
		return
	}
	u, err := c.opts.Normalizer.Resolve(base, string(ref))
	if err != nil {
		c.addOther(ref)
		return
	}
	c.record(u, kind, false)
}

// record records the resolved link u, as add does after resolving.
func (c *collector) record(u *url.URL, kind Kind, nofollow bool) {
	key := keyOf(u)
	if i, ok := c.seen[key]; ok {
		if i >= 0 {
			if c.opts.OnLink != nil {
				c.occurrence(c.dst[i].URL, kind, nofollow)
			}
			c.merge(i, kind, nofollow)
		}
		return
	}
	if len(c.dst)-c.start >= MaxLinks {
		c.full = true
		return
	}
	c.seen[key] = len(c.dst)
	c.dst = append(c.dst, Link{URL: u, Kind: kind, NoFollow: nofollow})
	c.source(&c.dst[len(c.dst)-1].Source)
	if c.opts.OnLink != nil {
		c.occurrence(u, kind, nofollow)
	}
}

// addOther reads, in ModeAll, a reference that is not an http(s) URL:
// the payload of a data: URL, the script of a javascript: URL.
func (c *collector) addOther(ref []byte) {
	r := trimControl(ref)
	switch {
	case hasPrefixFold(r, "data:"):
		c.dataURL(r[len("data:"):])
	case hasPrefixFold(r, "javascript:"):
		code := percentDecode(r[len("javascript:"):])
		c.nested(SourceNone, func() {
			c.setSrc(Source{Kind: SourceJS}, nil, nil)
			c.scanJS(code)
		})
	}
}
