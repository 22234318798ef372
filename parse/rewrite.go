package parse

import (
	"bytes"
	"cmp"
	"net/url"
	"slices"
	"strings"

	"github.com/crawl-go/crawl/urlnorm"
)

// Ref is one link occurrence handed to the function of [RewriteHTML] or
// [RewriteCSS].
type Ref struct {
	// URL is the reference resolved against the base in effect (the
	// document URL, or the first <base href>), never nil and always http or
	// https. It is the URL that HTML or CSS reports for the occurrence,
	// normalized by urlnorm the same way, except that the fragment of the
	// reference is kept ("#section"), so that a local path made from it can
	// keep it too. Normalize a copy to get the crawl's dedup key.
	URL *url.URL
	// Kind is how HTML classifies this occurrence: Page for a[href],
	// link rel=canonical, meta refresh..., Requisite for img[src], CSS
	// url()s... It is Page for the <base href>.
	Kind Kind
	// Base is set for the href of the document's first <base> element,
	// the only one HTML honours. Returning ("", true) for it removes the
	// attribute, so that the links of the local copy resolve against the
	// file itself; any other text replaces its value. The links after it
	// are resolved against the URL it held, whatever fn returns for it.
	Base bool
}

// RewriteHTML returns a copy of the HTML document body, fetched from base,
// in which fn has rewritten the links, as wget --convert-links does for an
// offline mirror. Each reference in which HTML finds a link (an attribute
// value, a srcset candidate, a meta refresh URL, a CSS url() in a style
// attribute or element) is handed to fn as a Ref; when fn returns ok, its
// text replaces the reference. Every other byte is kept: the document is
// not re-serialized, and if fn never returns ok the result equals body.
// body and base are not modified.
//
// fn is called once per occurrence, in the order HTML meets them (by tag,
// and within a tag in the order of HTML's table, not of the attributes),
// for exactly the occurrences whose links HTML reports, except that:
//
//   - an empty or fragment-only reference ("", "#top") is left alone while
//     the base is the document itself, as it stays valid in a local copy;
//     after a <base href> to another URL it is a link, and fn gets it;
//   - a link back to the document under another spelling ("page.html")
//     is handed to fn, which knows where the local copy of the document is;
//   - the first <base href> is handed to fn with Ref.Base set;
//   - rel=nofollow links are handed to fn, and there is no MaxLinks cap.
//
// References that do not resolve to an http or https URL (javascript:,
// mailto:, data:...) are never handed to fn. If fn removes the <base
// href>, the references it declines after it resolve against the local
// file from then on, so it should answer for all of them (with a local
// path or an absolute URL).
//
// fn's text is encoded for its context, so that a browser reads back
// exactly that text: in an attribute value, '&' and the value's quote
// become character references, and an unquoted value gets double quotes;
// in a srcset, whitespace is percent-encoded and a trailing comma
// protected; in a meta refresh, the URL is quoted when it must be; in CSS,
// the url(...) argument or string becomes a CSS string with its quote, '\'
// and control characters escaped, quoted with the other quote than the
// style attribute's, and with '<' escaped in a <style> element so that
// "</style" cannot appear. A srcset, meta refresh or style attribute with
// a replaced reference is written back from its decoded value: byte for
// byte outside the replacements when it had no character reference,
// carriage return or NUL, else re-encoded.
//
// RewriteHTML reads body as HTML reads it, as UTF-8 (or bytes): a
// document fetched in another encoding goes to [RewriteFetchedHTML],
// which decodes it as the crawl did to find its links. fn should return
// ASCII (percent-encoded paths, punycode hosts), which reads the same in
// every ASCII-compatible encoding. Like HTML, RewriteHTML never fails:
// malformed markup is read the way the tokenizer reads it.
//
// Only ModePage's references are rewritten: opts.Mode and opts.OnLink are
// ignored.
func RewriteHTML(base *url.URL, body []byte, opts Options, fn func(Ref) (string, bool)) []byte {
	return rewriteHTML(base, body, opts, fn).result()
}

// RewriteFetchedHTML is RewriteHTML for an HTML document as it was
// fetched with the Content-Type contentType, in whatever character
// encoding: it reads the references of the document decoded to UTF-8 as
// [ToUTF8] decodes it (from the encoding that its Content-Type, byte
// order mark or <meta> charset declares), so that fn gets the URLs that
// HTML finds in ToUTF8(body) (the ones the crawl fetched), while the
// result stays in the document's encoding: the bytes of body outside the
// rewritten references are kept as they are, and the text of each
// replacement (fn's text, which should be ASCII, and for a srcset, meta
// refresh or style attribute the rest of its value) is written in that
// encoding. A document that ToUTF8 returns as it is (UTF-8, ASCII) is
// rewritten by RewriteHTML itself.
//
// It fails, with a nil result, when the replacements cannot be written in
// the document's encoding: fn's text has a character that the encoding
// lacks, or the result would not read back as the document rewritten (a
// replacement inside a stateful encoding's shifted run, as ISO-2022-JP
// has).
func RewriteFetchedHTML(base *url.URL, body []byte, contentType string, opts Options, fn func(Ref) (string, bool)) ([]byte, error) {
	text, enc := decodeHTML(body, contentType)
	r := rewriteHTML(base, text, opts, fn)
	if enc == nil {
		return r.result(), nil
	}
	return r.resultIn(body, enc)
}

