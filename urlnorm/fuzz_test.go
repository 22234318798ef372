package urlnorm

import (
	"net/url"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"http://example.com/a/./b/../c?x=%7e#f",
	"HTTP://EXAMPLE.COM:80",
	"https://bücher.de:0443/%2e%2E/a%2fb?",
	"http://[FE80::1%25en0]:8080/",
	"http://u:p@x/a b/é?q=\"<>",
	"http://x/%zz%",
	"//x/y",
	"../a",
	"?q",
	"#f",
	"javascript:alert(1)",
	"http:a",
	"http:///a",
	"http://例え。テスト/",
	" \thttp://x/\n",
	"http://x/a;jsessionid=0123ABC?x=1",
	"http://x/a/b/..;JSESSIONID=1/..;jsessionid=2/c",
	"http://x/?PHPSESSID=9682993c8daa2c5497996114facdc805&a=1&&sid=3",
	"http://x/?sid=a1b2c3d4e5f6a7b8.n&ASPSESSIONIDAQBSDSRT=EOHBLBDDPFCLHKPGGKLILNAM",
	"http://x/?CFID=1169580&x&CFTOKEN=2D89F5AF-3048&cfid=2",
	"http://x/?PHP%53ESSID=1&session_id=q3ve4o1a2v3r1abcdefg0x",
}

// FuzzNormalize checks that normalization never panics, is idempotent
// (normalizing twice is normalizing once), that a normalized URL's string
// re-parses to the same string, and that no session id is left by default
// while KeepSessionIDs only keeps them.
func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	keep := Normalizer{KeepSessionIDs: true}
	f.Fuzz(func(t *testing.T, raw string) {
		if u, err := Parse(raw); err == nil {
			if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
				t.Fatalf("Parse(%q) = %q: want http(s) with a host", raw, u)
			}
			checkStable(t, u)
			checkStableWith(t, Normalizer{}, u)
			if bad := sessionIDIn(u); bad != "" {
				t.Fatalf("Parse(%q) = %q keeps the session id %q", raw, u, bad)
			}
			k, err := keep.Parse(raw)
			if err != nil {
				t.Fatalf("Parse(%q) = %q, but with KeepSessionIDs: %v", raw, u, err)
			}
			checkStableWith(t, keep, k)
			// The query is stripped of what the rules call a session
			// id, and of nothing else.
			if sessionIDIn(k) == "" && k.RawQuery != u.RawQuery {
				t.Fatalf("Parse(%q) query %q, with KeepSessionIDs %q, which has no session id", raw, u.RawQuery, k.RawQuery)
			}
			// The fast path must agree with url.Parse and Normalize.
			want, err := url.Parse(clean(raw))
			if err != nil {
				t.Fatalf("Parse(%q) = %q, but url.Parse fails: %v", raw, u, err)
			}
			Normalize(want)
			if want.String() != u.String() || want.Path != u.Path || want.RawPath != u.RawPath {
				t.Fatalf("Parse(%q) = %q (path %q, raw %q), url.Parse and Normalize give %q (path %q, raw %q)",
					raw, u, u.Path, u.RawPath, want, want.Path, want.RawPath)
			}
		}
		// Normalize on whatever net/url accepts, relative and opaque URLs
		// included: it must not panic and must be idempotent.
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		v := *u
		Normalize(u)
		s1 := u.String()
		Normalize(u)
		if s2 := u.String(); s2 != s1 {
			t.Fatalf("Normalize(%q) not idempotent: %q then %q", raw, s1, s2)
		}
		if bad := sessionIDIn(u); bad != "" && u.Opaque == "" {
			t.Fatalf("Normalize(%q) = %q keeps the session id %q", raw, u, bad)
		}
		keep.Normalize(&v)
		s1 = v.String()
		keep.Normalize(&v)
		if s2 := v.String(); s2 != s1 {
			t.Fatalf("Normalize(%q) with KeepSessionIDs not idempotent: %q then %q", raw, s1, s2)
		}
	})
}

