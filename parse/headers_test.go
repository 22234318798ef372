package parse

import (
	"net/http"
	"net/url"
	"testing"
)

func TestHeaders(t *testing.T) {
	base, _ := url.Parse("https://example.com/dir/page.html")
	tests := []struct {
		name string
		h    http.Header
		want string
	}{
		{"link header", http.Header{"Link": {`</css/site.css>; rel=preload; as=style, <next.html>; rel="next"`,
			`<https://cdn.example.com/>; rel=preconnect`, `<https://example.com/font.woff2>; rel="preload"; as="font", <a,b.html>; title="x, y"; rel=alternate`}},
			"requisite https://example.com/css/site.css\npage https://example.com/dir/next.html\n" +
				"requisite https://example.com/font.woff2\npage https://example.com/dir/a,b.html\n"},
		{"refresh", http.Header{"Refresh": {"5; url=/later.html"}}, "page https://example.com/later.html\n"},
		{"refresh without url", http.Header{"Refresh": {"30"}}, ""},
		{"content-location", http.Header{"Content-Location": {"page.en.html"}}, "page https://example.com/dir/page.en.html\n"},
		{"content-location is the page", http.Header{"Content-Location": {"/dir/page.html"}}, ""},
		{"location ignored", http.Header{"Location": {"/elsewhere"}}, ""},
		{"malformed link", http.Header{"Link": {`no-brackets; rel=next, <unclosed`}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatLinks(Headers(base, tt.h, Options{}, nil)); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
