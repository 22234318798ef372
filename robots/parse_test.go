package robots

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// readFixture returns the contents of testdata/name.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustURL parses s, which must be valid; a bare path is put on example.com.
func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	if strings.HasPrefix(s, "/") {
		s = "http://example.com" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestRFCExamples checks the examples of RFC 9309 section 5.
func TestRFCExamples(t *testing.T) {
	simple := readFixture(t, "rfc9309-example.txt")
	longest := readFixture(t, "rfc9309-longest.txt")
	tests := []struct {
		file  []byte
		agent string
		path  string
		want  bool
	}{
		// Section 5.1: foobot may fetch only page.html and allowed.gif.
		{simple, "foobot", "/example/page.html", true},
		{simple, "foobot", "/example/allowed.gif", true},
		{simple, "foobot", "/example/other.html", false},
		{simple, "foobot", "/", false},
		{simple, "FooBot", "/publications/", false},
		// barbot and bazbot share a group and ignore the "*" group.
		{simple, "barbot", "/example/page.html", false},
		{simple, "bazbot", "/example/page.html", false},
		{simple, "barbot", "/example/other.html", true},
		{simple, "bazbot", "/image.gif", true},
		// quxbot has an empty group: everything is allowed.
		{simple, "quxbot", "/example/page.html", true},
		{simple, "quxbot", "/image.gif", true},
		// Anyone else follows "*".
		{simple, "crawl", "/image.gif", false},
		{simple, "crawl", "/a/b/image.gif", false},
		{simple, "crawl", "/image.gif?x", true},
		{simple, "crawl", "/example/", false},
		{simple, "crawl", "/example/page.html", false},
		{simple, "crawl", "/publications/", true},
		{simple, "crawl", "/publications/x.gif", true}, // "/publications/" is longer than "*.gif$"
		{simple, "crawl", "/other", true},
		{simple, "", "/example/", false},
		// Section 5.2: the longest match wins.
		{longest, "foobot", "/example/page/", true},
		{longest, "foobot", "/example/page/index.html", true},
		{longest, "foobot", "/example/page/disallowed.gif", false},
	}
	for _, tt := range tests {
		t.Run(tt.agent+tt.path, func(t *testing.T) {
			d := Parse(tt.file, tt.agent).Check(mustURL(t, tt.path))
			if d.Allowed != tt.want {
				t.Errorf("agent %q, %s: Allowed = %v (%s), want %v", tt.agent, tt.path, d.Allowed, d.Reason, tt.want)
			}
		})
	}
}

// TestPatterns checks "*", "$" and prefix matching against the examples of
// Google's robots.txt documentation, and percent-encoding against RFC 9309
// section 2.2.2.
func TestPatterns(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		noMatch []string
	}{
		{"/", []string{"/", "/a", "/a/b?c"}, nil},
		{"/*", []string{"/", "/a", "/a/b?c"}, nil},
		{"/$", []string{"/"}, []string{"/a", "/?a"}},
		{"/fish", []string{"/fish", "/fish.html", "/fish/salmon.html", "/fishheads", "/fishheads/yummy.html", "/fish.php?id=anything"},
			[]string{"/Fish.asp", "/catfish", "/?id=fish", "/desert/fish"}},
		{"/fish*", []string{"/fish", "/fish.html", "/fish/salmon.html", "/fishheads", "/fish.php?id=anything"},
			[]string{"/Fish.asp", "/catfish", "/?id=fish", "/desert/fish"}},
		{"/fish/", []string{"/fish/", "/fish/?id=anything", "/fish/salmon.htm"},
			[]string{"/fish", "/fish.html", "/animals/fish/", "/Fish/Salmon.asp"}},
		{"/*.php", []string{"/index.php", "/filename.php", "/folder/filename.php", "/folder/filename.php?parameters", "/folder/any.php.file.html", "/filename.php/"},
			[]string{"/", "/windows.PHP"}},
		{"/*.php$", []string{"/filename.php", "/folder/filename.php"},
			[]string{"/filename.php?parameters", "/filename.php/", "/filename.php5", "/windows.PHP"}},
		{"/fish*.php", []string{"/fish.php", "/fishheads/catfish.php?parameters"},
			[]string{"/Fish.PHP", "/x/fish.php"}},
		{"*.gif$", []string{"/a.gif", "/a/b.gif"}, []string{"/a.gif?x", "/a.gifs"}},
		{"/a*b*c$", []string{"/abc", "/aXbYc", "/abcbc", "/abxc"}, []string{"/abcx", "/acb"}},
		{"/a$b", []string{"/a$b", "/a$bc"}, []string{"/a", "/ab"}},
		{"fish", []string{"/fish"}, []string{"/catfish"}}, // read as "/fish"
		{"/foo/bar?baz=quz", []string{"/foo/bar?baz=quz"}, []string{"/foo/bar"}},
		// Percent-encoding is compared canonically.
		{"/a%3cd", []string{"/a%3Cd", "/a%3cd", "/a<d"}, []string{"/a%3Ce"}},
		{"/foo/bar/ツ", []string{"/foo/bar/%E3%83%84", "/foo/bar/%e3%83%84"}, nil},
		{"/foo/bar/%E3%83%84", []string{"/foo/bar/%E3%83%84"}, nil},
		{"/foo/bar/baz", []string{"/foo/bar/%62%61%7A"}, nil},
		{"/~user", []string{"/%7Euser", "/~user"}, nil},
		{"/a%2Fb", []string{"/a%2fb"}, []string{"/a/b"}}, // reserved: stays encoded
		{"/a b", []string{"/a%20b"}, nil},
		{"/%", []string{"/%25"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			rules := Parse([]byte("User-agent: *\nDisallow: "+tt.pattern+"\n"), "crawl")
			for _, p := range tt.match {
				if d := rules.Check(mustURL(t, p)); d.Allowed {
					t.Errorf("Disallow: %s does not match %s", tt.pattern, p)
				}
			}
			for _, p := range tt.noMatch {
				if d := rules.Check(mustURL(t, p)); !d.Allowed {
					t.Errorf("Disallow: %s matches %s (%s)", tt.pattern, p, d.Reason)
				}
			}
		})
	}
}

