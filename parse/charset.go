package parse

import (
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// sniffLen is how much of a document is searched for a <meta> charset, as
// the HTML standard's prescan does.
const sniffLen = 1024

// ToUTF8 returns an HTML document as UTF-8, decoding it from the encoding
// that its Content-Type, byte order mark or <meta> charset declares
// (golang.org/x/net/html/charset), so that links with non-ASCII characters
// resolve to the right URL. It returns body itself, with no copy, in the
// common cases: UTF-8, a document in plain ASCII in an ASCII-compatible
// encoding, and a document with no declaration that is valid UTF-8 (where
// browsers would guess windows-1252, but today's pages are UTF-8). A
// document that cannot be decoded is returned as it is.
func ToUTF8(body []byte, contentType string) []byte {
	enc, name, certain := charset.DetermineEncoding(body[:min(len(body), sniffLen)], contentType)
	switch {
	case name == "utf-8":
		return body
	case !certain && utf8.Valid(body):
		return body
	case name != "utf-16le" && name != "utf-16be" && isASCII(body):
		return body
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return body
	}
	return out
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
