package parse

import (
	"bytes"
	"strings"
)

// This file holds the rewriting of attribute values: quotes, character
// references, srcset, meta refresh and <base href>.

// rewriteAttr rewrites the links of the attribute ref of a start tag whose
// attributes, all of them, are at tagAttrs.
func (r *rewriter) rewriteAttr(ref linkRef, tagAttrs []attrSpan) {
	v, sp := ref.val, ref.span
	quote := attrQuote(r.body, sp)
	r.subs = r.subs[:0]
	switch ref.form {
	case formURL:
		if text, ok := r.call(v, ref.kind); ok {
			r.setAttr(sp, text)
		}
		return
	case formBase:
		r.rewriteBase(sp, v, tagAttrs)
		return
	case formSrcset:
		for i := 0; i < len(v); {
			var s, e int
			s, e, i = nextSrcsetURL(v, i)
			if s == e {
				continue
			}
			if text, ok := r.call(v[s:e], Requisite); ok {
				r.subs = append(r.subs, replacement{s, e, srcsetURL(text)})
			}
		}
	case formRefresh:
		s, e, ok := refreshSpan(v)
		if !ok {
			return
		}
		if text, ok := r.call(v[s:e], Page); ok {
			r.subs = append(r.subs, refreshSub(v, s, e, text))
		}
	case formCSS:
		// A CSS string in a double-quoted attribute is single-quoted, so
		// that no &quot; is needed, and the other way round.
		r.cssQuote, r.cssInStyle = '\'', false
		if quote == '\'' {
			r.cssQuote = '"'
		}
		r.css.scanCSS(v)
	}
	if len(r.subs) == 0 {
		return
	}
	var b strings.Builder
	last := 0
	for _, s := range r.subs {
		b.Write(v[last:s.start])
		b.WriteString(s.text)
		last = s.end
	}
	b.Write(v[last:])
	r.setAttr(sp, b.String())
}

// attrQuote returns the quote of the value of the attribute at sp in the
// document b, or 0 when it is unquoted or missing.
func attrQuote(b []byte, sp attrSpan) byte {
	if sp.vs > sp.ke {
		if q := b[sp.vs-1]; q == '"' || q == '\'' {
			return q
		}
	}
	return 0
}

// setAttr replaces the value of the attribute at sp by the text v, encoded
// for an attribute value in the quote it had, or in double quotes.
func (r *rewriter) setAttr(sp attrSpan, v string) {
	switch q := attrQuote(r.body, sp); {
	case q != 0:
		r.edit(sp.vs, sp.ve, string(appendAttr(nil, v, q)))
	case sp.vs == sp.ke: // no value at all: <a href>
		b := append([]byte(`="`), appendAttr(nil, v, '"')...)
		r.edit(sp.ke, sp.ke, string(append(b, '"')))
	default:
		b := appendAttr([]byte{'"'}, v, '"')
		r.edit(sp.vs, sp.ve, string(append(b, '"')))
	}
}

// appendAttr appends s to dst encoded for an attribute value quoted with
// q: only '&' and q need character references. NUL, which the tokenizer
// would read as U+FFFD, is written "%00", as urlnorm would escape it.
func appendAttr(dst []byte, s string, q byte) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0:
			dst = append(dst, "%00"...)
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == q && q == '"':
			dst = append(dst, "&quot;"...)
		case c == q:
			dst = append(dst, "&#39;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// rewriteBase hands the first <base href>, at sp with the value v, to fn,
// and makes it the base of the links after it as HTML does. tagAttrs are
// all the attributes of the <base>.
func (r *rewriter) rewriteBase(sp attrSpan, v []byte, tagAttrs []attrSpan) {
	u, err := r.norm.Resolve(r.base, string(v))
	if err != nil {
		return // HTML ignores it, and so do browsers
	}
	l := Ref{URL: u, Kind: Page, Base: true}
	if t := trimControl(v); bytes.IndexByte(t, '#') >= 0 {
		// The base URL itself has no fragment: give fn a copy with it.
		c := *u
		setFragment(&c, t[bytes.IndexByte(t, '#')+1:])
		l.URL = &c
	}
	text, ok := r.fn(l)
	r.base = u
	r.selfBase = keyOf(u) == r.doc
	switch {
	case !ok:
	case text == "":
		// Remove the attribute with the whitespace before it, and its
		// duplicates, which would take its place.
		for _, a := range tagAttrs {
			if asciiEqualFold(r.body[a.ks:a.ke], "href") {
				r.edit(attrStart(r.body, a.ks), attrEnd(r.body, a), "")
			}
		}
	default:
		r.setAttr(sp, text)
	}
}

// attrStart returns where the whitespace before the attribute whose key
// starts at b[ks] starts.
func attrStart(b []byte, ks int) int {
	for ks > 0 && isTagSpace(b[ks-1]) {
		ks--
	}
	return ks
}

// attrEnd returns the index after the attribute at sp: after its value and
// closing quote, or its key if it has no value.
func attrEnd(b []byte, sp attrSpan) int {
	switch {
	case sp.vs == sp.ke:
		return sp.ke
	case attrQuote(b, sp) != 0:
		return sp.ve + 1 // the closing quote
	}
	return sp.ve
}

// srcsetURL makes text read back as one URL in a srcset, where whitespace
// ends a URL, leading commas are skipped and trailing ones dropped.
func srcsetURL(text string) string {
	var b strings.Builder
	if strings.HasPrefix(text, ",") {
		b.WriteString("./") // a relative path: the same file
	}
	for i := 0; i < len(text); i++ {
		if c := text[i]; isSpace(c) {
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	if strings.HasSuffix(text, ",") && !strings.Contains(text, "#") {
		b.WriteByte('#') // an empty fragment keeps the comma in the URL
	}
	return b.String()
}

const upperHex = "0123456789ABCDEF"

// refreshSub returns the replacement of the URL v[s:e] of the meta
// refresh content v by text: the URL and its quotes, if it had them, are
// replaced by text quoted with a quote it does not contain, or unquoted if
// it had none and reads back unquoted (it is the rest of the content, and
// starts with neither a quote, whitespace nor "url=").
func refreshSub(v []byte, s, e int, text string) replacement {
	var q byte
	if s > 0 && (v[s-1] == '"' || v[s-1] == '\'') {
		q = v[s-1]
		s--
		if e < len(v) && v[e] == q {
			e++
		}
	}
	if q == 0 && (text == "" || isSpace(text[0]) || text[0] == '"' || text[0] == '\'' || refreshURLPrefix(text)) {
		q = '\''
	}
	if q == 0 {
		return replacement{s, e, text}
	}
	if strings.IndexByte(text, q) >= 0 {
		if other := '"' + '\'' - q; strings.IndexByte(text, other) < 0 {
			q = other
		} else {
			text = strings.ReplaceAll(text, string(q), "%"+string(upperHex[q>>4])+string(upperHex[q&15]))
		}
	}
	return replacement{s, e, string(q) + text + string(q)}
}

// refreshURLPrefix reports whether text starts with what refreshSpan skips
// as the "url=" before a URL.
func refreshURLPrefix(text string) bool {
	if len(text) < 3 || !asciiEqualFold([]byte(text[:3]), "url") {
		return false
	}
	t := strings.TrimLeft(text[3:], " \t\n\f\r")
	return strings.HasPrefix(t, "=")
}
