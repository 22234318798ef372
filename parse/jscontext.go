package parse

import (
	"bytes"

	"github.com/tdewolff/parse/v2/js"
)

// This file holds how JS tells a URL from other strings: the call or
// assignment a literal is an argument of, and the shapes that are not URLs.

// notURL reports whether the literal v after the tokens of w, not passed
// where a URL is expected, is a piece of a string rather than a URL: the
// right operand of a + (x + "/index.html", a suffix; an absolute URL
// there starts a URL all the same), or the argument of
// a string method (endsWith("/help.html"), split("/"), replace(...)); or
// a module id: require("./module").
func (w *jsWindow) notURL(v []byte) bool {
	switch p := w.tok(0); p.tt {
	case js.AddToken, js.AddEqToken:
		return !hasPrefixFold(v, "http://") && !hasPrefixFold(v, "https://")
	case js.OpenParenToken, js.CommaToken:
		if p.tt == js.OpenParenToken && amdCall(w.tok(1)) {
			return true // require("./module")
		}
		k := 1
		if p.tt == js.CommaToken {
			// the second argument of replace(a, b)...
			if w.tok(2).tt != js.OpenParenToken {
				return false
			}
			k = 3
		}
		if w.tok(k+1).tt != js.DotToken && w.tok(k+1).tt != js.OptChainToken {
			return false
		}
		switch string(w.tok(k).text) {
		case "endsWith", "startsWith", "includes", "indexOf", "lastIndexOf", "split", "replace", "replaceAll",
			"match", "matchAll", "search", "concat", "join", "substr", "substring", "slice", "padStart", "padEnd":
			return true
		}
	}
	return false
}

// markup reports whether the string v holds an HTML tag with attributes:
// a '<' and a letter, and later an '='.
func markup(v []byte) bool {
	for i := 0; i+1 < len(v); i++ {
		if v[i] == '<' && isLetter(v[i+1]) {
			return bytes.IndexByte(v[i:], '=') > 0
		}
	}
	return false
}

// sinkURL reports whether v, passed where a URL is expected, is one: a
// URL as looksLikeURL says, a data: or javascript: URL, or a relative
// reference with a letter, and a '.', '/' or '?' ("data.json",
// "api/items", "?page=2"), without whitespace or quotes.
func sinkURL(v []byte) bool {
	if hasPrefixFold(v, "data:") || hasPrefixFold(v, "javascript:") {
		return true
	}
	letter, sep := false, false
	for _, c := range v {
		switch {
		case c <= ' ' || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == '`' || c == '{' || c == '}':
			return false
		case isLetter(c):
			letter = true
		case c == '.' || c == '/' || c == '?':
			sep = true
		}
	}
	return letter && sep
}

// context tells which call or assignment the literal after the tokens of
// w is an argument of: the Source.Attr of its URL (see JS), and sink set
// when it is one that takes a URL. call is "" for any other place.
func (w *jsWindow) context() (call string, sink bool) {
	switch p := w.tok(0); p.tt {
	case js.OpenParenToken:
		return w.callOf(1)
	case js.CommaToken:
		return w.laterArg()
	case js.EqToken:
		return w.assignmentOf(1)
	case js.ImportToken, js.FromToken:
		return "import", true
	case js.ColonToken:
		key := w.tok(1)
		name := key.text
		if key.tt == js.StringToken && len(name) >= 2 {
			name = name[1 : len(name)-1]
		} else if !js.IsIdentifierName(key.tt) {
			return "", false
		}
		switch string(name) {
		case "url", "uri", "href", "src", "action", "endpoint", "file", "URL":
			return "prop", true
		}
	}
	return "", false
}

