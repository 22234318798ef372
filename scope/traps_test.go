package scope

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/crawl-go/crawl/outcome"
)

func TestTraps(t *testing.T) {
	tests := []struct {
		name   string
		limits TrapLimits
		urls   []string // checked in order; the last one's verdict is tested
		reason outcome.Kind
	}{
		{"ordinary", TrapLimits{}, []string{"http://a.test/2024/01/01/post.html"}, ""},
		{"long URL", TrapLimits{}, []string{"http://a.test/" + strings.Repeat("x", 8200)}, outcome.TrapURLLength},
		{"deep path", TrapLimits{}, []string{"http://a.test" + strings.Repeat("/d", 33)}, outcome.TrapPathDepth},
		{"growing relative path", TrapLimits{}, []string{"http://a.test/docs/img/docs/img/docs/img/docs/img/x.png"}, outcome.TrapRepeatedSegment},
		{"three repeats allowed", TrapLimits{}, []string{"http://a.test/a/b/a/b/a/x"}, ""},
		{"pages per host", TrapLimits{MaxPagesPerHost: 2},
			[]string{"http://a.test/1", "http://b.test/1", "http://a.test/2", "http://a.test/3"}, outcome.TrapHostPages},
		{"pages per host, other host", TrapLimits{MaxPagesPerHost: 2},
			[]string{"http://a.test/1", "http://a.test/2", "http://b.test/1"}, ""},
		{"calendar", TrapLimits{MaxQueryVariants: 3},
			[]string{"http://a.test/cal?d=1", "http://a.test/cal?d=2", "http://a.test/cal?d=3", "http://a.test/cal?d=4"}, outcome.TrapQueryVariants},
		{"query variants per path", TrapLimits{MaxQueryVariants: 1},
			[]string{"http://a.test/cal?d=1", "http://a.test/other?d=1", "http://a.test/cal"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			traps := NewTraps(tt.limits)
			var reason outcome.Kind
			var why string
			for _, s := range tt.urls {
				u, err := url.Parse(s)
				if err != nil {
					t.Fatal(err)
				}
				var ok bool
				if reason, why, ok = traps.Static(u, s); ok {
					reason, why, _ = traps.Reserve(u)
				}
			}
			if reason != tt.reason || (reason != "") != (why != "") {
				t.Errorf("Check = %q (%s); want %q", reason, why, tt.reason)
			}
		})
	}
}

func TestTrapsUnreserve(t *testing.T) {
	traps := NewTraps(TrapLimits{MaxPagesPerHost: 1, MaxQueryVariants: 1})
	u, _ := url.Parse("http://a.test/p?x=1")
	if _, _, ok := traps.Reserve(u); !ok {
		t.Fatal("first Reserve refused")
	}
	traps.Unreserve(u) // it was a duplicate after all
	v, _ := url.Parse("http://a.test/p?x=2")
	if reason, _, ok := traps.Reserve(v); !ok {
		t.Fatalf("Reserve after Unreserve refused: %s", reason)
	}
	if _, _, ok := traps.Reserve(u); ok {
		t.Fatal("Reserve past both budgets accepted")
	}
}

func ExampleTraps_Static() {
	traps := NewTraps(TrapLimits{})
	for _, s := range []string{"http://a.test/docs/page.html", "http://a.test/x/x/x/x/page.html"} {
		u, _ := url.Parse(s)
		if _, why, ok := traps.Static(u, s); !ok {
			fmt.Println(s, "->", why)
		} else {
			fmt.Println(s, "-> followed")
		}
	}
	// Output:
	// http://a.test/docs/page.html -> followed
	// http://a.test/x/x/x/x/page.html -> not followed: path segment "x" repeated 4 times
}
