package scope_test

import (
	"fmt"
	"net/url"

	"github.com/crawl-go/crawl/scope"
)

func ExampleScope_Check() {
	seed, _ := url.Parse("https://docs.example.com/")
	s := scope.New(scope.Rules{Mode: scope.Domain, MaxDepth: 1}, []*url.URL{seed})
	for _, link := range []string{"https://cdn.example.com/logo.png", "https://elsewhere.org/"} {
		u, _ := url.Parse(link)
		fmt.Println(link, s.Check(scope.Parent{Depth: 0}, u, false))
	}
	// A page at the depth limit still gets its images.
	img, _ := url.Parse("https://docs.example.com/a.png")
	fmt.Println("requisite at the limit:", s.Check(scope.Parent{Depth: 1}, img, true))
	// Output:
	// https://cdn.example.com/logo.png follow
	// https://elsewhere.org/ off_site
	// requisite at the limit: follow
}

func ExampleRules_noParent() {
	seed, _ := url.Parse("https://example.com/docs/guide/")
	s := scope.New(scope.Rules{Mode: scope.Host, MaxDepth: 5, NoParent: true, Accept: []string{"pdf"}}, []*url.URL{seed})
	for _, l := range []struct {
		link      string
		requisite bool
	}{
		{"https://example.com/docs/guide/install.html", false}, // a page: followed, to find the PDFs
		{"https://example.com/docs/guide/manual.pdf", false},
		{"https://example.com/docs/guide/photo.jpg", false},
		{"https://example.com/docs/", false},
		{"https://example.com/static/manual.pdf", true}, // a requisite above the folder
	} {
		u, _ := url.Parse(l.link)
		fmt.Println(l.link, s.Check(scope.Parent{Depth: 0}, u, l.requisite))
	}
	// Output:
	// https://example.com/docs/guide/install.html follow
	// https://example.com/docs/guide/manual.pdf follow
	// https://example.com/docs/guide/photo.jpg not_accepted
	// https://example.com/docs/ no_parent
	// https://example.com/static/manual.pdf follow
}