// FuzzResolve checks Resolve against every base in a small set: it never
// panics, its results are normalized absolute http(s) URLs, and, for refs
// that net/url reads the same way a browser does, it agrees with
// url.URL.ResolveReference followed by Normalize.
func FuzzResolve(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	bases := []*url.URL{}
	for _, b := range []string{"http://a/b/c/d;p?q", "https://example.com", "http://u:p@x/a%2Fb/", "http://[::1]:8080/x"} {
		u, err := Parse(b)
		if err != nil {
			f.Fatal(err)
		}
		bases = append(bases, u)
	}
	keep := Normalizer{KeepSessionIDs: true}
	f.Fuzz(func(t *testing.T, ref string) {
		for _, base := range bases {
			u, err := Resolve(base, ref)
			if err != nil {
				continue
			}
			if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Fragment != "" {
				t.Fatalf("Resolve(%q, %q) = %q: want http(s) with a host and no fragment", base, ref, u)
			}
			checkStable(t, u)
			if bad := sessionIDIn(u); bad != "" {
				t.Fatalf("Resolve(%q, %q) = %q keeps the session id %q", base, ref, u, bad)
			}

			// The fast path for relative references must agree with the
			// long way through a merged string and url.Parse.
			if cr := clean(ref); cr != "" && cr[0] != '#' && !strings.HasPrefix(cr, "//") {
				if _, _, ok := splitScheme(cr); !ok {
					checkLongWay(t, base, ref, u, merge(base, cr))
				}
			}

			// So must the fast path for absolute and protocol-relative
			// references with a plain host.
			if cr := clean(ref); strings.HasPrefix(cr, "//") {
				checkLongWay(t, base, ref, u, base.Scheme+":"+cr)
			} else if _, rest, ok := splitScheme(cr); ok && strings.HasPrefix(rest, "//") {
				checkLongWay(t, base, ref, u, cr)
			}

			// Differential check where net/url and browsers agree: no
			// clean-up needed and no scheme (so no "http:a" reading).
			if clean(ref) != ref || ref == "" || ref[0] == '#' {
				continue
			}
			if k, err := keep.Resolve(base, ref); err != nil || k.String() != u.String() {
				// A session id was stripped: net/url resolves dot
				// segments before Normalize strips ";jsessionid=",
				// which then reads "..;jsessionid=1" as a name.
				continue
			}
			if _, _, ok := splitScheme(ref); ok {
				continue
			}
			r, err := url.Parse(ref)
			if err != nil || r.RawPath != "" && r.EscapedPath() != r.RawPath {
				// net/url re-escapes a RawPath with bytes that should have
				// been escaped, and loses "%2F" or turns "!" into "%21" on
				// the way; Resolve keeps what was written.
				continue
			}
			if strings.HasPrefix(u.EscapedPath(), "//") {
				// net/url turns a leading "//" of a resolved path into
				// "/"; RFC 3986 and browsers keep it ("..//" on "/x").
				continue
			}
			want := base.ResolveReference(r)
			if want.Host == "" || strings.HasPrefix(want.Host, ":") {
				continue
			}
			Normalize(want)
			if want.String() != u.String() {
				t.Errorf("Resolve(%q, %q) = %q, net/url gives %q", base, ref, u, want)
			}
		}
	})
}

// checkLongWay fails unless abs, parsed by url.Parse and normalized, is u.
func checkLongWay(t *testing.T, base *url.URL, ref string, u *url.URL, abs string) {
	t.Helper()
	slow, err := Normalizer{}.parseResolved(abs)
	if err != nil {
		t.Fatalf("Resolve(%q, %q) = %q, but the long way fails: %v", base, ref, u, err)
	}
	if slow.String() != u.String() || slow.Path != u.Path || slow.RawPath != u.RawPath {
		t.Fatalf("Resolve(%q, %q) = %q (path %q, raw %q), the long way gives %q (path %q, raw %q)",
			base, ref, u, u.Path, u.RawPath, slow, slow.Path, slow.RawPath)
	}
}