// rewriteHTML finds the references of body that fn rewrites, and returns
// the rewriter holding its edits.
func rewriteHTML(base *url.URL, body []byte, opts Options, fn func(Ref) (string, bool)) *rewriter {
	r := newRewriter(base, body, opts, fn)
	ls := newLinkScanner(body)
	for {
		ref, ok := ls.next()
		if !ok {
			return r
		}
		if ref.tok.kind == tokRawText {
			r.styleText(ref.tok.start, body[ref.tok.start:ref.tok.end], ref.val)
			continue
		}
		r.rewriteAttr(ref, ls.s.attrs)
	}
}

// RewriteCSS returns a copy of the stylesheet body, fetched from base, in
// which fn has rewritten the links that CSS finds: url(...), @import
// strings and image-set() strings. Each is handed to fn as a Ref (a
// Requisite), and when fn returns ok the reference is replaced by its
// text written as a double-quoted CSS string: url(a.png) becomes
// url("../img/a.png") when fn returns "../img/a.png". Comments, other
// strings and every other byte are kept as they are; when fn never returns
// ok the result equals body. body and base are not modified.
//
// As in RewriteHTML, an empty or fragment-only reference (url(#filter))
// is left alone, references that are not http or https are never handed
// to fn, Ref.URL keeps the reference's fragment, and fn should return
// ASCII text. RewriteCSS never fails.
func RewriteCSS(base *url.URL, body []byte, opts Options, fn func(Ref) (string, bool)) []byte {
	r := newRewriter(base, body, opts, fn)
	r.cssQuote, r.cssInStyle = '"', false
	r.subs = r.subs[:0]
	r.css.scanCSS(body)
	for _, s := range r.subs {
		r.edit(s.start, s.end, s.text)
	}
	return r.result()
}

// rewriter holds the state of one RewriteHTML or RewriteCSS call.
type rewriter struct {
	fn   func(Ref) (string, bool)
	body []byte
	doc  linkKey  // the document's normalized URL
	base *url.URL // the resolution base, normalized: as collector.base
	norm urlnorm.Normalizer
	// selfBase is set while base is the document itself, when empty and
	// fragment-only references are left alone.
	selfBase bool

	edits []replacement // in body, in any order

	// CSS: the scanner with its cssRef hook, the CSS string quote and
	// context of the CSS being scanned, and the replacements found in it,
	// in order, at offsets in the scanned bytes.
	css        collector
	cssQuote   byte
	cssInStyle bool // in a <style> element: escape '<'
	subs       []replacement
}

// replacement replaces b[start:end] by text, in the document (edits) or
// in a value being rewritten (subs).
type replacement struct {
	start, end int
	text       string
}

func newRewriter(base *url.URL, body []byte, opts Options, fn func(Ref) (string, bool)) *rewriter {
	p := *base
	opts.Normalizer.Normalize(&p)
	r := &rewriter{fn: fn, body: body, doc: keyOf(&p), base: &p, selfBase: true, norm: opts.Normalizer}
	r.css.opts = opts
	r.css.cssRef = r.cssRef
	return r
}

// sortEdits puts the edits in the order of the document.
func (r *rewriter) sortEdits() {
	slices.SortStableFunc(r.edits, func(a, b replacement) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end))
	})
}

// result applies the edits to a copy of body.
func (r *rewriter) result() []byte {
	r.sortEdits()
	grow := 0
	for _, e := range r.edits {
		grow += len(e.text)
	}
	out := make([]byte, 0, len(r.body)+grow)
	last := 0
	for _, e := range r.edits {
		if e.start < last {
			continue // cannot happen: edits do not overlap
		}
		out = append(out, r.body[last:e.start]...)
		out = append(out, e.text...)
		last = e.end
	}
	return append(out, r.body[last:]...)
}

func (r *rewriter) edit(start, end int, text string) {
	r.edits = append(r.edits, replacement{start, end, text})
}

