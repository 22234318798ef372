package parse_test

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/urlnorm"
)

func ExampleHTML() {
	page := []byte(`<html><head>
<link rel="stylesheet" href="/css/site.css">
<link rel="canonical" href="https://example.com/blog/post.html">
</head><body>
<a href="../about.html">About</a>
<a href="#comments">Comments</a>
<a href="mailto:me@example.com">Mail</a>
<a rel="nofollow" href="https://ads.example.net/?id=1&amp;ref=2">Ad</a>
<img src="img/photo.jpg" srcset="img/photo.jpg 1x, img/photo@2x.jpg 2x">
<div style="background: url('img/bg.png')"></div>
</body></html>`)
	base, err := url.Parse("https://example.com/blog/post.html")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range parse.HTML(base, page, parse.Options{}, nil) {
		fmt.Println(l.Kind, l.URL, l.NoFollow)
	}
	// Output:
	// requisite https://example.com/css/site.css false
	// page https://example.com/about.html false
	// page https://ads.example.net/?id=1&ref=2 true
	// requisite https://example.com/blog/img/photo.jpg false
	// requisite https://example.com/blog/img/photo@2x.jpg false
	// requisite https://example.com/blog/img/bg.png false
}

func ExampleCSS() {
	css := []byte(`@import "theme.css";
body { background: url(../img/bg.png) }
/* url(old.png) */
@font-face { src: url("/fonts/a.woff2") format("woff2") }`)
	base, err := url.Parse("https://example.com/static/css/site.css")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range parse.CSS(base, css, parse.Options{}, nil) {
		fmt.Println(l.URL)
	}
	// Output:
	// https://example.com/static/css/theme.css
	// https://example.com/static/img/bg.png
	// https://example.com/fonts/a.woff2
}

func ExampleRewriteHTML() {
	page := []byte(`<base href="/blog/">
<link rel="stylesheet" href="/css/site.css">
<a href="post.html#comments">Comments</a> <a href="#top">Top</a>
<a href="/search?q=go&amp;page=2">Search</a>
<img src="img/photo.jpg" srcset="img/photo.jpg 1x, img/photo@2x.jpg 2x" alt="Tom &amp; Jerry">
<div style="background: url(img/bg.png)"></div>`)
	base, err := url.Parse("https://example.com/blog/post.html")
	if err != nil {
		fmt.Println(err)
		return
	}
	// The mirrored files, by normalized URL, as paths relative to the
	// local copy of the page, blog/post.html.
	local := map[string]string{
		"https://example.com/css/site.css":       "../css/site.css",
		"https://example.com/blog/post.html":     "post.html",
		"https://example.com/blog/img/photo.jpg": "img/photo.jpg",
		"https://example.com/blog/img/bg.png":    "img/bg.png",
	}
	out := parse.RewriteHTML(base, page, parse.Options{}, func(r parse.Ref) (string, bool) {
		if r.Base {
			return "", true // remove it: the links below become relative to the file
		}
		key := *r.URL
		urlnorm.Normalize(&key) // drops the fragment
		p, ok := local[key.String()]
		if !ok {
			return r.URL.String(), true // not mirrored: link to the site
		}
		if r.URL.Fragment != "" {
			p += "#" + r.URL.EscapedFragment()
		}
		return p, true
	})
	fmt.Println(string(out))
	// Output:
	// <base>
	// <link rel="stylesheet" href="../css/site.css">
	// <a href="post.html#comments">Comments</a> <a href="https://example.com/blog/#top">Top</a>
	// <a href="https://example.com/search?q=go&amp;page=2">Search</a>
	// <img src="img/photo.jpg" srcset="img/photo.jpg 1x, https://example.com/blog/img/photo@2x.jpg 2x" alt="Tom &amp; Jerry">
	// <div style="background: url('img/bg.png')"></div>
}

func ExampleExtract() {
	page := []byte(`<html><body>
<h1> Widget 3000 </h1>
<span class="price" data-currency="EUR">19.99</span>
<ul><li>blue</li><li>small</li></ul>
<a href="mailto:sales@example.com">Contact</a>
</body></html>`)
	var fields []parse.Field
	for _, spec := range []string{
		"name=h1",
		"currency=.price@data-currency",
		"tags[]=li",
		`email=a[href^="mailto:"]@href`,
		"rating=.stars",
	} {
		f, err := parse.ParseField(spec)
		if err != nil {
			fmt.Println(err)
			return
		}
		fields = append(fields, f)
	}
	data, err := parse.Extract(page, fields)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := json.Marshal(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	// Output:
	// {"currency":"EUR","email":"mailto:sales@example.com","name":"Widget 3000","rating":null,"tags":["blue","small"]}
}

func ExampleClassifyBody() {
	fmt.Println(parse.ClassifyBody("text/html; charset=utf-8", nil))
	fmt.Println(parse.ClassifyBody("application/ld+json", nil))
	fmt.Println(parse.ClassifyBody("", []byte("<!doctype html><title>x</title>")))
	// Output:
	// html
	// json
	// html
}

func ExampleJS() {
	script := []byte(`import { render } from "./render.js";
fetch("/api/items?page=1").then(r => r.json()).then(render);
const mime = "text/html", sep = "/";
document.querySelector("#more").onclick = () => { location.href = "/items/all"; };
//# sourceMappingURL=app.js.map`)
	base, err := url.Parse("https://example.com/static/app.js")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range parse.JS(base, script, parse.Options{Mode: parse.ModeAll}, nil) {
		fmt.Println(l.Kind, l.URL, l.Source)
	}
	// Output:
	// requisite https://example.com/static/render.js js:import
	// page https://example.com/api/items?page=1 js:fetch
	// page https://example.com/items/all js:location
	// page https://example.com/static/app.js.map js:sourcemap
}

func ExampleOptions_onLink() {
	page := []byte(`<a href="/docs">Docs</a>
<blockquote cite="/sources/1">...</blockquote>
<img src="/logo.png" lowsrc="/logo-small.png">
<a href="/docs" ping="/track">Docs again</a>
<button onclick="fetch('/api/like', {method: 'POST'})">Like</button>
<!--[if IE]><link rel="stylesheet" href="/ie.css"><![endif]-->`)
	base, err := url.Parse("https://example.com/")
	if err != nil {
		fmt.Println(err)
		return
	}
	opts := parse.Options{
		Mode: parse.ModeAll,
		OnLink: func(l parse.Link) {
			fmt.Println("found", l.URL.Path, "in", l.Source)
		},
	}
	links := parse.HTML(base, page, opts, nil)
	fmt.Println(len(links), "links")
	// Output:
	// found /docs in a@href
	// found /sources/1 in blockquote@cite
	// found /logo.png in img@src
	// found /logo-small.png in img@lowsrc
	// found /docs in a@href
	// found /track in a@ping
	// found /api/like in js:fetch
	// found /ie.css in comment:link@href
	// 7 links
}
