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