// TestPrecedence checks that the longest match wins and that Allow wins a
// tie, whatever the order of the lines.
func TestPrecedence(t *testing.T) {
	tests := []struct {
		name  string
		rules string
		path  string
		want  bool
	}{
		{"longer allow", "Allow: /p\nDisallow: /", "/page", true},
		{"longer allow after", "Disallow: /\nAllow: /p", "/page", true},
		{"tie allow first", "Allow: /folder\nDisallow: /folder", "/folder/page", true},
		{"tie disallow first", "Disallow: /folder\nAllow: /folder", "/folder/page", true},
		{"tie with wildcards", "Disallow: /a*c\nAllow: /a*x", "/abcx", true},
		{"longer wildcard disallow", "Allow: /page\nDisallow: /*.htm", "/page.htm", false},
		{"root only", "Allow: /$\nDisallow: /", "/", true},
		{"root only other page", "Allow: /$\nDisallow: /", "/page.htm", false},
		{"longer disallow", "Allow: /folder/\nDisallow: /folder/page", "/folder/page.html", false},
		{"length is canonical", "Disallow: /%7Ea\nAllow: /~ab", "/~ab", true},
		{"empty disallow", "Disallow:", "/x", true},
		{"empty allow", "Allow:\nDisallow: /", "/x", false},
		{"no rules", "", "/x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Parse([]byte("User-agent: *\n"+tt.rules+"\n"), "crawl").Check(mustURL(t, tt.path))
			if d.Allowed != tt.want {
				t.Errorf("%q, %s: Allowed = %v (%s), want %v", tt.rules, tt.path, d.Allowed, d.Reason, tt.want)
			}
		})
	}
}

