package urlnorm

import (
	"errors"
	"net/url"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"already canonical", "http://example.com/a?b=c", "http://example.com/a?b=c"},
		{"scheme and host lowercased", "HTTP://Example.COM/Path", "http://example.com/Path"},
		{"default http port", "http://example.com:80/", "http://example.com/"},
		{"default https port", "https://example.com:443/", "https://example.com/"},
		{"other default port kept", "http://example.com:443/", "http://example.com:443/"},
		{"port leading zeros", "http://example.com:0080/", "http://example.com/"},
		{"port zero", "http://example.com:000/", "http://example.com:0/"},
		{"empty port", "http://example.com:/", "http://example.com/"},
		{"ipv6", "http://[FE80::1]:80/x", "http://[fe80::1]/x"},
		{"ipv6 port", "http://[::1]:8080/", "http://[::1]:8080/"},
		{"ipv6 zone", "http://[FE80::1%25en0]/", "http://[fe80::1%25en0]/"},
		{"empty path", "http://example.com", "http://example.com/"},
		{"empty path with query", "http://example.com?q", "http://example.com/?q"},
		{"fragment dropped", "http://example.com/a#top", "http://example.com/a"},
		{"empty query dropped", "http://example.com/a?", "http://example.com/a"},
		{"empty query and fragment", "http://example.com/a?#", "http://example.com/a"},
		{"dot segments", "http://example.com/a/./b/../c", "http://example.com/a/c"},
		{"dot segments above root", "http://example.com/../../a", "http://example.com/a"},
		{"trailing dot dot", "http://example.com/a/b/..", "http://example.com/a/"},
		{"trailing dot", "http://example.com/a/.", "http://example.com/a/"},
		{"escaped dots", "http://example.com/a/%2e%2E/b", "http://example.com/b"},
		{"dots in query kept", "http://example.com/?a=../b", "http://example.com/?a=../b"},
		{"dotted names kept", "http://example.com/a./.b/..c", "http://example.com/a./.b/..c"},
		{"empty segments kept", "http://example.com//a//b", "http://example.com//a//b"},
		{"unreserved decoded", "http://example.com/%7Euser/%41%2d%5F", "http://example.com/~user/A-_"},
		{"hex uppercased", "http://example.com/a%2fb%3a", "http://example.com/a%2Fb%3A"},
		{"escaped slash stays", "http://example.com/a%2Fb", "http://example.com/a%2Fb"},
		{"escaped slash stays next to a space", "http://example.com/a%2Fb c", "http://example.com/a%2Fb%20c"},
		{"reserved literal stays", "http://example.com/a:b@c;d=e,f$g&h+i", "http://example.com/a:b@c;d=e,f$g&h+i"},
		{"sub-delims stay", "http://example.com/a(b)!*'", "http://example.com/a(b)!*'"},
		{"space escaped", "http://example.com/a b?c d", "http://example.com/a%20b?c%20d"},
		{"non-ascii escaped", "http://example.com/é?é", "http://example.com/%C3%A9?%C3%A9"},
		{"unsafe ascii escaped", "http://example.com/a\"<>\\^`{|}", "http://example.com/a%22%3C%3E%5C%5E%60%7B%7C%7D"},
		{"query escapes", "http://example.com/?a=%26&b=%3d&c=%7e&d=%2f", "http://example.com/?a=%26&b=%3D&c=~&d=%2F"},
		{"query ampersand literal", "http://example.com/?a=&b", "http://example.com/?a=&b"},
		{"query order kept", "http://example.com/?b=2&a=1&b=1", "http://example.com/?b=2&a=1&b=1"},
		{"query question mark kept", "http://example.com/?a?b", "http://example.com/?a?b"},
		{"plus kept", "http://example.com/a+b?c+d", "http://example.com/a+b?c+d"},
		{"userinfo dropped", "http://User:Pass@Example.com/", "http://example.com/"},
		{"user name dropped", "http://bob@example.com/a", "http://example.com/a"},
		{"surrounding whitespace", " \t http://example.com/ \n", "http://example.com/"},
		{"embedded newline", "http://exa\nmple.com/a\tb", "http://example.com/ab"},
		{"invalid escape", "http://example.com/100%", "http://example.com/100%25"},
		{"idn", "http://Bücher.example/", "http://xn--bcher-kva.example/"},
		{"idn ideographic dot", "http://例え。テスト/", "http://xn--r8jz45g.xn--zckzah/"},
		{"idn escaped host", "http://%E4%BE%8B.jp/", "http://xn--fsq.jp/"},
		{"punycode kept", "http://XN--BCHER-KVA.example/", "http://xn--bcher-kva.example/"},
		{"underscore host", "http://My_Host.example/", "http://my_host.example/"},
		{"trailing dot host kept", "http://example.com./", "http://example.com./"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := u.String(); got != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkStable(t, u)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error // nil: any error
	}{
		{"mailto", "mailto:a@example.com", ErrUnsupportedScheme},
		{"ftp", "ftp://example.com/", ErrUnsupportedScheme},
		{"relative", "/a/b", ErrUnsupportedScheme},
		{"no host", "http:///a", ErrNoHost},
		{"opaque", "http:a", ErrNoHost},
		{"port only", "http://:80/", ErrNoHost},
		{"bad port", "http://example.com:x/", nil},
		{"space in host", "http://exa mple.com/", nil},
		{"non-ascii ipv6 zone", "http://[fe80::1%25\xb4]/", nil},
		{"utf-8 ipv6 zone", "http://[fe80::1%25é]/", nil},
		{"empty", "", ErrUnsupportedScheme},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.in, u)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Parse(%q) error %v, want one wrapping %v", tt.in, err, tt.want)
			}
		})
	}
}

