package parse

import (
	"bytes"
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

// url records the attribute id of the current tag, if it has it, as one
// URL of the given kind.
func (w *allWalker) url(id attrID, kind Kind) {
	if w.a.has&(1<<id) == 0 || w.used&(1<<id) != 0 {
		return
	}
	w.used |= 1 << id
	w.setAttrSrc(SourceAttr, attrNames[id])
	w.c.add(w.a.val[id], kind, false)
}

// list records the attribute id of the current tag, if it has it, as a
// list of URLs separated by whitespace, or by commas with comma set,
// resolved against base (nil for the document's).
func (w *allWalker) list(id attrID, kind Kind, comma bool, base *url.URL) {
	if w.a.has&(1<<id) == 0 || w.used&(1<<id) != 0 {
		return
	}
	w.used |= 1 << id
	w.setAttrSrc(SourceAttr, attrNames[id])
	v := w.a.val[id]
	for i := 0; i < len(v); {
		for i < len(v) && (isSpace(v[i]) || comma && v[i] == ',') {
			i++
		}
		start := i
		for i < len(v) && !isSpace(v[i]) && !(comma && v[i] == ',') {
			i++
		}
		if start < i {
			w.c.addAt(base, v[start:i], kind)
		}
	}
}

// codebase returns the URL that the codebase attribute of an <object> or
// <applet> names, the base of its classid, code, archive and data; nil
// without one. A codebase is a folder: "classes" is "classes/".
func (w *allWalker) codebase() *url.URL {
	v := trimSpace(w.a.get(attrCodebase))
	if len(v) == 0 {
		return nil
	}
	ref := string(v)
	if ref[len(ref)-1] != '/' {
		ref += "/"
	}
	u, err := w.c.opts.Normalizer.Resolve(w.c.base, ref)
	if err != nil {
		return nil
	}
	return u
}

// allAttrs reads the rows of the link table that only ModeAll reads: the
// URL-valued attributes of the HTML standard's attributes index and of
// its obsolete features (§16), and those of the legacy elements browsers
// still parse or once fetched. The comment of each row names its source.
// Kind is Requisite for what a browser loads with the page, Page for the
// rest. A POST form's action is a link like a GET form's: it is requested
// with GET, without its fields.
func (w *allWalker) allAttrs() {
	a := &w.a
	switch w.tag {
	case tagA, tagArea:
		w.list(attrPing, Page, false, nil) // HTML: a ping, area ping: URLs to POST to on a click
	case tagBlockquote, tagQ, tagDel, tagIns:
		w.url(attrCite, Page) // HTML: blockquote, q, del, ins cite
	case tagButton:
		w.url(attrFormaction, Page) // HTML: button formaction
	case tagInput:
		w.url(attrFormaction, Page)  // HTML: input formaction
		w.url(attrSrc, Requisite)    // HTML: input src, fetched for type=image only
		w.url(attrDynsrc, Requisite) // Internet Explorer: input dynsrc (video)
		w.url(attrLowsrc, Requisite) // Netscape: input lowsrc
	case tagForm:
		w.url(attrAction, Page) // HTML: form action, with method=post (GET forms are ModePage's)
	case tagLink:
		w.url(attrHref, Page)     // HTML: link href with rel=preconnect or dns-prefetch: an origin
		w.srcset(attrImagesrcset) // HTML: link imagesrcset (rel=preload as=image)
	case tagImg:
		w.url(attrLongdesc, Page)    // HTML §16 obsolete: img longdesc
		w.url(attrLowsrc, Requisite) // HTML §16 obsolete (Netscape): img lowsrc
		w.url(attrDynsrc, Requisite) // Internet Explorer: img dynsrc (video)
	case tagIframe:
		w.url(attrLongdesc, Page) // HTML §16 obsolete: iframe longdesc
		w.srcdoc()                // HTML: iframe srcdoc, a document of its own
	case tagFrame:
		w.url(attrLongdesc, Page) // HTML §16 obsolete: frame longdesc
	case tagObject:
		cb := w.codebase()
		w.url(attrCodebase, Page)                  // HTML §16 obsolete: object codebase, the base of classid, data, archive
		w.list(attrClassid, Requisite, false, cb)  // HTML §16 obsolete: object classid when a URL (not clsid:, java:)
		w.list(attrArchive, Requisite, false, cb)  // HTML §16 obsolete: object archive, space-separated URLs
		if cb != nil && a.has&(1<<attrData) != 0 { // object data, against codebase as HTML 4 reads it
			w.setAttrSrc(SourceAttr, "data")
			w.c.addAt(cb, trimSpace(a.val[attrData]), Requisite)
		}
	case tagApplet:
		cb := w.codebase()
		w.url(attrCodebase, Page)                // HTML §16 obsolete: applet codebase, the base of code and archive
		w.list(attrCode, Requisite, false, cb)   // HTML §16 obsolete: applet code
		w.list(attrArchive, Requisite, true, cb) // HTML §16 obsolete: applet archive, comma-separated URLs
	case tagParam:
		// HTML 4: param value with valuetype=ref is a URL; so is it
		// for the names plugins read as URLs (Flash movie...).
		if asciiEqualFold(trimSpace(a.get(attrValuetype)), "ref") || paramURLName(trimSpace(a.get(attrName))) {
			w.url(attrValue, Requisite)
		}
	case tagHTML:
		w.url(attrManifest, Requisite) // HTML §16 obsolete: html manifest (application cache)
	case tagHead:
		w.list(attrProfile, Page, false, nil) // HTML 4, §16 obsolete: head profile, space-separated URLs
	case tagIsindex:
		w.url(attrAction, Page) // HTML 2 and browsers of its time: isindex action
	case tagCommand, tagMenuitem:
		w.url(attrIcon, Requisite) // HTML 5 drafts: command icon, menuitem icon
	case tagEmbed:
		w.url(attrPluginspage, Page) // Netscape: embed pluginspage, where to get the plugin
	case tagBgsound, tagLayer, tagIlayer, tagPortal:
		w.url(attrSrc, Requisite) // Internet Explorer bgsound, Netscape layer and ilayer, Chromium portal src
	case tagMeta:
		w.meta()
	}
	if w.tag == tagLayer || w.tag == tagIlayer {
		w.url(attrBackground, Requisite) // Netscape: layer, ilayer background
	}
	// htmx: hx-get, hx-post, hx-put, hx-patch, hx-delete, with or without
	// "data-", on any element.
	for id := attrHxGet; id <= attrHxDelete; id++ {
		w.url(id, Page)
	}
	// SVG 2 and MathML Core: href and SVG 1's xlink:href are links on
	// any element; ModePage reads them on a, area, image and use.
	if w.svg > 0 || w.math > 0 {
		switch w.tag {
		case tagA, tagArea, tagImage, tagUse:
		default:
			kind := Requisite // script, feImage, pattern, textPath...
			if w.svg == 0 {
				kind = Page // a MathML href is a hyperlink
			}
			if id, ok := a.anyHref(); ok {
				w.url(id, kind)
			}
		}
	}
}

// srcset records the attribute id of the current tag as a srcset.
func (w *allWalker) srcset(id attrID) {
	if w.a.has&(1<<id) == 0 || w.used&(1<<id) != 0 {
		return
	}
	w.used |= 1 << id
	w.setAttrSrc(SourceAttr, attrNames[id])
	w.c.addSrcset(w.a.val[id])
}

// srcdoc reads the srcdoc attribute of an <iframe> as a document, whose
// links resolve against the base of the document it is in, as browsers
// resolve those of about:srcdoc.
func (w *allWalker) srcdoc() {
	if w.a.has&(1<<attrSrcdoc) == 0 {
		return
	}
	w.used |= 1 << attrSrcdoc
	v := w.a.val[attrSrcdoc]
	w.c.nested(SourceSrcdoc, func() { w.c.htmlAll(v, false) })
}

// paramURLName reports whether a <param name> is one that plugins read
// as a URL.
func paramURLName(name []byte) bool {
	for _, n := range []string{"movie", "src", "url", "filename", "file", "data", "code", "codebase", "archive", "href", "source", "base", "sound", "video"} {
		if asciiEqualFold(name, n) {
			return true
		}
	}
	return false
}

// metaURLNames are the names (name, property or itemprop) of the <meta>
// elements whose content is a URL: Open Graph (ogp.me), Twitter cards,
// Microsoft's pinned sites and tiles, and schema.org microdata.
var metaURLNames = []string{
	"og:url", "og:image", "og:image:url", "og:image:secure_url",
	"og:video", "og:video:url", "og:video:secure_url",
	"og:audio", "og:audio:url", "og:audio:secure_url",
	"twitter:image", "twitter:image:src", "twitter:player", "twitter:player:stream", "twitter:url",
	"msapplication-config", "msapplication-tileimage", "msapplication-starturl",
	"msapplication-square70x70logo", "msapplication-square150x150logo",
	"msapplication-wide310x150logo", "msapplication-square310x310logo",
	"thumbnail", "image", "url", "logo", "thumbnailurl", "contenturl", "embedurl",
}

// meta reads the content of a <meta> whose name says it holds URLs.
func (w *allWalker) meta() {
	a, c := &w.a, w.c
	if a.has&(1<<attrContent) == 0 {
		return
	}
	content := a.val[attrContent]
	if a.has&(1<<attrEquiv) != 0 {
		equiv := trimSpace(a.val[attrEquiv])
		switch {
		case asciiEqualFold(equiv, "content-security-policy"), asciiEqualFold(equiv, "content-security-policy-report-only"):
			w.used |= 1 << attrContent
			c.setSrc(Source{Kind: SourceAttr, Tag: "meta", Attr: "content-security-policy"}, nil, nil)
			c.addCSPReports(content)
		case asciiEqualFold(equiv, "link"):
			w.used |= 1 << attrContent
			c.setSrc(Source{Kind: SourceAttr, Tag: "meta", Attr: "link"}, nil, nil)
			for _, l := range splitLinkHeader(string(content)) {
				kind, _ := linkKind([]byte(l.rel))
				c.add([]byte(l.ref), kind, false)
			}
		}
		return
	}
	for _, id := range []attrID{attrName, attrProperty, attrItemprop} {
		name := trimSpace(a.get(id))
		if len(name) == 0 {
			continue
		}
		if asciiEqualFold(name, "msapplication-badge") || asciiEqualFold(name, "msapplication-notification") {
			// "frequency=30; polling-uri=https://...; polling-uri2=..."
			w.used |= 1 << attrContent
			c.setSrc(Source{Kind: SourceAttr, Tag: "meta", Attr: lowerString(name)}, nil, nil)
			for _, p := range bytes.Split(content, []byte(";")) {
				k, v, ok := bytes.Cut(p, []byte("="))
				if ok && hasPrefixFold(trimSpace(k), "polling-uri") {
					c.add(trimSpace(v), Page, false)
				}
			}
			return
		}
		for _, n := range metaURLNames {
			if asciiEqualFold(name, n) {
				w.used |= 1 << attrContent
				c.setSrc(Source{Kind: SourceAttr, Tag: "meta", Attr: n}, nil, nil)
				c.add(content, Page, false)
				return
			}
		}
	}
}

// addCSPReports records the report-uri URLs of a Content-Security-Policy.
func (c *collector) addCSPReports(policy []byte) {
	for _, d := range bytes.Split(policy, []byte(";")) {
		f := bytes.Fields(d)
		if len(f) > 1 && asciiEqualFold(f[0], "report-uri") {
			for _, u := range f[1:] {
				c.add(u, Page, false)
			}
		}
	}
}

// otherAttrs reads the attributes of the current tag that no row of the
// table read: event handlers are JavaScript, url() in an SVG or MathML
// presentation attribute (fill="url(#g)") is CSS, and any other value
// that is an absolute http(s) URL, a root-relative path or a ./ or ../
// path is a link (data-href, hx-*, custom elements' attributes...).
func (w *allWalker) otherAttrs() {
	s, c := w.s, w.c
	var seen map[string]bool // the names of many attributes, lowercased
	if len(s.attrs) > 16 {
		seen = make(map[string]bool, len(s.attrs))
	}
	for k, sp := range s.attrs {
		key := s.b[sp.ks:sp.ke]
		if len(key) == 0 {
			continue
		}
		if id, ok := lookupAttrAll(key); ok {
			if w.used&(1<<id) != 0 || w.a.span[id] != sp || id == attrStyle {
				continue // read by a row, or a duplicate
			}
		} else if seen != nil {
			name := lowerString(key)
			if seen[name] {
				continue
			}
			seen[name] = true
		} else if dupAttr(s, k) {
			continue
		}
		if skipAttr(key) {
			continue
		}
		v := decodeAttr(s.b[sp.vs:sp.ve], &w.dec)
		var tag []byte
		if w.tag == tagOther {
			tag = w.tagName
		}
		switch {
		case len(key) > 2 && hasPrefixFold(key, "on"):
			c.setSrc(Source{Kind: SourceJS}, nil, nil)
			c.scanJS(v)
		case (w.svg > 0 || w.math > 0) && bytes.Contains(v, []byte("url(")):
			c.setSrc(Source{Kind: SourceAttr, Tag: tagNames[w.tag]}, tag, key)
			c.scanCSS(v)
		case looksLikeURL(trimSpace(v)):
			c.setSrc(Source{Kind: SourceAttr, Tag: tagNames[w.tag]}, tag, key)
			c.add(v, Page, false)
		}
	}
}

// dupAttr reports whether an attribute before s.attrs[k] has its name.
// It compares with each: otherAttrs uses a map for tags of many
// attributes.
func dupAttr(s *scanner, k int) bool {
	key := s.b[s.attrs[k].ks:s.attrs[k].ke]
	for _, sp := range s.attrs[:k] {
		if bytes.EqualFold(s.b[sp.ks:sp.ke], key) {
			return true
		}
	}
	return false
}

// skipAttr reports whether the attribute key holds identifiers that are
// URLs but are never fetched: XML namespaces and microdata vocabularies.
func skipAttr(key []byte) bool {
	return hasPrefixFold(key, "xmlns") || asciiEqualFold(key, "itemtype") || asciiEqualFold(key, "itemid") ||
		asciiEqualFold(key, "pattern")
}

// scriptKind is what the text of a <script> holds, by its type.
type scriptKind uint8

const (
	scriptJS     scriptKind = iota // JavaScript, classic or module
	scriptJSON                     // JSON: import maps, speculation rules, JSON-LD...
	scriptMarkup                   // an HTML template
	scriptOther                    // anything else: not read
)

// scriptKindOf returns what a <script> of the type typ holds (has is
// false without a type attribute), and for JSON the Source.Attr of its
// URLs.
func scriptKindOf(typ []byte, has bool) (scriptKind, string) {
	t := trimSpace(typ)
	if i := bytes.IndexByte(t, ';'); i >= 0 {
		t = trimSpace(t[:i])
	}
	switch {
	case !has || len(t) == 0 || asciiEqualFold(t, "module"):
		return scriptJS, ""
	case asciiEqualFold(t, "importmap"):
		return scriptJSON, "importmap"
	case asciiEqualFold(t, "speculationrules"):
		return scriptJSON, "speculationrules"
	case asciiEqualFold(t, "application/json"), asciiEqualFold(t, "application/ld+json"), hasSuffixFold(t, "+json"):
		return scriptJSON, "json"
	}
	for _, js := range []string{"text/javascript", "application/javascript", "application/x-javascript",
		"text/ecmascript", "application/ecmascript", "text/jscript", "text/livescript", "text/x-javascript", "text/babel", "text/jsx"} {
		if hasPrefixFold(t, js) {
			return scriptJS, ""
		}
	}
	lower := lowerString(t)
	for _, m := range []string{"template", "html", "tmpl", "handlebars", "mustache", "jsrender", "underscore"} {
		if bytes.Contains([]byte(lower), []byte(m)) {
			return scriptMarkup, ""
		}
	}
	return scriptOther, ""
}

func hasSuffixFold(b []byte, s string) bool {
	return len(b) >= len(s) && asciiEqualFold(b[len(b)-len(s):], s)
}

// rawText reads the text of a raw text element.
func (w *allWalker) rawText(t token) {
	c := w.c
	raw := w.s.b[t.start:t.end]
	switch t.tag {
	case tagStyle:
		c.setSrc(Source{Kind: SourceStyle, Tag: "style"}, nil, nil)
		c.scanCSS(rawTextOf(raw, &w.txt))
	case tagScript:
		switch w.script {
		case scriptJS:
			c.setSrc(Source{Kind: SourceJS}, nil, nil)
			c.scanJS(raw)
		case scriptJSON:
			c.setSrc(Source{Kind: SourceJS}, nil, nil)
			c.scanJSON(raw, w.scriptSrc)
		case scriptMarkup:
			c.nested(SourceTemplate, func() { c.htmlAll(raw, false) })
		}
	case tagTextarea, tagTitle:
		c.setSrc(Source{Kind: SourceText, Tag: tagNames[t.tag]}, nil, nil)
		c.textURLs(decodeAttr(raw, &w.txt))
	case tagXmp, tagNoembed, tagPlaintext:
		c.setSrc(Source{Kind: SourceText, Tag: tagNames[t.tag]}, nil, nil)
		c.textURLs(raw)
	}
	w.txt = w.txt[:0]
}

// comment reads a comment token b: a conditional comment's markup as
// HTML, an <?xml-stylesheet?> processing instruction's href, and the
// URLs written in the text of the others.
func (w *allWalker) comment(b []byte) {
	c := w.c
	var text []byte
	switch {
	case bytes.HasPrefix(b, []byte("<!--")):
		text = b[4:]
		for _, end := range []string{"-->", "--!>"} {
			if bytes.HasSuffix(text, []byte(end)) {
				text = text[:len(text)-len(end)]
				break
			}
		}
	case bytes.HasPrefix(b, []byte("<?")):
		text = bytes.TrimSuffix(b[2:], []byte(">"))
		if href := xmlStylesheetHref(text); href != nil {
			c.setSrc(Source{Kind: SourcePI, Attr: "xml-stylesheet"}, nil, nil)
			c.add(href, Requisite, false)
			return
		}
	default:
		text = bytes.TrimSuffix(b[2:], []byte(">"))
	}
	// <!--[if IE 8]> markup <![endif]-->: Internet Explorer reads the
	// markup; so does a crawler looking for every link.
	if hasPrefixFold(text, "[if") {
		if i := bytes.Index(text, []byte("]>")); i >= 0 {
			inner := text[i+2:]
			if j := bytes.LastIndex(inner, []byte("<![endif]")); j >= 0 {
				inner = inner[:j]
			}
			if len(trimSpace(inner)) > 0 {
				c.nested(SourceComment, func() { c.htmlAll(inner, w.svg > 0) })
				return
			}
		}
	}
	c.setSrc(Source{Kind: SourceComment}, nil, nil)
	c.textURLs(text)
}

// xmlStylesheetHref returns the href pseudo-attribute of the processing
// instruction whose text, between "<?" and ">", is pi, if it is an
// xml-stylesheet one.
func xmlStylesheetHref(pi []byte) []byte {
	const target = "xml-stylesheet"
	if !hasPrefixFold(pi, target) || len(pi) == len(target) || !isSpace(pi[len(target)]) {
		return nil
	}
	rest := pi[len(target):]
	for {
		i := bytes.Index(rest, []byte("href"))
		if i < 0 {
			return nil
		}
		if i > 0 && !isSpace(rest[i-1]) {
			rest = rest[i+4:]
			continue
		}
		j := i + 4
		for j < len(rest) && isSpace(rest[j]) {
			j++
		}
		if j == len(rest) || rest[j] != '=' {
			rest = rest[i+4:]
			continue
		}
		j++
		for j < len(rest) && isSpace(rest[j]) {
			j++
		}
		if j == len(rest) || rest[j] != '"' && rest[j] != '\'' {
			return nil
		}
		q := rest[j]
		end := bytes.IndexByte(rest[j+1:], q)
		if end < 0 {
			return nil
		}
		return rest[j+1 : j+1+end]
	}
}

// doctypeSystemID returns the system identifier of the doctype token b
// ("<!DOCTYPE html SYSTEM "about:legacy-compat">", or the second string
// after PUBLIC), or nil.
func doctypeSystemID(b []byte) []byte {
	i := len("<!doctype")
	skip := func() {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
	}
	quoted := func() []byte {
		skip()
		if i == len(b) || b[i] != '"' && b[i] != '\'' {
			return nil
		}
		q := b[i]
		end := bytes.IndexByte(b[i+1:], q)
		if end < 0 {
			return nil
		}
		s := b[i+1 : i+1+end]
		i += end + 2
		return s
	}
	skip()
	for i < len(b) && !isSpace(b[i]) && b[i] != '>' {
		i++ // the name
	}
	skip()
	switch {
	case hasPrefixFold(b[i:], "public"):
		i += len("public")
		if quoted() == nil {
			return nil
		}
	case hasPrefixFold(b[i:], "system"):
		i += len("system")
	default:
		return nil
	}
	return quoted()
}

// rawTextOf returns the raw text raw as the tokenizer's Text gives it:
// "\r\n" and "\r" become "\n", and NUL becomes U+FFFD. It returns raw
// itself when nothing changes, else the text in *buf.
func rawTextOf(raw []byte, buf *[]byte) []byte {
	i := 0
	for i < len(raw) && raw[i] != '\r' && raw[i] != 0 {
		i++
	}
	if i == len(raw) {
		return raw
	}
	out := append((*buf)[:0], raw[:i]...)
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
	*buf = out
	return out
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
