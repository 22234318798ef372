package urlnorm

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const (
	tomcatID = "ABCDEF0123456789ABCDEF0123456789"
	phpID    = "9682993c8daa2c5497996114facdc805"
	aspID    = "EOHBLBDDPFCLHKPGGKLILNAM"
)

func TestSessionIDs(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// ;jsessionid path parameters: any value.
		{"jsessionid path parameter", "http://x/a;jsessionid=0123ABC?x=1", "http://x/a?x=1"},
		{"jsessionid uppercase", "http://x/a;JSESSIONID=0123ABC", "http://x/a"},
		{"jsessionid jvmRoute", "http://x/a.jsp;jsessionid=" + tomcatID + ".node1?p=2", "http://x/a.jsp?p=2"},
		{"jsessionid websphere", "http://x/a;jsessionid=0000AbCdEf:1a2b3c", "http://x/a"},
		{"jsessionid in a folder", "http://x/a;jsessionid=X/b.html", "http://x/a/b.html"},
		{"other path parameters kept", "http://x/a;v=1;jsessionid=X;w=2/b", "http://x/a;v=1;w=2/b"},
		{"jsessionid alone in a segment", "http://x/a/;jsessionid=X/b", "http://x/a//b"},
		{"jsessionid on the root", "http://x/;jsessionid=1", "http://x/"},
		{"jsessionid empty value", "http://x/a;jsessionid=", "http://x/a"},
		{"two jsessionids", "http://x/a;jsessionid=1;jsessionid=2/b;jsessionid=3", "http://x/a/b"},
		{"jsessionid escaped name", "http://x/a;%6Asessionid=X", "http://x/a"},
		{"jsessionid before dot segments", "http://x/a/b/..;jsessionid=1/c", "http://x/a/c"},
		{"jsessionid without value kept", "http://x/a;jsessionid", "http://x/a;jsessionid"},
		{"escaped semicolon kept", "http://x/a%3Bjsessionid=X", "http://x/a%3Bjsessionid=X"},
		{"longer name kept", "http://x/a;jsessionidx=X", "http://x/a;jsessionidx=X"},
		{"path and query", "http://x/a;jsessionid=1?jsessionid=1", "http://x/a"},

		// Names used only for sessions: any non-empty value.
		{"query jsessionid", "http://x/a?jsessionid=ABC&p=1", "http://x/a?p=1"},
		{"phpsessid", "http://x/?PHPSESSID=" + phpID, "http://x/"},
		{"phpsessid short", "http://x/?PHPSESSID=abc", "http://x/"},
		{"phpsessid in the middle", "http://x/?a=1&phpsessid=" + phpID + "&b=2", "http://x/?a=1&b=2"},
		{"phpsessid last", "http://x/?a=1&PhpSessId=" + phpID, "http://x/?a=1"},
		{"phpsessid escaped name", "http://x/?PHP%53ESSID=" + phpID + "&a=1", "http://x/?a=1"},
		{"phpsessid empty kept", "http://x/?PHPSESSID=&a=1", "http://x/?PHPSESSID=&a=1"},
		{"phpsessid without value kept", "http://x/?PHPSESSID&a=1", "http://x/?PHPSESSID&a=1"},
		{"aspsessionid", "http://x/a.asp?ASPSESSIONIDAQBSDSRT=" + aspID + "&id=4", "http://x/a.asp?id=4"},
		{"aspsessionid lowercase", "http://x/a.asp?aspsessionidaqbsdsrt=" + aspID, "http://x/a.asp"},
		{"aspsessionid 7 letters kept", "http://x/?ASPSESSIONIDAQBSDSR=" + aspID, "http://x/?ASPSESSIONIDAQBSDSR=" + aspID},
		{"aspsessionid digits kept", "http://x/?ASPSESSIONID1234ABCD=" + aspID, "http://x/?ASPSESSIONID1234ABCD=" + aspID},

		// Ambiguous names: only values that look like session ids.
		{"sid 32 hex", "http://x/viewtopic.php?t=5&sid=" + phpID, "http://x/viewtopic.php?t=5"},
		{"sid 16 mixed", "http://x/?sid=a1b2c3d4e5f6a7b8", "http://x/"},
		{"sid with suffix", "http://x/?sid=" + tomcatID + ".node1", "http://x/"},
		{"sid story id kept", "http://x/story?sid=3", "http://x/story?sid=3"},
		{"sid 15 chars kept", "http://x/?sid=a1b2c3d4e5f6a7b", "http://x/?sid=a1b2c3d4e5f6a7b"},
		{"sid long number kept", "http://x/?sid=1234567890123456789", "http://x/?sid=1234567890123456789"},
		{"sid word kept", "http://x/?sid=abcdefabcdefabcdefabcd", "http://x/?sid=abcdefabcdefabcdefabcd"},
		{"sid slug kept", "http://x/?sid=keynote-2024-opening-day", "http://x/?sid=keynote-2024-opening-day"},
		{"sessionid conference kept", "http://x/talks?sessionid=42", "http://x/talks?sessionid=42"},
		{"sessionid token", "http://x/?SessionID=q3ve4o1a2v3r1abcdefg0x&x=1", "http://x/?x=1"},
		{"session_id token", "http://x/?session_id=" + phpID, "http://x/"},
		{"name ending in sid kept", "http://x/?xsid=" + phpID, "http://x/?xsid=" + phpID},
		{"value containing sid kept", "http://x/?q=sid=" + phpID, "http://x/?q=sid=" + phpID},

		// ColdFusion: both names, letters, digits and hyphens.
		{"cfid and cftoken", "http://x/boo?CFID=1169580&CFTOKEN=48630702&dt=22", "http://x/boo?dt=22"},
		{"cftoken uuid", "http://x/?CFID=14475712&CFTOKEN=2D89F5AF-3048-2957-DA4EE4B6B13661AB&r=4", "http://x/?r=4"},
		{"cfid and cftoken apart", "http://x/?cfid=1&x=2&cftoken=3", "http://x/?x=2"},
		{"cfid alone kept", "http://x/?CFID=1169580", "http://x/?CFID=1169580"},
		{"cftoken alone kept", "http://x/?CFTOKEN=48630702", "http://x/?CFTOKEN=48630702"},
		{"cfid odd value kept", "http://x/?CFID=1.5&CFTOKEN=2", "http://x/?CFID=1.5&CFTOKEN=2"},

		// Everything else about the query stays.
		{"order kept", "http://x/?b=2&PHPSESSID=x&a=1&sid=" + phpID + "&c=3", "http://x/?b=2&a=1&c=3"},
		{"empty parameters kept", "http://x/?a=1&&PHPSESSID=x", "http://x/?a=1&"},
		{"repeated", "http://x/?PHPSESSID=1&PHPSESSID=2", "http://x/"},
		{"no session id", "http://x/?a=1&b", "http://x/?a=1&b"},
	}
	// With KeepSessionIDs, Parse gives back the input, which is canonical
	// but for these.
	keepWant := map[string]string{
		"jsessionid escaped name": "http://x/a;jsessionid=X",
		"phpsessid escaped name":  "http://x/?PHPSESSID=" + phpID + "&a=1",
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
			if bad := sessionIDIn(u); bad != "" {
				t.Errorf("Parse(%q) = %q still has the session id %q", tt.in, u, bad)
			}

			// The long way through url.Parse and Normalize agrees.
			v, err := url.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			Normalize(v)
			if v.String() != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, v, tt.want)
			}

			// KeepSessionIDs keeps the URL as Parse did before.
			keep := Normalizer{KeepSessionIDs: true}
			k, err := keep.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			want := keepWant[tt.name]
			if want == "" {
				want = tt.in
			}
			if k.String() != want {
				t.Errorf("KeepSessionIDs: Parse(%q) = %q, want %q", tt.in, k, want)
			}
			checkStableWith(t, keep, k)
		})
	}
}

