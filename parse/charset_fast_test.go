package parse

import (
	"bytes"
	"testing"

	"golang.org/x/net/html/charset"
)

// TestUTF8Already checks the shortcut of ToUTF8 against what the HTML
// standard's prescan (charset.DetermineEncoding) decides: whenever the
// shortcut says the body is UTF-8 already, ToUTF8 without it returns the
// body as it is too.
func TestUTF8Already(t *testing.T) {
	for _, tt := range []struct {
		name, ct, body string
		want           bool
	}{
		{"ascii", "text/html", "<p>hello", true},
		{"utf-8, no declaration", "text/html", "<p>héllo", true},
		{"utf-8 in content type", "text/html; charset=UTF-8", "<p>héllo", true},
		{"utf-8 meta", "text/html", `<meta charset="utf-8"><p>héllo`, true},
		{"utf-8 http-equiv", "text/html", `<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><p>héllo`, true},
		{"latin-1 meta over utf-8 bytes", "text/html", `<meta charset="iso-8859-1"><p>héllo`, false},
		{"windows-1252 in content type", "text/html; charset=windows-1252", "<p>héllo", false},
		{"latin-1 bytes", "text/html", "<p>h\xe9llo", false},
		{"utf-16 bom", "text/html", "\xff\xfe<\x00p\x00", false},
		{"utf-16 content type", "text/html; charset=utf-16le", "<p>hi", false},
		{"ascii with a latin-1 meta: the prescan decides", "text/html", `<meta charset="iso-8859-1"><p>hello`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			if got := utf8Already(body, tt.ct); got != tt.want {
				t.Fatalf("utf8Already = %v; want %v", got, tt.want)
			}
			if !tt.want {
				return
			}
			// The prescan must agree that the body is returned as is.
			_, name, certain := charset.DetermineEncoding(body[:min(len(body), sniffLen)], tt.ct)
			same := name == "utf-8" || !certain || isASCII(body) && name != "utf-16le" && name != "utf-16be"
			if !same {
				t.Errorf("the prescan decides %s (certain %v): the shortcut disagrees", name, certain)
			}
		})
	}
}

// FuzzUTF8Already checks on any input that the shortcut returns the body
// as it is only where the prescan would too.
func FuzzUTF8Already(f *testing.F) {
	f.Add([]byte(`<meta charset="utf-8"><p>héllo`), "text/html")
	f.Add([]byte(`<meta charset=latin1>é`), "")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		if !utf8Already(body, ct) {
			return
		}
		if got, _ := toUTF8Prescan(body, ct); !bytes.Equal(got, body) {
			t.Fatalf("shortcut on %q (%q): the prescan decodes it to %q", body, ct, got)
		}
	})
}
