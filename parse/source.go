package parse

import "strconv"

// SourceKind is the kind of place a link was found in.
type SourceKind uint8

const (
	// SourceNone is the zero value: a link whose source is not known.
	SourceNone SourceKind = iota
	// SourceAttr is an attribute of an element: Tag and Attr name them
	// ("img", "srcset"), Attr being the name of the meta for a <meta>
	// content ("og:image", "refresh").
	SourceAttr
	// SourceStyle is CSS in HTML: a <style> element (Tag "style") or a
	// style attribute (Tag the element, Attr "style").
	SourceStyle
	// SourceHeader is a response header: Attr is its name ("Link").
	SourceHeader
	// SourceCSS is a stylesheet: Attr is the construct ("url",
	// "import", "image-set", "sourcemap").
	SourceCSS
	// SourceJS is JavaScript (a script, an inline <script>, an event
	// handler, a javascript: URL): Attr is the call or assignment the
	// URL is an argument of (see [JS]), or "string".
	SourceJS
	// SourceText is the text of a page: Tag is the raw text element
	// (textarea, title...), or empty for the text between tags.
	SourceText
	// SourceComment is an HTML comment: the text of a comment (Tag and
	// Attr empty), or the markup of a conditional comment (Tag and Attr
	// the element and attribute inside it).
	SourceComment
	// SourceDoctype is the system identifier of a <!DOCTYPE>.
	SourceDoctype
	// SourceSrcdoc is the HTML of an iframe srcdoc attribute: Tag and
	// Attr are the element and attribute inside it.
	SourceSrcdoc
	// SourceDataURL is the SVG, HTML, CSS or JavaScript payload of a data:
	// URL: Tag and Attr are as for the payload's own links.
	SourceDataURL
	// SourceTemplate is the markup of a client-side template, a <script>
	// of an HTML template type (text/template, text/x-handlebars-template...):
	// Tag and Attr are the element and attribute inside it.
	SourceTemplate
	// SourcePI is an XML processing instruction (<?xml-stylesheet
	// href=...?>): Attr is its target.
	SourcePI
	// SourceSitemap is a sitemap. This package does not find such links;
	// it names the kind for callers that record where links came from.
	SourceSitemap
	// SourceRobots is a robots.txt (Sitemap, Allow and Disallow lines).
	// This package does not find such links either.
	SourceRobots
	numSourceKinds
)

var sourceKindNames = [numSourceKinds]string{
	SourceNone: "", SourceAttr: "attr", SourceStyle: "style", SourceHeader: "header",
	SourceCSS: "css", SourceJS: "js", SourceText: "text", SourceComment: "comment",
	SourceDoctype: "doctype", SourceSrcdoc: "srcdoc", SourceDataURL: "data",
	SourceTemplate: "template", SourcePI: "pi", SourceSitemap: "sitemap", SourceRobots: "robots",
}

// String returns the name of the kind: "attr", "style", "header", "css",
// "js", "text", "comment", "doctype", "srcdoc", "data", "template", "pi",
// "sitemap", "robots", or "" for SourceNone.
func (k SourceKind) String() string {
	if k < numSourceKinds {
		return sourceKindNames[k]
	}
	return "SourceKind(" + strconv.Itoa(int(k)) + ")"
}

// Source is where a link was found in a document or a response.
type Source struct {
	Kind SourceKind
	// Tag and Attr say where in the source: see each SourceKind. They are
	// lowercase, except header names, which are canonical ("Link").
	Tag, Attr string
}

// String returns the source as one stable token, as links.jsonl stores
// it: "tag@attr" for an attribute ("img@srcset", "meta@og:image"), else
// the kind's name, then ":" and the Tag, "@" and the Attr where they are
// set: "style:style", "style:div@style", "header:Link", "css:url",
// "js:fetch", "text", "text:textarea", "comment", "comment:a@href",
// "srcdoc:img@src", "doctype", "pi:xml-stylesheet". The zero Source is "".
func (s Source) String() string {
	if s.Kind == SourceAttr {
		return s.Tag + "@" + s.Attr
	}
	out := s.Kind.String()
	sep := ":"
	if s.Tag != "" {
		out += sep + s.Tag
		sep = "@"
	}
	if s.Attr != "" {
		out += sep + s.Attr
	}
	return out
}
