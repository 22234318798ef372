package scope

import (
	"net/url"
	"regexp"
	"testing"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestCheckHosts(t *testing.T) {
	seeds := []*url.URL{mustURL(t, "http://www.example.co.uk:8080/"), mustURL(t, "https://127.0.0.1/")}
	tests := []struct {
		mode Mode
		url  string
		want Reason
	}{
		{Host, "http://www.example.co.uk:8080/a", Follow},
		{Host, "https://www.example.co.uk/a", Follow}, // other scheme and port, same host
		{Host, "http://static.example.co.uk/a", OffSite},
		{Host, "http://127.0.0.1:9/x", Follow},
		{Host, "http://localhost/x", OffSite},
		{Domain, "http://static.example.co.uk/a", Follow},
		{Domain, "http://example.co.uk/a", Follow},
		{Domain, "http://other.co.uk/a", OffSite},
		{Domain, "http://127.0.0.1:9/x", Follow},
		{Domain, "http://127.0.0.2/x", OffSite},
		{Any, "http://anything.test/", Follow},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String()+" "+tt.url, func(t *testing.T) {
			s := New(Rules{Mode: tt.mode, MaxDepth: 5}, seeds)
			if got := s.Check(Parent{}, mustURL(t, tt.url), false); got != tt.want {
				t.Errorf("Check = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestCheckPatterns(t *testing.T) {
	seeds := []*url.URL{mustURL(t, "http://a.test/")}
	rules := Rules{
		Mode:     Host,
		MaxDepth: 3,
		Include:  []*regexp.Regexp{regexp.MustCompile(`/docs/`), regexp.MustCompile(`\.png$`)},
		Exclude:  []*regexp.Regexp{regexp.MustCompile(`/docs/private/`)},
	}
	s := New(rules, seeds)
	for url, want := range map[string]Reason{
		"http://a.test/docs/x.html":         Follow,
		"http://a.test/img/x.png":           Follow,
		"http://a.test/blog/":               NotIncluded,
		"http://a.test/docs/private/x.html": Excluded,
		"http://b.test/docs/x.html":         OffSite,
	} {
		if got := s.Check(Parent{}, mustURL(t, url), false); got != want {
			t.Errorf("Check(%s) = %v; want %v", url, got, want)
		}
	}
}

func TestCheckDepth(t *testing.T) {
	seeds := []*url.URL{mustURL(t, "http://a.test/")}
	u := mustURL(t, "http://a.test/x")
	tests := []struct {
		name       string
		maxDepth   int
		requisites bool
		parent     Parent
		requisite  bool
		want       Reason
	}{
		{"page within limit", 2, false, Parent{Depth: 1}, false, Follow},
		{"page past limit", 2, false, Parent{Depth: 2}, false, TooDeep},
		{"requisite one past limit", 2, false, Parent{Depth: 2}, true, Follow},
		{"requisite of page past limit", 2, false, Parent{Depth: 3}, true, TooDeep},
		{"stylesheet's image past limit", 2, false, Parent{Depth: 3, Requisite: true}, true, Follow},
		{"imported stylesheet's image", 2, false, Parent{Depth: 4, Requisite: true}, true, Follow},
		{"requisite chain ends", 2, false, Parent{Depth: 5, Requisite: true}, true, TooDeep},
		{"page link from a requisite past limit", 2, false, Parent{Depth: 3, Requisite: true}, false, TooDeep},
		{"depth 0 fetches only seeds", 0, false, Parent{Depth: 0}, true, TooDeep},
		{"depth 0 with -p fetches seed requisites", 0, true, Parent{Depth: 0}, true, Follow},
		{"depth 0 with -p no pages", 0, true, Parent{Depth: 0}, false, TooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Rules{MaxDepth: tt.maxDepth, Requisites: tt.requisites}, seeds)
			if got := s.Check(tt.parent, u, tt.requisite); got != tt.want {
				t.Errorf("Check = %v; want %v", got, tt.want)
			}
			if tt.want == Follow && !s.MayFollow(tt.parent) {
				t.Errorf("MayFollow = false for a parent whose link is followed")
			}
		})
	}
}

func TestMayFollow(t *testing.T) {
	s := New(Rules{MaxDepth: 2}, nil)
	for _, tt := range []struct {
		parent Parent
		want   bool
	}{
		{Parent{Depth: 1}, true},
		{Parent{Depth: 2}, true}, // its requisites
		{Parent{Depth: 3}, false},
		{Parent{Depth: 4, Requisite: true}, true},
		{Parent{Depth: 5, Requisite: true}, false},
	} {
		if got := s.MayFollow(tt.parent); got != tt.want {
			t.Errorf("MayFollow(%+v) = %v; want %v", tt.parent, got, tt.want)
		}
	}
	if New(Rules{MaxDepth: 0}, nil).MayFollow(Parent{}) {
		t.Error("MayFollow with depth 0 = true; want false")
	}
}

func TestParseMode(t *testing.T) {
	for _, s := range []string{"host", "domain", "any"} {
		m, err := ParseMode(s)
		if err != nil || m.String() != s {
			t.Errorf("ParseMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := ParseMode("planet"); err == nil {
		t.Error("ParseMode accepted an unknown mode")
	}
}

func TestAddSeed(t *testing.T) {
	s := New(Rules{Mode: Host, MaxDepth: 1}, []*url.URL{mustURL(t, "http://example.com/")})
	www := mustURL(t, "https://www.example.com/page")
	if s.Allows(www) != OffSite {
		t.Fatal("www in scope before the redirect")
	}
	s.AddSeed(mustURL(t, "https://www.example.com/"))
	if r := s.Check(Parent{}, www, false); r != Follow {
		t.Fatalf("after AddSeed: %v", r)
	}
}
