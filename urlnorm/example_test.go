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

func ExampleNormalizer() {
	links := []string{
		"http://shop.example/item.jsp;jsessionid=0A1B2C3D4E5F60718293A4B5C6D7E8F9?id=7",
		"http://forum.example/viewtopic.php?t=5&sid=9682993c8daa2c5497996114facdc805",
		"http://news.example/story?sid=3",
	}
	for _, n := range []urlnorm.Normalizer{{}, {KeepSessionIDs: true}} {
		fmt.Printf("KeepSessionIDs %v:\n", n.KeepSessionIDs)
		for _, raw := range links {
			u, err := n.Parse(raw)
			if err != nil {
				fmt.Println(err)
				continue
			}
			fmt.Println(u)
		}
	}
	// Output:
	// KeepSessionIDs false:
	// http://shop.example/item.jsp?id=7
	// http://forum.example/viewtopic.php?t=5
	// http://news.example/story?sid=3
	// KeepSessionIDs true:
	// http://shop.example/item.jsp;jsessionid=0A1B2C3D4E5F60718293A4B5C6D7E8F9?id=7
	// http://forum.example/viewtopic.php?t=5&sid=9682993c8daa2c5497996114facdc805
	// http://news.example/story?sid=3
}
