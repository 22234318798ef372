package urlnorm

import (
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// toASCII converts an internationalized host name to its ASCII (punycode)
// form with the IDNA lookup profile (UTS #46 mapping, NFC normalization,
// validity rules), and reports whether it could. Invalid UTF-8 fails,
// rather than being encoded as U+FFFD as the profile would.
func toASCII(name string) (string, bool) {
	if !utf8.ValidString(name) {
		return "", false
	}
	a, err := idna.Lookup.ToASCII(name)
	return a, err == nil
}
