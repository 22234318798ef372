package parse

import (
	"bytes"
	"net/url"
)

// This file holds the rows of the link table that only ModeAll reads:
// the attributes of the HTML standard and of legacy elements that hold
// URLs, meta contents, and the attributes any element may carry.

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
