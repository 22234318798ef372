package parse

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"unicode/utf8"

	tdparse "github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// This file finds URLs in JavaScript, in ModeAll: fetched scripts (JS),
// inline scripts, event handlers and javascript: URLs. It reads the
// script with the ECMAScript lexer of github.com/tdewolff/parse/v2/js, so
// that comments, regular expressions and the code around literals are
// told apart from strings as a JavaScript engine tells them, and looks at
// the tokens before each string or template literal to tell which call or
// assignment it is an argument of.

// JS appends to dst the URLs of a script fetched from base (a response of
// type application/javascript, text/javascript...) and returns the
// extended slice. It reports nothing in ModePage: scripts are only read
// for links in ModeAll.
//
// A string or template literal (a template's text up to its first ${) is
// reported when it is an absolute http or https URL, a root-relative path
// or a ./ or ../ path ("/api/users", "https://cdn.example.com/x.js"), as
// looksLikeURL tells; words, MIME types (text/html), dates, bare "/",
// regular-expression-like and whitespace-holding strings are not, and
// neither are pieces of strings: the right operand of a +
// (dir + "/index.html") and the arguments of string methods
// (endsWith("/help.html"), split("/")...), nor the module ids of
// require("./x") and define(["./x"], ...). A
// literal passed where a URL is expected is also reported when it is a
// relative path ("data.json", "page.html?x=1"). Those places give the
// link's Source.Attr:
//
//   - "fetch": fetch(url);
//   - "xhr.open": xhr.open("GET", url);
//   - "location": location = url, location.href = url,
//     location.assign(url), location.replace(url);
//   - "history": history.pushState(state, title, url), replaceState;
//   - "window.open": open(url), window.open(url);
//   - "import": import(url), import ... from url, export ... from url;
//   - "src": x.src = url, x.setAttribute("src", url), jQuery's
//     .attr("src", url) (and srcset, poster, data);
//   - "href": x.href = url, x.action = url, x.setAttribute("href", url),
//     .attr("href", url);
//   - "url": new URL(url);
//   - "beacon": navigator.sendBeacon(url);
//   - "worker": new Worker(url), new SharedWorker(url),
//     importScripts(url), serviceWorker.register(url);
//   - "eventsource": new EventSource(url);
//   - "ajax": $.ajax(url), $.get(url), $.post(url), $.getJSON(url),
//     $(...).load(url), axios(url), axios.get(url)...;
//   - "prop": an object property named url, uri, href, src, action,
//     endpoint or file ({url: "/api"});
//   - "sourcemap": a //# sourceMappingURL= comment;
//   - "string": any other literal that looks like a URL.
//
// A literal that holds HTML markup ('<a href="/x">', as document.write
// and innerHTML get) is read as HTML, one that holds url(...) as CSS, and
// the absolute URLs written in any other ("see https://x.example/doc")
// are reported as in text.
// Those of import, worker and src are Requisite, the rest Page. Links
// resolve against base, as those of a script's imports do (a browser
// resolves a fetch against its page's URL, which is not known here).
// Resolution, deduplication and MaxLinks are as for [HTML]. JS never
// fails: what does not lex is skipped.
func JS(base *url.URL, body []byte, opts Options, dst []Link) []Link {
	if opts.Mode != ModeAll {
		return dst
	}
	c := newCollector(base, opts, dst)
	defer c.free()
	c.setSrc(Source{Kind: SourceJS}, nil, nil)
	c.scanJS(body)
	return c.dst
}

// scanJS records the URLs of the script code.
func (c *collector) scanJS(code []byte) {
	c.lexJS(code, "")
}

// scanJSON records the URLs of the JSON code, from a <script> of a JSON
// type: its strings that look like URLs, with attr as their Source.Attr.
func (c *collector) scanJSON(code []byte, attr string) {
	c.lexJS(code, attr)
}

// jsTok is a token of the lexer.
type jsTok struct {
	tt   js.TokenType
	text []byte
}

// jsWindow holds the last tokens of a script, other than whitespace and
// comments: tok(0) is the last one.
type jsWindow struct {
	toks [8]jsTok
	n    int // tokens pushed
}

func (w *jsWindow) push(tt js.TokenType, text []byte) {
	w.toks[w.n%len(w.toks)] = jsTok{tt, text}
	w.n++
}

// tok returns the token k places before the current one; an ErrorToken
// before the first.
func (w *jsWindow) tok(k int) jsTok {
	if k >= w.n || k >= len(w.toks) {
		return jsTok{}
	}
	return w.toks[(w.n-1-k)%len(w.toks)]
}