func TestSchemeError(t *testing.T) {
	base := mustParse(t, "http://example.com/")
	_, err := Resolve(base, "JavaScript:alert(1)")
	var se *SchemeError
	if !errors.As(err, &se) || se.Scheme != "javascript" {
		t.Fatalf("Resolve error = %v, want a *SchemeError for javascript", err)
	}
	if !errors.Is(err, ErrUnsupportedScheme) {
		t.Errorf("errors.Is(%v, ErrUnsupportedScheme) = false", err)
	}
}

// TestResolveRFC3986 runs the examples of RFC 3986 section 5.4, with the
// results normalized (no fragment, "/" for an empty path).
func TestResolveRFC3986(t *testing.T) {
	base := mustParse(t, "http://a/b/c/d;p?q")
	tests := []struct{ ref, want string }{
		// 5.4.1 Normal Examples
		{"g", "http://a/b/c/g"},
		{"./g", "http://a/b/c/g"},
		{"g/", "http://a/b/c/g/"},
		{"/g", "http://a/g"},
		{"//g", "http://g/"},
		{"?y", "http://a/b/c/d;p?y"},
		{"g?y", "http://a/b/c/g?y"},
		{"#s", "http://a/b/c/d;p?q"},
		{"g#s", "http://a/b/c/g"},
		{"g?y#s", "http://a/b/c/g?y"},
		{";x", "http://a/b/c/;x"},
		{"g;x", "http://a/b/c/g;x"},
		{"g;x?y#s", "http://a/b/c/g;x?y"},
		{"", "http://a/b/c/d;p?q"},
		{".", "http://a/b/c/"},
		{"./", "http://a/b/c/"},
		{"..", "http://a/b/"},
		{"../", "http://a/b/"},
		{"../g", "http://a/b/g"},
		{"../..", "http://a/"},
		{"../../", "http://a/"},
		{"../../g", "http://a/g"},
		// 5.4.2 Abnormal Examples
		{"../../../g", "http://a/g"},
		{"../../../../g", "http://a/g"},
		{"/./g", "http://a/g"},
		{"/../g", "http://a/g"},
		{"g.", "http://a/b/c/g."},
		{".g", "http://a/b/c/.g"},
		{"g..", "http://a/b/c/g.."},
		{"..g", "http://a/b/c/..g"},
		{"./../g", "http://a/b/g"},
		{"./g/.", "http://a/b/c/g/"},
		{"g/./h", "http://a/b/c/g/h"},
		{"g/../h", "http://a/b/c/h"},
		{"g;x=1/./y", "http://a/b/c/g;x=1/y"},
		{"g;x=1/../y", "http://a/b/c/y"},
		{"g?y/./x", "http://a/b/c/g?y/./x"},
		{"g?y/../x", "http://a/b/c/g?y/../x"},
		{"g#s/./x", "http://a/b/c/g"},
		{"g#s/../x", "http://a/b/c/g"},
		{"http:g", "http://a/b/c/g"}, // the "for backward compatibility" reading, as browsers do
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			u, err := Resolve(base, tt.ref)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.ref, err)
			}
			if got := u.String(); got != tt.want {
				t.Errorf("Resolve(%q) = %q, want %q", tt.ref, got, tt.want)
			}
			checkStable(t, u)
		})
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name, base, ref, want string
	}{
		{"absolute", "http://example.com/a/b", "https://Other.example:443/x?y#z", "https://other.example/x?y"},
		{"protocol relative http", "http://example.com/a/b", "//cdn.example/x.js", "http://cdn.example/x.js"},
		{"protocol relative https", "https://example.com/a/b", "//cdn.example/x.js", "https://cdn.example/x.js"},
		{"root relative", "http://example.com/a/b", "/x", "http://example.com/x"},
		{"parent", "http://example.com/a/b/c", "../../x", "http://example.com/x"},
		{"base without path", "http://example.com", "x", "http://example.com/x"},
		{"base directory", "http://example.com/a/", "x", "http://example.com/a/x"},
		{"query only", "http://example.com/a?old", "?new", "http://example.com/a?new"},
		{"whitespace around", "http://example.com/a/", "  \n x.html \t ", "http://example.com/a/x.html"},
		{"newlines inside", "http://example.com/a/", "x\n.ht\tml\r", "http://example.com/a/x.html"},
		{"space inside", "http://example.com/a/", "my file.pdf", "http://example.com/a/my%20file.pdf"},
		{"unicode path", "http://example.com/", "/café", "http://example.com/caf%C3%A9"},
		{"invalid escape", "http://example.com/", "/50%off", "http://example.com/50%25off"},
		{"userinfo of the base dropped", "http://u:p@example.com/a/", "b", "http://example.com/a/b"},
		{"userinfo of the link dropped", "http://example.com/", "http://u:p@example.com/b", "http://example.com/b"},
		{"root-relative on a base with userinfo", "http://u:p@example.com/a/", "/c?d", "http://example.com/c?d"},
		{"uppercase scheme", "http://example.com/", "HTTPS://EXAMPLE.com/A", "https://example.com/A"},
		{"same scheme relative", "http://example.com/a/b", "http:c", "http://example.com/a/c"},
		{"same scheme root", "http://example.com/a/b", "http:/c", "http://example.com/c"},
		{"other scheme no slashes", "http://example.com/a/b", "https:host.example/c", "https://host.example/c"},
		{"fragment only", "http://example.com/a?q", "#x", "http://example.com/a?q"},
		{"empty", "http://example.com/a?q", "", "http://example.com/a?q"},
		{"whitespace only", "http://example.com/a?q", " \n ", "http://example.com/a?q"},
		{"escaped base path", "http://example.com/a%2Fb/c", "d", "http://example.com/a%2Fb/d"},
		{"idn", "http://example.com/", "//Bücher.example/", "http://xn--bcher-kva.example/"},
		{"backslash escaped", "http://example.com/", "/a\\b", "http://example.com/a%5Cb"},
		{"colon in later segment", "http://example.com/", "./a:b", "http://example.com/a:b"},
		{"digit before colon is no scheme", "http://example.com/a/", "1:2", "http://example.com/a/1:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := mustParse(t, tt.base)
			u, err := Resolve(base, tt.ref)
			if err != nil {
				t.Fatalf("Resolve(%q, %q): %v", tt.base, tt.ref, err)
			}
			if got := u.String(); got != tt.want {
				t.Errorf("Resolve(%q, %q) = %q, want %q", tt.base, tt.ref, got, tt.want)
			}
			checkStable(t, u)
		})
	}
}

