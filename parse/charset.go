package parse

import (
	"encoding/binary"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
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
	text, _ := decodeHTML(body, contentType)
	return text
}

// decodeHTML returns body as ToUTF8 does, and the encoding it decoded
// it from, or nil when text is body itself.
func decodeHTML(body []byte, contentType string) (text []byte, enc encoding.Encoding) {
	if utf8Already(body, contentType) {
		return body, nil
	}
	return toUTF8Prescan(body, contentType)
}

// toUTF8Prescan is decodeHTML with the prescan always run.
func toUTF8Prescan(body []byte, contentType string) ([]byte, encoding.Encoding) {
	enc, name, certain := charset.DetermineEncoding(body[:min(len(body), sniffLen)], contentType)
	switch {
	case name == "utf-8":
		return body, nil
	case !certain && utf8.Valid(body):
		return body, nil
	case name != "utf-16le" && name != "utf-16be" && isASCII(body):
		return body, nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return body, nil
	}
	return out, enc
}

// utf8Already reports, without the HTML standard's prescan (which
// tokenizes the document's head), the common cases where ToUTF8 returns
// body as it is: no UTF-16 (by BOM or Content-Type), and either plain
// ASCII, or valid UTF-8 that neither the Content-Type nor the first
// sniffLen bytes declare another charset for (neither says "charset" but
// for utf-8). In any other case the prescan decides.
func utf8Already(body []byte, contentType string) bool {
	// One pass: utf8.Valid reads ASCII eight bytes at a time. An ASCII
	// document that declares another ASCII-compatible charset is left
	// to the prescan, which returns it as it is too.
	return noOtherCharset(body, contentType) && utf8.Valid(body)
}

// noOtherCharset reports whether neither a UTF-16 byte order mark, nor
// the Content-Type, nor the first sniffLen bytes of body declare a charset
// other than UTF-8 (neither says "charset" but for utf-8). ToUTF8 then
// decodes body as UTF-8, or as windows-1252 if it is not valid UTF-8:
// either way, its ASCII bytes stay as they are.
func noOtherCharset(body []byte, contentType string) bool {
	if len(body) >= 2 && (body[0] == 0xFE && body[1] == 0xFF || body[0] == 0xFF && body[1] == 0xFE) {
		return false // a UTF-16 byte order mark
	}
	ct := []byte(contentType)
	if indexFold(ct, "utf-16") >= 0 {
		return false
	}
	if i := indexFold(ct, "charset"); i >= 0 {
		return declaresUTF8(ct[i+len("charset"):])
	}
	head := body[:min(len(body), sniffLen)]
	for i := indexFold(head, "charset"); i >= 0; {
		if !declaresUTF8(head[i+len("charset"):]) {
			return false
		}
		j := indexFold(head[i+1:], "charset")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return true
}

// declaresUTF8 reports whether b, what follows the word "charset", names
// UTF-8: an "=" (after spaces), an optional quote, then "utf-8" or
// "utf8".
func declaresUTF8(b []byte) bool {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	if i == len(b) || b[i] != '=' {
		return false
	}
	i++
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '"' || b[i] == '\'') {
		i++
	}
	v := b[i:]
	return hasPrefixFold(v, "utf-8") || hasPrefixFold(v, "utf8")
}

// indexFold returns the index of the first s in b, in any case of ASCII
// letters (s is lowercase), or -1.
func indexFold(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); i++ {
		if c := b[i] | 0x20; c == s[0] && hasPrefixFold(b[i:], s) {
			return i
		}
	}
	return -1
}

// isASCII reports whether every byte of b is below 0x80, eight at a time.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