// lexJS reads code with the lexer; json, when set, says it is JSON and is
// the Source.Attr of its URLs.
func (c *collector) lexJS(code []byte, json string) {
	// The lexer wants a NUL after its input, and writes one past the
	// end of a slice that has room: give it a copy. A script read inside
	// this one (markup in a string) gets a buffer of its own.
	buf := append(c.jsBuf[:0], code...)
	c.jsBuf = nil
	l := js.NewLexer(tdparse.NewInputBytes(buf))
	var w jsWindow
	// brackets counts the [ open; amd, when above 0, is the count at the
	// dependency array of an AMD define([...]) or require([...]), whose
	// strings are module ids, not URLs.
	brackets, amd := 0, 0
	// Every token but the last consumes input: the bound only guards
	// against a lexer that would not.
	for n := 0; n <= 2*len(code)+16 && !c.full; n++ {
		tt, text, ok := lexNext(l, false)
		if !ok {
			break
		}
		switch tt {
		case js.ErrorToken:
			if errors.Is(l.Err(), io.EOF) {
				n = 2*len(code) + 16
			}
			continue
		case js.WhitespaceToken, js.LineTerminatorToken:
			continue
		case js.CommentToken, js.CommentLineTerminatorToken:
			c.jsComment(text)
			continue
		case js.DivToken, js.DivEqToken:
			if w.regexpAllowed() {
				if tt, text, ok = lexNext(l, true); !ok {
					n = 2*len(code) + 16
					continue
				}
				if tt == js.ErrorToken {
					continue
				}
			}
		case js.OpenBracketToken:
			brackets++
			// define([...]) or define("id", [...])
			if amd == 0 && (w.tok(0).tt == js.OpenParenToken && amdCall(w.tok(1)) ||
				w.tok(0).tt == js.CommaToken && w.tok(1).tt == js.StringToken && w.tok(2).tt == js.OpenParenToken && amdCall(w.tok(3))) {
				amd = brackets
			}
		case js.CloseBracketToken:
			if brackets == amd {
				amd = 0
			}
			brackets = max(brackets-1, 0)
		case js.StringToken, js.TemplateToken, js.TemplateStartToken:
			if amd == 0 {
				c.jsLiteral(&w, tt, text, json)
			}
		}
		w.push(tt, text)
	}
	c.jsBuf = buf[:0]
}

// amdCall reports whether t is the name of a function of AMD or
// CommonJS modules (define, require, requirejs), whose string arguments
// are module ids, not URLs.
func amdCall(t jsTok) bool {
	switch string(t.text) {
	case "define", "require", "requirejs":
		return js.IsIdentifier(t.tt)
	}
	return false
}

// lexNext returns the next token of l, or with regexp the regular
// expression that starts with the '/' it has just returned. ok is false
// when the lexer panicked: v2.25.0 reads past the end of its input after
// a '#' at the end of a template's expression ("`${a#"); the script is
// then read no further.
func lexNext(l *js.Lexer, regexp bool) (tt js.TokenType, text []byte, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	if regexp {
		tt, text = l.RegExp()
	} else {
		tt, text = l.Next()
	}
	return tt, text, true
}

// regexpAllowed reports whether a '/' after the tokens of w starts a
// regular expression rather than a division: after an operator, a
// punctuator other than ) and ], or a keyword other than this, super,
// null, true and false. After }, the end of a block is taken to be more
// likely than the end of an object literal.
func (w *jsWindow) regexpAllowed() bool {
	if w.n == 0 {
		return true
	}
	switch tt := w.tok(0).tt; {
	case tt == js.CloseParenToken, tt == js.CloseBracketToken:
		return false
	case tt == js.ThisToken, tt == js.SuperToken, tt == js.NullToken, tt == js.TrueToken, tt == js.FalseToken:
		return false
	case tt == js.StringToken, tt == js.TemplateToken, tt == js.TemplateEndToken, tt == js.RegExpToken,
		tt == js.PrivateIdentifierToken, tt == js.IncrToken, tt == js.DecrToken:
		return false
	case js.IsIdentifier(tt), js.IsNumeric(tt):
		return false
	}
	return true
}

