package scope

import (
	"net/url"
	"testing"
)

func TestNoParent(t *testing.T) {
	seeds := []*url.URL{
		mustURL(t, "https://a.test/docs/guide/index.html"),
		mustURL(t, "https://a.test/docs/api/"),
		mustURL(t, "https://b.test/start"), // folder /: the whole host
	}
	tests := []struct {
		url       string
		requisite bool
		want      Reason
	}{
		{"https://a.test/docs/guide/", false, Follow},
		{"https://a.test/docs/guide/part/2.html", false, Follow},
		{"http://a.test:8080/docs/api/x", false, Follow}, // any scheme and port, as --scope host
		{"https://a.test/docs/", false, AboveStart},
		{"https://a.test/docs/guide", false, AboveStart}, // the folder without its slash is above
		{"https://a.test/", false, AboveStart},
		{"https://a.test", false, AboveStart},
		{"https://a.test/docs/guidebook/x.html", false, AboveStart},
		{"https://a.test/static/site.css", true, Follow}, // a requisite is exempt
		{"https://b.test/anything/at/all", false, Follow},
		{"https://c.test/up/", false, Follow}, // another host: not concerned
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			s := New(Rules{Mode: Any, MaxDepth: 5, NoParent: true}, seeds)
			if got := s.Check(Parent{}, mustURL(t, tt.url), tt.requisite); got != tt.want {
				t.Errorf("Check = %v; want %v", got, tt.want)
			}
		})
	}
	s := New(Rules{Mode: Host, MaxDepth: 5, NoParent: true}, seeds[:1])
	up := mustURL(t, "https://a.test/other/")
	if got := s.Allows(up); got != AboveStart {
		t.Errorf("Allows(%s) = %v; want %v", up, got, AboveStart)
	}
	if got := s.AllowsRequisite(up); got != Follow {
		t.Errorf("AllowsRequisite(%s) = %v; want follow", up, got)
	}
	// A seed's redirect adds its target's folder.
	s.AddSeed(mustURL(t, "https://a.test/other/index.html"))
	if got := s.Allows(up); got != Follow {
		t.Errorf("after AddSeed, Allows(%s) = %v; want follow", up, got)
	}
}

func TestAcceptReject(t *testing.T) {
	seeds := []*url.URL{mustURL(t, "https://a.test/")}
	tests := []struct {
		name           string
		accept, reject []string
		parent         Parent
		url            string
		want           Reason
	}{
		{"suffix", []string{"pdf"}, nil, Parent{}, "https://a.test/f/report.pdf", Follow},
		{"suffix with dot", []string{".pdf"}, nil, Parent{}, "https://a.test/report.pdf?x=1", Follow},
		{"case does not matter", []string{"pdf"}, nil, Parent{}, "https://a.test/REPORT.PDF", Follow},
		{"not accepted", []string{"pdf", "zip"}, nil, Parent{}, "https://a.test/photo.jpg", NotAccepted},
		{"glob", []string{"report-??.pdf"}, nil, Parent{}, "https://a.test/report-12.pdf", Follow},
		{"glob misses", []string{"report-??.pdf"}, nil, Parent{}, "https://a.test/report-123.pdf", NotAccepted},
		{"glob star", []string{"*.tar.gz"}, nil, Parent{}, "https://a.test/x/src-1.0.tar.gz", Follow},
		{"escaped name", []string{"a b.pdf"}, nil, Parent{}, "https://a.test/a%20b.pdf", Follow},
		{"html page followed", []string{"pdf"}, nil, Parent{}, "https://a.test/docs/list.html", Follow},
		{"folder followed", []string{"pdf"}, nil, Parent{}, "https://a.test/docs/", Follow},
		{"page without extension followed", []string{"pdf"}, nil, Parent{}, "https://a.test/docs/intro", Follow},
		{"page at the limit not accepted", []string{"pdf"}, nil, Parent{Depth: 2}, "https://a.test/docs/list.html", NotAccepted},
		{"folder at the limit followed", []string{"pdf"}, nil, Parent{Depth: 2}, "https://a.test/docs/", Follow},
		{"php is no page", []string{"pdf"}, nil, Parent{}, "https://a.test/index.php", NotAccepted},
		{"rejected", nil, []string{"*.iso", "zip"}, Parent{}, "https://a.test/big.iso", Rejected},
		{"rejected suffix", nil, []string{"zip"}, Parent{}, "https://a.test/a.ZIP", Rejected},
		{"not rejected", nil, []string{"zip"}, Parent{}, "https://a.test/a.pdf", Follow},
		{"rejected page followed", nil, []string{"html"}, Parent{}, "https://a.test/a.html", Follow},
		{"rejected page at the limit", nil, []string{"html"}, Parent{Depth: 2}, "https://a.test/a.html", Rejected},
		{"accepted then rejected", []string{"pdf"}, []string{"draft-*"}, Parent{}, "https://a.test/draft-1.pdf", Rejected},
		{"requisite too", []string{"pdf"}, nil, Parent{}, "https://a.test/logo.png", NotAccepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Rules{Mode: Host, MaxDepth: 3, Accept: tt.accept, Reject: tt.reject}, seeds)
			if got := s.Check(tt.parent, mustURL(t, tt.url), false); got != tt.want {
				t.Errorf("Check(%s) = %v; want %v", tt.url, got, tt.want)
			}
		})
	}
}

func TestValidateNames(t *testing.T) {
	if err := ValidateNames([]string{"pdf", "*.tar.gz", "[ab]*.jpg"}); err != nil {
		t.Error(err)
	}
	for _, bad := range [][]string{{"[a-"}, {""}} {
		if err := ValidateNames(bad); err == nil {
			t.Errorf("ValidateNames(%q) succeeded", bad)
		}
	}
}
