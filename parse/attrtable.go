package parse

// This file holds the attribute half of the link table: the attribute
// names the scanner knows, and the attributes of one start tag.

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

	// The attributes below are only read in ModeAll, through
	// lookupAttrAll.
	attrPing
	attrLongdesc
	attrLowsrc
	attrDynsrc
	attrCodebase
	attrArchive
	attrClassid
	attrCode
	attrValue
	attrValuetype
	attrName
	attrProperty
	attrItemprop
	attrCite
	attrFormaction
	attrManifest
	attrProfile
	attrIcon
	attrSrcdoc
	attrImagesrcset
	attrPluginspage
	attrHxGet // hx-get and data-hx-get (htmx)
	attrHxPost
	attrHxPut
	attrHxPatch
	attrHxDelete
	numAttrs
)

// attrNames are the names of the attributes, by attrID, as a Source
// gives them.
var attrNames = [numAttrs]string{
	attrHref: "href", attrSrc: "src", attrSrcset: "srcset", attrPoster: "poster",
	attrData: "data", attrRel: "rel", attrType: "type", attrEquiv: "http-equiv",
	attrContent: "content", attrStyle: "style", attrXlinkHref: "xlink:href",
	attrBackground: "background", attrDataSrc: "data-src", attrDataSrcset: "data-srcset",
	attrAction: "action", attrMethod: "method",
	attrPing: "ping", attrLongdesc: "longdesc", attrLowsrc: "lowsrc", attrDynsrc: "dynsrc",
	attrCodebase: "codebase", attrArchive: "archive", attrClassid: "classid", attrCode: "code",
	attrValue: "value", attrValuetype: "valuetype", attrName: "name", attrProperty: "property",
	attrItemprop: "itemprop", attrCite: "cite", attrFormaction: "formaction",
	attrManifest: "manifest", attrProfile: "profile", attrIcon: "icon", attrSrcdoc: "srcdoc",
	attrImagesrcset: "imagesrcset", attrPluginspage: "pluginspage",
	attrHxGet: "hx-get", attrHxPost: "hx-post", attrHxPut: "hx-put", attrHxPatch: "hx-patch",
	attrHxDelete: "hx-delete",
}

// lookupAttrAll is lookupAttr for ModeAll: it also knows the attributes
// after attrMethod.
func lookupAttrAll(key []byte) (id attrID, ok bool) {
	if id, ok := lookupAttr(key); ok {
		return id, true
	}
	const maxName = len("data-hx-delete")
	if len(key) > maxName {
		return 0, false
	}
	var buf [maxName]byte
	for i, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	n := buf[:len(key)]
	if hasPrefixFold(n, "data-hx-") {
		n = n[len("data-"):]
	}
	for id := attrPing; id < numAttrs; id++ {
		if attrNames[id] == string(n) {
			return id, true
		}
	}
	return 0, false
}

// maxAttrName is the length of the longest name lookupAttr knows.
const maxAttrName = len("data-lazy-src")

// lookupAttr returns the attrID of the attribute key (in any case), with
// ok false when HTML does not read it. It does not allocate.
func lookupAttr(key []byte) (id attrID, ok bool) {
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

// attrs holds the attributes of a start tag that HTML reads: their values
// decoded as the tokenizer decodes them, and where they are. val and span
// are only meaningful for the attributes in has; get reads the others as
// empty. (They are not cleared between tags: clearing pointers costs
// write barriers on every tag.)
type attrs struct {
	val  [numAttrs][]byte
	span [numAttrs]attrSpan
	has  uint64 // 1<<id for each attribute present, even empty
}

// get returns the value of the attribute id, or nil if it is not there.
func (a *attrs) get(id attrID) []byte {
	if a.has&(1<<id) == 0 {
		return nil
	}
	return a.val[id]
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

// read sets a to the attributes of the start tag whose attributes the
// scanner s has just read, decoding their values into *buf when they need
// it. The first of duplicate attributes wins, as in the tokenizer. The
// values are valid until the next call with the same buf.
func (a *attrs) read(s *scanner, buf *[]byte) {
	a.has = 0
	*buf = (*buf)[:0]
	for _, sp := range s.attrs {
		id, ok := lookupAttr(s.b[sp.ks:sp.ke])
		if !ok || a.has&(1<<id) != 0 {
			continue
		}
		a.has |= 1 << id
		a.val[id] = decodeAttr(s.b[sp.vs:sp.ve], buf)
		a.span[id] = sp
	}
}