// jsLiteral reads the string or template literal text, whose tokens
// before it are w.
func (c *collector) jsLiteral(w *jsWindow, tt js.TokenType, text []byte, json string) {
	var v []byte
	switch {
	case tt == js.TemplateStartToken && len(text) >= 3: // `...${
		v = text[1 : len(text)-2]
	case len(text) >= 2:
		v = text[1 : len(text)-1]
	default:
		return
	}
	v = c.unescapeJS(v)
	if len(v) < 2 {
		return
	}
	if key := w.tok(1); w.tok(0).tt == js.ColonToken && key.tt == js.StringToken && string(key.text[1:len(key.text)-1]) == "@context" {
		return // a JSON-LD vocabulary: a name, not a link
	}
	call, sink := json, false
	if json == "" {
		call, sink = w.context()
	}
	kind := Page
	switch call {
	case "import", "worker", "src", "importmap":
		kind = Requisite
	case "":
		call = "string"
	}
	switch {
	case markup(v):
		v = bytes.Clone(v) // c.jsStr is reused inside
		c.nested(SourceJS, func() { c.htmlAll(v, false) })
		// A tag cut by the end of the string ('<a href="https://x/?q=' +
		// q) is not read as markup: its absolute URLs are.
		if lt := bytes.LastIndexByte(v, '<'); bytes.IndexByte(v[lt:], '>') < 0 {
			c.setSrc(Source{Kind: SourceJS, Attr: "string"}, nil, nil)
			c.absoluteURLs(v[lt:])
		}
	case bytes.Contains(v, []byte("url(")):
		v = bytes.Clone(v)
		c.nested(SourceJS, func() {
			c.setSrc(Source{Kind: SourceCSS}, nil, nil)
			c.scanCSS(v)
		})
	case sink && sinkURL(v) || looksLikeURL(v) && (json != "" || sink || !w.notURL(v)):
		c.setSrc(Source{Kind: SourceJS, Attr: call}, nil, nil)
		c.add(v, kind, false)
	default:
		// Absolute URLs inside a longer string: a message, or markup cut
		// between strings ('<a href="https://x.example/?q=' + q + '">').
		if bytes.Contains(v, []byte("http://")) || bytes.Contains(v, []byte("https://")) {
			c.setSrc(Source{Kind: SourceJS, Attr: "string"}, nil, nil)
			c.absoluteURLs(v)
		}
	}
}

// jsComment records the URL of a source map comment:
// "//# sourceMappingURL=app.js.map" (or "//@", or in /* */).
func (c *collector) jsComment(text []byte) {
	const key = "sourceMappingURL="
	i := bytes.Index(text, []byte(key))
	if i < 3 || text[i-1] != ' ' && text[i-1] != '\t' || text[i-2] != '#' && text[i-2] != '@' {
		return
	}
	v := text[i+len(key):]
	end := 0
	for end < len(v) && !isSpace(v[end]) && !(v[end] == '*' && end+1 < len(v) && v[end+1] == '/') {
		end++
	}
	if end > 0 {
		c.setSrc(Source{Kind: SourceJS, Attr: "sourcemap"}, nil, nil)
		c.add(v[:end], Page, false)
	}
}

// unescapeJS decodes the escapes of the body of a string literal v:
// \n and the like, \xHH, \uHHHH, \u{H...}, a backslash before a line
// terminator (nothing) or before any other character (that character).
// Without a backslash it returns v; else the result is in c.jsStr, valid
// until the next call.
func (c *collector) unescapeJS(v []byte) []byte {
	if bytes.IndexByte(v, '\\') < 0 {
		return v
	}
	out := c.jsStr[:0]
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if ch != '\\' || i+1 == len(v) {
			out = append(out, ch)
			continue
		}
		i++
		switch ch = v[i]; ch {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'v':
			out = append(out, '\v')
		case '0':
			out = append(out, 0)
		case '\r':
			if i+1 < len(v) && v[i+1] == '\n' {
				i++
			}
		case '\n':
		case 'x':
			if i+2 < len(v) && isHexDigit(v[i+1]) && isHexDigit(v[i+2]) {
				out = utf8.AppendRune(out, rune(hexVal(v[i+1])<<4|hexVal(v[i+2])))
				i += 2
			} else {
				out = append(out, ch)
			}
		case 'u':
			r, n := jsUnicodeEscape(v[i+1:])
			if n == 0 {
				out = append(out, ch)
				break
			}
			out = utf8.AppendRune(out, r)
			i += n
		default:
			out = append(out, ch)
		}
	}
	c.jsStr = out
	return out
}

// jsUnicodeEscape decodes the "HHHH" or "{H...}" after a \u in b, and
// returns the rune and the bytes it took; n is 0 when it is malformed.
func jsUnicodeEscape(b []byte) (r rune, n int) {
	if len(b) > 0 && b[0] == '{' {
		for n = 1; n < len(b) && n < 8 && isHexDigit(b[n]); n++ {
			r = r<<4 | rune(hexVal(b[n]))
		}
		if n == 1 || n == len(b) || b[n] != '}' || r > utf8.MaxRune {
			return 0, 0
		}
		return r, n + 1
	}
	if len(b) < 4 {
		return 0, 0
	}
	for _, c := range b[:4] {
		if !isHexDigit(c) {
			return 0, 0
		}
		r = r<<4 | rune(hexVal(c))
	}
	return r, 4
}
