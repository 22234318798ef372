package parse

import "bytes"

// This file is the link table: which attribute of which element holds
// links, and of what kind. HTML and RewriteHTML read it through
// linkScanner, so that they cannot disagree. To read a new attribute, add
// an attrID and its names in lookupAttr, then its row in linkAttrs; a new
// element needs a tagID and its name in tagNames.

// tagID names an element that the scanner or the link table knows.
type tagID uint8

const (
	tagNone  tagID = iota // no element
	tagOther              // an element not named below
	tagA
	tagArea
	tagAudio
	tagBase
	tagBody
	tagEmbed
	tagForm
	tagFrame
	tagIframe
	tagImage
	tagImg
	tagInput
	tagLink
	tagMeta
	tagNoembed
	tagNoframes
	tagNoscript
	tagObject
	tagPlaintext
	tagScript
	tagSource
	tagStyle
	tagTable
	tagTd
	tagTextarea
	tagTh
	tagTitle
	tagTr
	tagTrack
	tagUse
	tagVideo
	tagXmp

	// The elements below are only known in ModeAll, through lookupTagAll:
	// the scanner and ModePage see them as tagOther.
	tagApplet
	tagBgsound
	tagBlockquote
	tagButton
	tagCommand
	tagDel
	tagHead
	tagHTML
	tagIlayer
	tagIns
	tagIsindex
	tagLayer
	tagMath
	tagMenuitem
	tagParam
	tagPortal
	tagQ
	tagSvg
	numTags
)

// tagNames are the lowercase names of the elements, by tagID.
var tagNames = [numTags]string{
	tagA: "a", tagArea: "area", tagAudio: "audio", tagBase: "base", tagBody: "body",
	tagEmbed: "embed", tagForm: "form", tagFrame: "frame", tagIframe: "iframe",
	tagImage: "image", tagImg: "img", tagInput: "input", tagLink: "link",
	tagMeta: "meta", tagNoembed: "noembed", tagNoframes: "noframes",
	tagNoscript: "noscript", tagObject: "object", tagPlaintext: "plaintext",
	tagScript: "script", tagSource: "source", tagStyle: "style", tagTable: "table",
	tagTd: "td", tagTextarea: "textarea", tagTh: "th", tagTitle: "title", tagTr: "tr",
	tagTrack: "track", tagUse: "use", tagVideo: "video", tagXmp: "xmp",
	tagApplet: "applet", tagBgsound: "bgsound", tagBlockquote: "blockquote",
	tagButton: "button", tagCommand: "command", tagDel: "del", tagHead: "head",
	tagHTML: "html", tagIlayer: "ilayer", tagIns: "ins", tagIsindex: "isindex",
	tagLayer: "layer", tagMath: "math", tagMenuitem: "menuitem", tagParam: "param",
	tagPortal: "portal", tagQ: "q", tagSvg: "svg",
}

// lookupTagAll returns the tagID of the tag name (in any case) among the
// elements only ModeAll knows, or tagOther.
func lookupTagAll(name []byte) tagID {
	const maxName = len("blockquote")
	if len(name) > maxName {
		return tagOther
	}
	var buf [maxName]byte
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	n := string(buf[:len(name)])
	for id := tagApplet; id < numTags; id++ {
		if tagNames[id] == n {
			return id
		}
	}
	return tagOther
}

// maxTagName is the length of the longest name in tagNames.
const maxTagName = len("plaintext")

// lookupTag returns the tagID of the tag name (in any case), or tagOther.
// It does not allocate.
func lookupTag(name []byte) tagID {
	if len(name) > maxTagName {
		return tagOther
	}
	var buf [maxTagName]byte
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(name)]) {
	case "a":
		return tagA
	case "area":
		return tagArea
	case "audio":
		return tagAudio
	case "base":
		return tagBase
	case "body":
		return tagBody
	case "embed":
		return tagEmbed
	case "form":
		return tagForm
	case "frame":
		return tagFrame
	case "iframe":
		return tagIframe
	case "image":
		return tagImage
	case "img":
		return tagImg
	case "input":
		return tagInput
	case "link":
		return tagLink
	case "meta":
		return tagMeta
	case "noembed":
		return tagNoembed
	case "noframes":
		return tagNoframes
	case "noscript":
		return tagNoscript
	case "object":
		return tagObject
	case "plaintext":
		return tagPlaintext
	case "script":
		return tagScript
	case "source":
		return tagSource
	case "style":
		return tagStyle
	case "table":
		return tagTable
	case "td":
		return tagTd
	case "textarea":
		return tagTextarea
	case "th":
		return tagTh
	case "title":
		return tagTitle
	case "tr":
		return tagTr
	case "track":
		return tagTrack
	case "use":
		return tagUse
	case "video":
		return tagVideo
	case "xmp":
		return tagXmp
	}
	return tagOther
}

// rawTextTag reports whether the text of the element tag is raw text,
// read up to its end tag without looking for markup. <noscript> and
// <noframes> are not: HTML reads their contents as markup.
func rawTextTag(tag tagID) bool {
	switch tag {
	case tagIframe, tagNoembed, tagPlaintext, tagScript, tagStyle, tagTextarea, tagTitle, tagXmp:
		return true
	}
	return false
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
)

// startTagAction tells what HTML does with the start tag t of s.
func startTagAction(s *scanner, t token) tagAction {
	switch t.tag {
	case tagStyle, tagNoscript, tagNoframes:
		// The text of <style> is CSS; the contents of the other two are
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

// valueForm is how an attribute value holds its links.
type valueForm uint8

const (
	formURL     valueForm = iota // the value is one URL
	formSrcset                   // a srcset: URLs and descriptors
	formRefresh                  // a meta refresh content: "5; url=..."
	formCSS                      // a style attribute or element: CSS
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
// order HTML reports their links, for the element tag on which
// startTagAction said act (tagStyleAttr or tagLinks).
func (a *attrs) linkAttrs(tag tagID, act tagAction, dst []linkAttr) []linkAttr {
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
	switch tag {
	case tagA, tagArea:
		if id, ok := a.anyHref(); ok {
			dst = append(dst, linkAttr{id: id, form: formURL, kind: Page, nofollow: relHas(a.get(attrRel), "nofollow")})
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