// callOf returns the context of the first argument of a call whose
// callee ends with the token k places back.
func (w *jsWindow) callOf(k int) (string, bool) {
	callee := w.tok(k)
	if callee.tt == js.ImportToken {
		return "import", true
	}
	if !js.IsIdentifierName(callee.tt) {
		return "", false
	}
	dot := w.tok(k+1).tt == js.DotToken || w.tok(k+1).tt == js.OptChainToken
	var obj jsTok
	if dot {
		obj = w.tok(k + 2)
	}
	isNew := w.tok(k+1).tt == js.NewToken || dot && w.tok(k+3).tt == js.NewToken
	switch string(callee.text) {
	case "fetch":
		return "fetch", true
	case "open":
		return "window.open", true
	case "assign", "replace":
		if string(obj.text) == "location" {
			return "location", true
		}
	case "sendBeacon":
		return "beacon", true
	case "Worker", "SharedWorker":
		if isNew {
			return "worker", true
		}
	case "importScripts":
		return "worker", true
	case "register":
		if string(obj.text) == "serviceWorker" {
			return "worker", true
		}
	case "EventSource":
		if isNew {
			return "eventsource", true
		}
	case "URL":
		if isNew {
			return "url", true
		}
	case "ajax", "getJSON", "getScript", "axios":
		return "ajax", true
	case "get", "post", "put", "patch", "delete", "head", "request", "load":
		switch string(obj.text) {
		case "$", "jQuery", "axios", "$http", "http", "ky":
			return "ajax", true
		}
		if callee.text[0] == 'l' && obj.tt == js.CloseParenToken {
			return "ajax", true // $("#x").load(url)
		}
	}
	return "", false
}

// laterArg returns the context of an argument after the first: the URL
// of xhr.open("GET", url), setAttribute("src", url) (and jQuery's
// .attr("src", url)) and history.pushState(state, title, url).
func (w *jsWindow) laterArg() (string, bool) {
	// history.pushState(null, "", url)
	for k := 1; k < len(w.toks)-1; k++ {
		if w.tok(k).tt == js.OpenParenToken {
			switch string(w.tok(k + 1).text) {
			case "pushState", "replaceState":
				if commas(w, k) == 2 {
					return "history", true
				}
			}
			break
		}
	}
	arg, open, callee := w.tok(1), w.tok(2), w.tok(3)
	if arg.tt != js.StringToken || open.tt != js.OpenParenToken || len(arg.text) < 2 {
		return "", false
	}
	a := arg.text[1 : len(arg.text)-1]
	switch string(callee.text) {
	case "open":
		if httpMethod(a) {
			return "xhr.open", true
		}
	case "setAttribute", "attr", "prop": // el.setAttribute, jQuery's $(el).attr and .prop
		switch lowerString(a) {
		case "src", "srcset", "poster", "data":
			return "src", true
		case "href", "xlink:href", "action", "formaction":
			return "href", true
		}
	}
	return "", false
}

// commas counts the commas among the k tokens before the current one.
func commas(w *jsWindow, k int) int {
	n := 0
	for i := 0; i < k; i++ {
		if w.tok(i).tt == js.CommaToken {
			n++
		}
	}
	return n
}

// httpMethod reports whether m is the name of an HTTP method.
func httpMethod(m []byte) bool {
	for _, name := range []string{"get", "post", "put", "patch", "delete", "head", "options"} {
		if asciiEqualFold(m, name) {
			return true
		}
	}
	return false
}

// assignmentOf returns the context of the value assigned to the target
// that ends with the token k places back.
func (w *jsWindow) assignmentOf(k int) (string, bool) {
	target := w.tok(k)
	dot := w.tok(k+1).tt == js.DotToken
	switch string(target.text) {
	case "location":
		return "location", true
	case "href":
		if dot && string(w.tok(k+2).text) == "location" {
			return "location", true
		}
		if dot {
			return "href", true
		}
	case "src", "srcset", "poster":
		if dot {
			return "src", true
		}
	case "action", "formAction":
		if dot {
			return "href", true
		}
	case "url":
		if dot {
			return "prop", true
		}
	}
	return "", false
}
