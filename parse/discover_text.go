package parse

import "bytes"

// This file holds what ModeAll reads outside attributes: the raw text of
// scripts and templates, comments and conditional comments, processing
// instructions and DOCTYPE system identifiers.

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
