package main

import (
	"fmt"
	"strings"
	"testing"
)

func TestReadURLList(t *testing.T) {
	long := "http://a.test/" + strings.Repeat("x", maxLineLen)
	tests := []struct {
		name, in string
		want     []string // URL@Source, with ! after a seed that carries an error
	}{
		{"plain", "http://a.test/1\nhttp://a.test/2\n", []string{"http://a.test/1@in:1", "http://a.test/2@in:2"}},
		{"no final newline", "http://a.test/1", []string{"http://a.test/1@in:1"}},
		{"blank lines, comments, spaces, CRLF", "\uFEFF# list\r\n\r\n  http://a.test/1  \r\n\t# indented comment\nnot a url\n",
			[]string{"http://a.test/1@in:3", "not a url@in:5"}},
		{"empty", "", nil},
		{"overlong line", "http://a.test/1\n" + long + "\nhttp://a.test/3\n",
			[]string{"http://a.test/1@in:1", long[:80] + "...@in:2!", "http://a.test/3@in:3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seeds, err := readURLList(strings.NewReader(tt.in), "in")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range seeds {
				g := s.URL + "@" + s.Source
				if s.Err != nil {
					g += "!"
				}
				got = append(got, g)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}
