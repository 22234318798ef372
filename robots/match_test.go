package robots

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/a/b?c=d", "/a/b?c=d"},
		{"/a%3cd", "/a%3Cd"},
		{"/a%3Cd", "/a%3Cd"},
		{"/%7Euser/%7e", "/~user/~"},
		{"/%62%61%7A", "/baz"},
		{"/%2f%2F", "/%2F%2F"},
		{"/%2A*$", "/%2A*$"},
		{"/ツ", "/%E3%83%84"},
		{"/\xff", "/%FF"},
		{"/a b\t", "/a%20b%09"},
		{"/%", "/%25"},
		{"/%4", "/%254"},
		{"/%zz", "/%25zz"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := canonical(tt.in); got != tt.want {
			t.Errorf("canonical(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := canonical(tt.want); got != tt.want {
			t.Errorf("canonical(%q) = %q, not idempotent", tt.want, got)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, target string
		want            bool
	}{
		{"/", "/", true},
		{"/a", "/", false},
		{"/a", "/ab", true},
		{"/a$", "/ab", false},
		{"/a$", "/a", true},
		{"*", "", true},
		{"$", "", true},
		{"$", "/", false},
		{"/*$", "/x", true},
		{"/**b", "/ab", true},
		{"/*b$", "/abab", true},
		{"/*ab*ab$", "/abab", true},
		{"/*ab*ab$", "/ab", false}, // the two runs must not overlap
		{"/*aa$", "/aaa", true},
		{"/a*a$", "/a", false},
		{"/a*", "/a", true},
		{"/a$*", "/a$", true}, // "$" not at the end is literal
		{"/a$*", "/a", false},
	}
	for _, tt := range tests {
		if got := match(tt.pattern, tt.target); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.target, got, tt.want)
		}
	}
}

// patternRegexp compiles a robots.txt pattern into the regular expression it
// stands for, as a reference for match.
func patternRegexp(pattern string) (*regexp.Regexp, error) {
	anchored := strings.HasSuffix(pattern, "$")
	pattern = strings.TrimSuffix(pattern, "$")
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for i, part := range strings.Split(pattern, "*") {
		if i > 0 {
			b.WriteString(".*")
		}
		b.WriteString(regexp.QuoteMeta(part))
	}
	if anchored {
		b.WriteString(`\z`)
	}
	return regexp.Compile(b.String())
}

// FuzzMatch checks match against the regular expression the pattern stands
// for.
func FuzzMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"/fish*.php", "/fishheads/catfish.php?x"},
		{"/*.php$", "/a.php"},
		{"/*ab*ab$", "/abab"},
		{"/a$b", "/a$b"},
		{"*", ""},
		{"/**a*$", "/a"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, target string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(target) {
			t.Skip()
		}
		re, err := patternRegexp(pattern)
		if err != nil {
			t.Skip()
		}
		if got, want := match(pattern, target), re.MatchString(target); got != want {
			t.Fatalf("match(%q, %q) = %v, regexp %s says %v", pattern, target, got, re, want)
		}
	})
}