// TestGroups checks which groups apply to the product token "crawl".
func TestGroups(t *testing.T) {
	tests := []struct {
		name string
		file string
		path string
		want bool
	}{
		{"own group over star", "User-agent: *\nDisallow: /\n\nUser-agent: crawl\nDisallow: /x\n", "/y", true},
		{"own group applies", "User-agent: *\nDisallow: /\n\nUser-agent: crawl\nDisallow: /x\n", "/x", false},
		{"case-insensitive", "User-agent: CRAWL\nDisallow: /\n", "/y", false},
		{"version ignored", "User-agent: Crawl/1.2 (+https://x)\nDisallow: /\n", "/y", false},
		{"prefix is another token", "User-agent: crawler\nDisallow: /\n", "/y", true},
		{"token prefix of ours", "User-agent: craw\nDisallow: /\n", "/y", true},
		{"star fallback", "User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /y\n", "/y", false},
		{"no group", "User-agent: otherbot\nDisallow: /\n", "/y", true},
		{"empty own group beats star", "User-agent: *\nDisallow: /\n\nUser-agent: crawl\n", "/y", true},
		{"merged groups first", "User-agent: crawl\nDisallow: /a\n\nUser-agent: *\nDisallow: /\n\nUser-agent: crawl\nDisallow: /b\n", "/a", false},
		{"merged groups second", "User-agent: crawl\nDisallow: /a\n\nUser-agent: *\nDisallow: /\n\nUser-agent: crawl\nDisallow: /b\n", "/b", false},
		{"merged groups other", "User-agent: crawl\nDisallow: /a\n\nUser-agent: *\nDisallow: /\n\nUser-agent: crawl\nDisallow: /b\n", "/c", true},
		{"shared group across blank line", "User-agent: otherbot\n\nUser-agent: crawl\nDisallow: /y\n", "/y", false},
		{"user-agent after rule starts group", "User-agent: crawl\nDisallow: /a\nUser-agent: otherbot\nDisallow: /y\n", "/y", true},
		{"star and own in one group", "User-agent: *\nUser-agent: crawl\nDisallow: /y\n", "/y", false},
		{"rules before user-agent ignored", "Disallow: /y\nUser-agent: *\nDisallow: /z\n", "/y", true},
		{"unknown lines ignored", "User-agent: crawl\nNoindex: /\nFoo bar baz\nDisallow: /y\n", "/y", false},
		{"missing colon", "User-agent crawl\nDisallow /y\n", "/y", false},
		{"typo", "useragent: crawl\ndissallow: /y\n", "/y", false},
		{"comments", "# hello\nUser-agent: crawl # us\nDisallow: /y # there\n", "/y", false},
		{"comment only value", "User-agent: crawl\nDisallow: # /y\n", "/y", true},
		{"CR line ends", "User-agent: crawl\rDisallow: /y\r", "/y", false},
		{"no final newline", "User-agent: crawl\nDisallow: /y", "/y", false},
		{"BOM", "\xef\xbb\xbfUser-agent: crawl\nDisallow: /y\n", "/y", false},
		{"invalid UTF-8", "User-agent: crawl\nDisallow: /\xff\n", "/%FF", false},
		{"robots.txt exempt", "User-agent: *\nDisallow: /\n", "/robots.txt", true},
		{"robots.txt exempt with query", "User-agent: *\nDisallow: /\n", "/robots.txt?x=1", true},
		{"robots.txt only at root", "User-agent: *\nDisallow: /\n", "/a/robots.txt", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Parse([]byte(tt.file), "crawl").Check(mustURL(t, tt.path))
			if d.Allowed != tt.want {
				t.Errorf("%q, %s: Allowed = %v (%s), want %v", tt.file, tt.path, d.Allowed, d.Reason, tt.want)
			}
		})
	}
}

