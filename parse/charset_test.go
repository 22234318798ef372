package parse

import (
	"net/url"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

func TestToUTF8(t *testing.T) {
	base, _ := url.Parse("http://example.com/")
	sjis, _ := japanese.ShiftJIS.NewEncoder().String(`<a href="/日本語.html">x</a>`)
	cp1251, _ := charmap.Windows1251.NewEncoder().String(`<meta charset="windows-1251"><a href="/новости.html">x</a>`)
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(`<a href="/ü.html">x</a>`)
	latin1, _ := charmap.ISO8859_1.NewEncoder().String(`<a href="/café.html">x</a>`)
	tests := []struct {
		name, body, contentType, want string
	}{
		{"shift_jis from the header", sjis, "text/html; charset=Shift_JIS", "/%E6%97%A5%E6%9C%AC%E8%AA%9E.html"},
		{"windows-1251 from meta", cp1251, "text/html", "/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8.html"},
		{"utf-16 with a BOM", utf16, "text/html", "/%C3%BC.html"},
		{"undeclared latin-1", latin1, "text/html", "/caf%C3%A9.html"},
		{"utf-8", `<a href="/ü.html">x</a>`, "text/html; charset=utf-8", "/%C3%BC.html"},
		{"undeclared utf-8", `<a href="/ü.html">x</a>`, "text/html", "/%C3%BC.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			links := HTML(base, ToUTF8([]byte(tt.body), tt.contentType), Options{}, nil)
			if len(links) != 1 || links[0].URL.EscapedPath() != tt.want {
				t.Errorf("links %v; want %s", links, tt.want)
			}
		})
	}
}

func TestToUTF8NoCopy(t *testing.T) {
	body := []byte(`<a href="/a.html">plain ASCII</a>`)
	if got := ToUTF8(body, "text/html; charset=iso-8859-1"); &got[0] != &body[0] {
		t.Error("an ASCII document was copied")
	}
}