// TestSessionIDVariants checks the point of the rules: the links a
// session-tracking site gives on successive visits are one URL.
func TestSessionIDVariants(t *testing.T) {
	for _, variants := range [][]string{
		{
			"http://shop.example/item.jsp?id=7",
			"http://shop.example/item.jsp;jsessionid=" + tomcatID + "?id=7",
			"http://shop.example/item.jsp;jsessionid=FEDCBA9876543210FEDCBA9876543210.node2?id=7",
		},
		{
			"http://forum.example/viewtopic.php?t=5",
			"http://forum.example/viewtopic.php?t=5&sid=" + phpID,
			"http://forum.example/viewtopic.php?sid=0123456789abcdef0123456789abcdef&t=5",
			"http://forum.example/viewtopic.php?PHPSESSID=abc&t=5",
		},
		{
			"http://old.example/a.asp",
			"http://old.example/a.asp?ASPSESSIONIDQQGGGRTB=" + aspID,
			"http://old.example/a.asp?ASPSESSIONIDSQADBTAS=NKLMBMDDJFEGCEGMPJIBMNEP",
		},
	} {
		want := mustParse(t, variants[0]).String()
		for _, v := range variants[1:] {
			if got := mustParse(t, v).String(); got != want {
				t.Errorf("Parse(%q) = %q, want %q like %q", v, got, want, variants[0])
			}
		}
	}
}

