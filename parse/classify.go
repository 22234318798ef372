package parse

import (
	"net/http"
	"strconv"
	"strings"
)

// Type is what kind of document a response holds, as far as this package
// is concerned.
type Type uint8

const (
	// TypeOther is anything this package does not look into: images,
	// scripts, PDFs, text/plain... It is the zero value.
	TypeOther Type = iota
	// TypeHTML is text/html or application/xhtml+xml: use [HTML].
	TypeHTML
	// TypeCSS is text/css: use [CSS].
	TypeCSS
	// TypeJSON is application/json or any */*+json type.
	TypeJSON
	// TypeJS is JavaScript: text/javascript, application/javascript and
	// their older names (application/x-javascript, text/ecmascript...).
	// Use [JS], in ModeAll.
	TypeJS
)

// String returns "html", "css", "json", "js" or "other".
func (t Type) String() string {
	switch t {
	case TypeOther:
		return "other"
	case TypeHTML:
		return "html"
	case TypeCSS:
		return "css"
	case TypeJSON:
		return "json"
	case TypeJS:
		return "js"
	default:
		return "Type(" + strconv.Itoa(int(t)) + ")"
	}
}

// Classify returns the Type of a Content-Type header value. Parameters
// (charset...) are ignored and the media type is compared without regard
// to ASCII case. An empty or unknown value is TypeOther; see
// [ClassifyBody] to sniff the body instead.
func Classify(contentType string) Type {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.Trim(mt, " \t")
	switch {
	case strings.EqualFold(mt, "text/html"), strings.EqualFold(mt, "application/xhtml+xml"):
		return TypeHTML
	case strings.EqualFold(mt, "text/css"):
		return TypeCSS
	case strings.EqualFold(mt, "application/json"):
		return TypeJSON
	case isJSType([]byte(mt)):
		return TypeJS
	}
	if slash := strings.IndexByte(mt, '/'); slash > 0 && len(mt) > len("+json") {
		if suffix := mt[len(mt)-len("+json"):]; strings.EqualFold(suffix, "+json") && slash+1 < len(mt)-len("+json") {
			return TypeJSON
		}
	}
	return TypeOther
}

// ClassifyBody is Classify, except that an empty (or blank) contentType is
// sniffed from the first 512 bytes of body with http.DetectContentType,
// which recognizes HTML but neither CSS nor JSON (those come back as
// TypeOther). A non-empty contentType is trusted as it is.
func ClassifyBody(contentType string, body []byte) Type {
	if strings.TrimSpace(contentType) != "" {
		return Classify(contentType)
	}
	return Classify(http.DetectContentType(body[:min(len(body), 512)]))
}
