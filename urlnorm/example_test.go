package urlnorm_test

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/crawl-go/crawl/urlnorm"
)

func ExampleParse() {
	u, err := urlnorm.Parse("HTTP://Example.COM:80/a/./b/../%7Euser?q=%2f#top")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u)
	// Output: http://example.com/a/~user?q=%2F
}

func ExampleResolve() {
	base, err := urlnorm.Parse("https://example.com/docs/guide/intro.html")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ref := range []string{
		"../api/index.html",
		" next.html\n",
		"//cdn.example.com/app.js",
		"#section-2",
		"mailto:help@example.com",
	} {
		u, err := urlnorm.Resolve(base, ref)
		switch {
		case errors.Is(err, urlnorm.ErrUnsupportedScheme):
			fmt.Printf("%q: skipped\n", ref)
		case err != nil:
			fmt.Printf("%q: %v\n", ref, err)
		default:
			fmt.Printf("%q: %s\n", ref, u)
		}
	}
	// Output:
	// "../api/index.html": https://example.com/docs/api/index.html
	// " next.html\n": https://example.com/docs/guide/next.html
	// "//cdn.example.com/app.js": https://cdn.example.com/app.js
	// "#section-2": https://example.com/docs/guide/intro.html
	// "mailto:help@example.com": skipped
}

func ExampleNormalize() {
	u := &url.URL{Scheme: "HTTPS", Host: "Bücher.example:443", Path: "/a b", Fragment: "x"}
	urlnorm.Normalize(u)
	fmt.Println(u)
	// Output: https://xn--bcher-kva.example/a%20b
}