// resolve returns the Ref of the reference ref, or ok false when fn is not
// to see it: it does not resolve to an http or https URL, or it is empty
// or a bare fragment while the base is the document.
func (r *rewriter) resolve(ref []byte, kind Kind) (Ref, bool) {
	t := trimControl(ref)
	if r.selfBase && (len(t) == 0 || t[0] == '#') {
		return Ref{}, false
	}
	u, err := r.norm.Resolve(r.base, string(ref))
	if err != nil {
		return Ref{}, false
	}
	if i := bytes.IndexByte(t, '#'); i >= 0 {
		setFragment(u, t[i+1:])
	}
	return Ref{URL: u, Kind: kind}, true
}

// trimControl trims what urlnorm trims around a reference: spaces and
// control characters.
func trimControl(b []byte) []byte {
	for len(b) > 0 && b[0] <= ' ' {
		b = b[1:]
	}
	for len(b) > 0 && b[len(b)-1] <= ' ' {
		b = b[:len(b)-1]
	}
	return b
}

// setFragment sets the fragment of u to frag as written in a reference,
// without the tabs and newlines that browsers remove.
func setFragment(u *url.URL, frag []byte) {
	f := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, string(frag))
	if p, err := url.Parse("#" + f); err == nil {
		u.Fragment, u.RawFragment = p.Fragment, p.RawFragment
		return
	}
	u.Fragment, u.RawFragment = f, "" // a bad escape: String escapes the '%'
}

// call hands ref to fn if it is to see it, and returns fn's answer.
func (r *rewriter) call(ref []byte, kind Kind) (string, bool) {
	l, ok := r.resolve(ref, kind)
	if !ok {
		return "", false
	}
	return r.fn(l)
}

// cssRef is the collector's cssRef hook: it hands the URL ref, read from
// css[start:end] of the CSS being scanned, to fn, and records fn's text as
// a CSS string.
func (r *rewriter) cssRef(ref []byte, start, end int) {
	if text, ok := r.call(ref, Requisite); ok {
		r.subs = append(r.subs, replacement{start, end, string(appendCSSString(nil, text, r.cssQuote, r.cssInStyle))})
	}
}

// appendCSSString appends s to dst as a CSS string quoted with q. Control
// characters become CSS escapes (newline is `\a `), except NUL, which CSS
// cannot hold and becomes "%00" as urlnorm would escape it; with escapeLT,
// so does '<' (`\3c `).
func appendCSSString(dst []byte, s string, q byte, escapeLT bool) []byte {
	dst = append(dst, q)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == q || c == '\\':
			dst = append(dst, '\\', c)
		case c == 0:
			dst = append(dst, "%00"...)
		case c < ' ' || c == 0x7f || c == '<' && escapeLT:
			dst = append(dst, '\\')
			if c >= 0x10 {
				dst = append(dst, lowerHex[c>>4])
			}
			dst = append(dst, lowerHex[c&15], ' ')
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, q)
}

const lowerHex = "0123456789abcdef"

// styleText rewrites the links of the text of a <style> element, whose raw
// bytes raw start at body[at]; text is what linkScanner.styleText made of
// them, the CSS that HTML scans.
func (r *rewriter) styleText(at int, raw, text []byte) {
	r.cssQuote, r.cssInStyle = '"', true
	r.subs = r.subs[:0]
	r.css.scanCSS(text)
	if len(r.subs) == 0 {
		return
	}
	idx, ok := textOffsets(raw, text)
	if !ok {
		return // cannot happen: Text is raw with newlines and NULs converted
	}
	for _, s := range r.subs {
		start, end := s.start, s.end
		if idx != nil {
			start, end = idx[start], idx[end]
		}
		r.edit(at+start, at+end, s.text)
	}
}

// textOffsets maps the offsets of text, the Text of a raw text token whose
// raw bytes are raw, to offsets in raw: the tokenizer turns "\r\n" and "\r"
// into "\n" and NUL into U+FFFD. idx[i] is the offset in raw of the
// character that starts at text[i], and idx[len(text)] is len(raw); idx is
// nil when text is raw. ok is false if text is not what raw converts to.
func textOffsets(raw, text []byte) (idx []int, ok bool) {
	if bytes.Equal(raw, text) {
		return nil, true
	}
	conv := make([]byte, 0, len(text))
	idx = make([]int, 0, len(text)+1)
	for j := 0; j < len(raw); j++ {
		switch c := raw[j]; c {
		case '\r':
			conv = append(conv, '\n')
			idx = append(idx, j)
			if j+1 < len(raw) && raw[j+1] == '\n' {
				j++
			}
		case 0:
			conv = append(conv, "\uFFFD"...)
			idx = append(idx, j, j, j)
		default:
			conv = append(conv, c)
			idx = append(idx, j)
		}
	}
	if !bytes.Equal(conv, text) {
		return nil, false
	}
	return append(idx, len(raw)), true
}
