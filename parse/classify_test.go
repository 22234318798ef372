package parse

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		contentType string
		want        Type
	}{
		{"text/html", TypeHTML},
		{"text/html; charset=utf-8", TypeHTML},
		{"TEXT/HTML;charset=ISO-8859-1", TypeHTML},
		{" text/html ", TypeHTML},
		{"application/xhtml+xml", TypeHTML},
		{"text/css", TypeCSS},
		{"text/css; charset=utf-8", TypeCSS},
		{"application/json", TypeJSON},
		{"application/ld+json", TypeJSON},
		{"application/problem+json; charset=utf-8", TypeJSON},
		{"application/vnd.api+JSON", TypeJSON},
		{"+json", TypeOther},
		{"application/+json", TypeOther},
		{"text/plain", TypeOther},
		{"image/png", TypeOther},
		{"application/javascript", TypeJS},
		{"text/javascript; charset=utf-8", TypeJS},
		{"application/x-javascript", TypeJS},
		{"text/ecmascript", TypeJS},
		{"", TypeOther},
		{"html", TypeOther},
	}
	for _, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			if got := Classify(tt.contentType); got != tt.want {
				t.Errorf("Classify(%q) = %v, want %v", tt.contentType, got, tt.want)
			}
		})
	}
}

func TestClassifyBody(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    Type
	}{
		{"header wins", "text/css", "<!DOCTYPE html><html>", TypeCSS},
		{"sniffed html", "", "<!DOCTYPE html><html><body>x", TypeHTML},
		{"sniffed html after whitespace", "  ", "\n\n  <html><body>", TypeHTML},
		{"sniffed text", "", "body { color: red }", TypeOther},
		{"sniffed png", "", "\x89PNG\r\n\x1a\n", TypeOther},
		{"empty", "", "", TypeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassifyBody(tt.contentType, []byte(tt.body)); got != tt.want {
				t.Errorf("ClassifyBody(%q, %q) = %v, want %v", tt.contentType, tt.body, got, tt.want)
			}
		})
	}
}