func TestResolveErrors(t *testing.T) {
	base := mustParse(t, "http://example.com/a/")
	tests := []struct {
		name, ref string
		want      error // nil: any error
	}{
		{"javascript", "javascript:void(0)", ErrUnsupportedScheme},
		{"javascript with whitespace", " \tjavascript:void(0)", ErrUnsupportedScheme},
		{"mailto", "mailto:someone@example.com", ErrUnsupportedScheme},
		{"data", "data:image/png;base64,AAAA", ErrUnsupportedScheme},
		{"tel", "tel:+1-555-0100", ErrUnsupportedScheme},
		{"ftp", "ftp://example.com/x", ErrUnsupportedScheme},
		{"windows path", "C:\\x", ErrUnsupportedScheme},
		{"no host", "http:///", ErrNoHost},
		{"bad host", "//exa mple.com/", nil},
		{"non-ascii ipv6 zone", "http://[::1%25é]/", nil},
		{"non-ascii ipv6 zone other scheme", "https:[::%\xb4]", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Resolve(base, tt.ref)
			if err == nil {
				t.Fatalf("Resolve(%q) = %v, want an error", tt.ref, u)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Resolve(%q) error %v, want one wrapping %v", tt.ref, err, tt.want)
			}
		})
	}
}

func TestResolveDoesNotModifyBase(t *testing.T) {
	base := mustParse(t, "http://example.com/a/b?q")
	want := base.String()
	u, err := Resolve(base, "")
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/changed"
	if base.String() != want {
		t.Errorf("base changed to %q", base.String())
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   url.URL
		want string
	}{
		{"raw path ignored when inconsistent", url.URL{Scheme: "http", Host: "x", Path: "/a b", RawPath: "/zzz"}, "http://x/a%20b"},
		{"path without slash", url.URL{Scheme: "http", Host: "x", Path: "a"}, "http://x/a"},
		{"force query", url.URL{Scheme: "http", Host: "x", Path: "/", ForceQuery: true}, "http://x/"},
		{"fragment", url.URL{Scheme: "http", Host: "x", Path: "/", Fragment: "f", RawFragment: "f"}, "http://x/"},
		{"raw query hash", url.URL{Scheme: "http", Host: "x", Path: "/", RawQuery: "a#b"}, "http://x/?a%23b"},
		{"relative path left alone", url.URL{Path: "a/../b"}, "a/../b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.in
			Normalize(&u)
			if got := u.String(); got != tt.want {
				t.Errorf("Normalize = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNormalizeNoAllocs(t *testing.T) {
	u := mustParse(t, "https://example.com/a/b.html?x=1&y=%2F")
	if n := testing.AllocsPerRun(100, func() { Normalize(u) }); n != 0 {
		t.Errorf("Normalize of a canonical URL: %v allocs, want 0", n)
	}
}

func TestToASCII(t *testing.T) {
	// Vectors from RFC 3492 section 7.1 and well-known test domains.
	tests := []struct{ in, want string }{
		{"bücher", "xn--bcher-kva"},
		{"münchen.de", "xn--mnchen-3ya.de"},
		{"日本語.jp", "xn--wgv71a119e.jp"},
		{"пример.испытание", "xn--e1afmkfd.xn--80akhbyknj4f"},
		{"ドメイン名例", "xn--eckwd4c7cu47r2wf"},
		{"他们为什么不说中文", "xn--ihqwcrb4cv8a8dqg056pqjye"},
		{"3年b組金八先生", "xn--3b-ww4c5e180e575a65lsy2b"},
		{"ＥＸＡＭＰＬＥ．com", "example.com"},
		{"cafe\u0301.fr", "xn--caf-dma.fr"}, // decomposed é: NFC first
		{"café.fr", "xn--caf-dma.fr"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := toASCII(tt.in)
			if !ok || got != tt.want {
				t.Errorf("toASCII(%q) = %q, %v, want %q", tt.in, got, ok, tt.want)
			}
		})
	}
	for _, bad := range []string{"a\xffb", "bü cher", "bü<cher"} {
		if got, ok := toASCII(bad); ok {
			t.Errorf("toASCII(%q) = %q, want failure", bad, got)
		}
	}
}

func mustParse(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return u
}

// checkStable fails unless u is a fixed point: normalizing it again and
// re-parsing its string change nothing.
func checkStable(t testing.TB, u *url.URL) {
	t.Helper()
	s := u.String()
	again := *u
	Normalize(&again)
	if got := again.String(); got != s {
		t.Errorf("Normalize not idempotent: %q became %q", s, got)
	}
	re, err := url.Parse(s)
	if err != nil {
		t.Fatalf("normalized %q does not re-parse: %v", s, err)
	}
	Normalize(re)
	if got := re.String(); got != s {
		t.Errorf("normalized %q re-parses and normalizes to %q", s, got)
	}
}

// TestEscapedAsIs checks escapedAsIs against net/url: when it says a path
// needs no RawPath, net/url's encoding of the unescaped path gives it back.
func TestEscapedAsIs(t *testing.T) {
	for c := 0x21; c < 0x7f; c++ {
		p := "/a" + string(rune(c)) + "b"
		if !escapedAsIs(p) || mustEscape(byte(c), true) || c == '%' {
			continue
		}
		if got := (&url.URL{Path: p}).EscapedPath(); got != p {
			t.Errorf("escapedAsIs(%q) = true, but net/url escapes it as %q", p, got)
		}
	}
}