func TestResolveSessionIDs(t *testing.T) {
	tests := []struct {
		name, base, ref, want string
	}{
		{"relative", "http://x/dir/page", "next.jsp;jsessionid=1234?PHPSESSID=zz", "http://x/dir/next.jsp"},
		{"query only", "http://x/dir/page?a=1", "?PHPSESSID=zz", "http://x/dir/page"},
		{"query only kept part", "http://x/dir/page", "?sid=" + phpID + "&p=2", "http://x/dir/page?p=2"},
		{"absolute", "http://x/", "http://y/a;jsessionid=1?sid=" + phpID, "http://y/a"},
		{"protocol relative", "http://x/", "//y/a;jsessionid=1", "http://y/a"},
		{"absolute with userinfo", "http://x/", "http://u@y/a;jsessionid=1?CFID=1&CFTOKEN=2", "http://y/a"},
		{"same scheme relative", "http://x/d/", "http:a;jsessionid=1", "http://x/d/a"},
		{"dot segments", "http://x/a/b/c", "..;jsessionid=1/../d", "http://x/d"},
		{"story id kept", "http://x/news/", "story?sid=3", "http://x/news/story?sid=3"},
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

func TestKeepSessionIDs(t *testing.T) {
	keep := Normalizer{KeepSessionIDs: true}
	base, err := keep.Parse("http://x/dir/page;jsessionid=1?PHPSESSID=" + phpID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := base.String(), "http://x/dir/page;jsessionid=1?PHPSESSID="+phpID; got != want {
		t.Errorf("Parse = %q, want %q", got, want)
	}
	for ref, want := range map[string]string{
		"next;jsessionid=2?sid=" + phpID: "http://x/dir/next;jsessionid=2?sid=" + phpID,
		"?CFID=1&CFTOKEN=2":              "http://x/dir/page;jsessionid=1?CFID=1&CFTOKEN=2",
		"//y/a;jsessionid=3":             "http://y/a;jsessionid=3",
		"":                               "http://x/dir/page;jsessionid=1?PHPSESSID=" + phpID,
	} {
		u, err := keep.Resolve(base, ref)
		if err != nil {
			t.Fatalf("Resolve(%q): %v", ref, err)
		}
		if u.String() != want {
			t.Errorf("Resolve(%q) = %q, want %q", ref, u, want)
		}
		checkStableWith(t, keep, u)
	}
	u := &url.URL{Scheme: "http", Host: "x", Path: "/a;jsessionid=1", RawQuery: "ASPSESSIONIDAQBSDSRT=" + aspID}
	keep.Normalize(u)
	if want := "http://x/a;jsessionid=1?ASPSESSIONIDAQBSDSRT=" + aspID; u.String() != want {
		t.Errorf("Normalize = %q, want %q", u, want)
	}
	Normalize(u)
	if want := "http://x/a"; u.String() != want {
		t.Errorf("Normalize with the default = %q, want %q", u, want)
	}
}

func TestLooksLikeSessionToken(t *testing.T) {
	for v, want := range map[string]bool{
		"":                          false,
		"3":                         false,
		"a1b2c3d4e5f6a7b":           false, // 15
		"a1b2c3d4e5f6a7b8":          true,
		"A1B2C3D4E5F6A7B8":          true,
		"1234567890123456":          false,
		"abcdefghijklmnop":          false,
		"a1b2c3d4e5f6a7b8.node1":    true,
		"a1b2c3d4-e5f6a7b8c9d0e1f2": false, // the leading run is 8
		phpID:                       true,
		tomcatID:                    true,
	} {
		if got := looksLikeSessionToken(v); got != want {
			t.Errorf("looksLikeSessionToken(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestNormalizeSessionIDsNoAllocs(t *testing.T) {
	u := mustParse(t, "https://example.com/a;v=1/b.html?x=1&sid=3&CFID=2&y=%2F")
	if n := testing.AllocsPerRun(100, func() { Normalize(u) }); n != 0 {
		t.Errorf("Normalize of a canonical URL with no session id: %v allocs, want 0", n)
	}
}

// checkStableWith is checkStable for the normalizer n.
func checkStableWith(t testing.TB, n Normalizer, u *url.URL) {
	t.Helper()
	s := u.String()
	again := *u
	n.Normalize(&again)
	if got := again.String(); got != s {
		t.Errorf("Normalize not idempotent: %q became %q", s, got)
	}
	re, err := n.Parse(s)
	if err != nil {
		t.Fatalf("normalized %q does not parse: %v", s, err)
	}
	if got := re.String(); got != s {
		t.Errorf("normalized %q parses to %q", s, got)
	}
}

// The session-id rules written again as regular expressions, for the
// tests to check the code against.
var (
	pathSessionRE  = regexp.MustCompile(`(?i);jsessionid=`)
	namedSessionRE = regexp.MustCompile(`(?i)^(?:jsessionid|phpsessid|aspsessionid[a-z]{8})=.`)
	ambiguousRE    = regexp.MustCompile(`(?i)^(?:sid|sessionid|session_id)=([a-z0-9]{16,})`)
	cfidRE         = regexp.MustCompile(`(?i)^cfid=[a-z0-9-]+$`)
	cftokenRE      = regexp.MustCompile(`(?i)^cftoken=[a-z0-9-]+$`)
	letterRE       = regexp.MustCompile(`[a-zA-Z]`)
	digitRE        = regexp.MustCompile(`[0-9]`)
)

// sessionIDIn returns a session id left in u by the rules of session.go,
// or "".
func sessionIDIn(u *url.URL) string {
	if m := pathSessionRE.FindString(u.EscapedPath()); m != "" {
		return m
	}
	var cfid, cftoken string
	for _, p := range strings.Split(u.RawQuery, "&") {
		if namedSessionRE.MatchString(p) {
			return p
		}
		if m := ambiguousRE.FindStringSubmatch(p); m != nil && letterRE.MatchString(m[1]) && digitRE.MatchString(m[1]) {
			return p
		}
		if cfidRE.MatchString(p) {
			cfid = p
		}
		if cftokenRE.MatchString(p) {
			cftoken = p
		}
	}
	if cfid != "" && cftoken != "" {
		return cfid + "&" + cftoken
	}
	return ""
}