// TestCrawlDelayAndSitemaps checks the lines that are not rules.
func TestCrawlDelayAndSitemaps(t *testing.T) {
	file := readFixture(t, "crlf-bom.txt")
	wantMaps := []string{"https://example.com/sitemap.xml", "https://example.com/news.xml.gz"}
	tests := []struct {
		name      string
		file      []byte
		agent     string
		wantDelay time.Duration
		wantMaps  []string
	}{
		{"own group", file, "crawl", time.Second, wantMaps},
		{"star group", file, "otherbot", 2500 * time.Millisecond, wantMaps},
		{"merged: largest", []byte("User-agent: crawl\nCrawl-delay: 3\nUser-agent: x\nDisallow: /\nUser-agent: crawl\nCrawl-delay: 5\n"), "crawl", 5 * time.Second, nil},
		{"invalid", []byte("User-agent: *\nCrawl-delay: soon\nCrawl-delay: -1\nCrawl-delay: NaN\n"), "crawl", 0, nil},
		{"huge", []byte("User-agent: *\nCrawl-delay: 1e300\n"), "crawl", maxCrawlDelay, nil},
		{"outside a group", []byte("Crawl-delay: 5\nUser-agent: *\nDisallow: /\n"), "crawl", 0, nil},
		{"sitemaps anywhere, deduplicated, absolute only", []byte(
			"Sitemap: http://a.example/1.xml\nUser-agent: *\nSitemap: /relative.xml\nDisallow: /\nSITEMAP:https://a.example/2.xml\n" +
				"sitemap: ftp://a.example/3.xml\nSitemap: http://a.example/1.xml\nSitemap:\n"),
			"crawl", 0, []string{"http://a.example/1.xml", "https://a.example/2.xml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Parse(tt.file, tt.agent)
			if got := r.CrawlDelay(); got != tt.wantDelay {
				t.Errorf("CrawlDelay() = %v, want %v", got, tt.wantDelay)
			}
			if got := r.Check(mustURL(t, "/")).CrawlDelay; got != tt.wantDelay {
				t.Errorf("Check().CrawlDelay = %v, want %v", got, tt.wantDelay)
			}
			if got := r.Sitemaps(); !slices.Equal(got, tt.wantMaps) {
				t.Errorf("Sitemaps() = %q, want %q", got, tt.wantMaps)
			}
		})
	}
}

// TestReason checks the reason given for a disallowed URL.
func TestReason(t *testing.T) {
	r := Parse([]byte("User-agent: *\nDisallow: /private\nDisallow: /a%3cb\n"), "crawl")
	tests := []struct {
		path, want string
	}{
		{"/private/x", "disallowed by robots.txt: Disallow: /private"},
		{"/a%3Cb", "disallowed by robots.txt: Disallow: /a%3Cb"},
		{"/public", ""},
	}
	for _, tt := range tests {
		if got := r.Check(mustURL(t, tt.path)).Reason; got != tt.want {
			t.Errorf("Check(%s).Reason = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// TestParseLimit checks that a file over ParseLimit is read up to the last
// whole line before the limit.
func TestParseLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("User-agent: *\nDisallow: /early\n")
	pad := "# " + strings.Repeat("x", 60) + "\n"
	for b.Len() < ParseLimit-len("Disallow: /cut-in-two\n")/2 {
		b.WriteString(pad)
	}
	b.WriteString("Disallow: /cut-in-two\n") // straddles the limit
	for b.Len() < 600<<10 {
		b.WriteString(pad)
	}
	b.WriteString("Disallow: /late\n")
	file := []byte(b.String())
	if len(file) < 600<<10 {
		t.Fatalf("file is %d bytes, want at least 600 KiB", len(file))
	}
	r := Parse(file, "crawl")
	tests := []struct {
		path string
		want bool
	}{
		{"/early", false},
		{"/cut", true}, // "Disallow: /cut" must not be read from the cut line
		{"/cut-in-two", true},
		{"/late", true},
	}
	for _, tt := range tests {
		if d := r.Check(mustURL(t, tt.path)); d.Allowed != tt.want {
			t.Errorf("Check(%s).Allowed = %v, want %v", tt.path, d.Allowed, tt.want)
		}
	}
}

// TestNilRules checks that a nil *Rules allows everything.
func TestNilRules(t *testing.T) {
	var r *Rules
	if d := r.Check(mustURL(t, "/x")); !d.Allowed || d.Reason != "" {
		t.Errorf("nil Rules: Check = %+v, want allowed", d)
	}
	if r.CrawlDelay() != 0 || r.Sitemaps() != nil {
		t.Errorf("nil Rules: CrawlDelay %v, Sitemaps %q", r.CrawlDelay(), r.Sitemaps())
	}
}

func TestPaths(t *testing.T) {
	r := Parse([]byte("User-agent: *\nDisallow: /admin/\nAllow: /admin/public\nDisallow: /*.pdf$\nDisallow: /tmp*\nDisallow: /\nDisallow: /admin/\nDisallow: /a%3cb\n"), "crawl")
	got := strings.Join(r.Paths(), " ")
	if want := "/admin/ /admin/public /tmp /a%3Cb"; got != want {
		t.Errorf("Paths = %q; want %q", got, want)
	}
}
