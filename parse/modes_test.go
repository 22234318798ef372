package parse

import (
	"net/http"
	"net/url"
	"testing"
)

// The differential tests of the discovery modes: ModePage against the
// link finding before them (reference_page_test.go), ModeAll against
// ModePage, and Options.OnLink against what the functions report.

// checkModes fails unless, on the HTML document body fetched from base
// with opts (whose Mode is ignored): HTML in ModePage finds exactly the
// links that preHTML finds; HTML in ModeAll finds valid links, every one
// of ModePage's among them; and in both modes OnLink's occurrences,
// merged, are the links reported.
func checkModes(t testing.TB, base *url.URL, body []byte, opts Options) {
	t.Helper()
	opts.Mode = ModePage
	page := checkOnLink(t, "HTML", body, opts, func(o Options) []Link { return HTML(base, body, o, nil) })
	if g, w := formatLinks(page), formatLinks(preHTML(base, body, opts, nil)); g != w {
		t.Fatalf("ModePage links of %q with %+v:\n--- now\n%s--- before\n%s", body, opts, g, w)
	}
	opts.Mode = ModeAll
	all := checkOnLink(t, "HTML", body, opts, func(o Options) []Link { return HTML(base, body, o, nil) })
	checkLinks(t, base, all)
	checkSuperset(t, body, page, all)
}

// checkSuperset fails unless every URL of page is in all.
func checkSuperset(t testing.TB, body []byte, page, all []Link) {
	t.Helper()
	in := make(map[string]bool, len(all))
	for _, l := range all {
		in[l.URL.String()] = true
	}
	for _, l := range page {
		if !in[l.URL.String()] {
			t.Fatalf("ModeAll misses ModePage's link %s in %q", l.URL, body)
		}
	}
}

// checkOnLink calls find with opts and with an OnLink that records the
// occurrences, fails unless both report the same links and the
// occurrences merge into them, and returns the links.
func checkOnLink(t testing.TB, what string, body []byte, opts Options, find func(Options) []Link) []Link {
	t.Helper()
	var occ []Link
	withHook := opts
	withHook.OnLink = func(l Link) {
		if l.Source.Kind == SourceNone {
			t.Fatalf("%s: occurrence of %s without a source", what, l.URL)
		}
		occ = append(occ, l)
	}
	links := find(withHook)
	if g, w := formatSources(links), formatSources(find(opts)); g != w {
		t.Fatalf("%s of %q: OnLink changed the links:\n--- with\n%s--- without\n%s", what, body, g, w)
	}
	var merged []Link
	at := map[string]int{}
	for _, l := range occ {
		i, ok := at[l.URL.String()]
		if !ok {
			at[l.URL.String()] = len(merged)
			merged = append(merged, l)
			continue
		}
		if l.Kind == Requisite {
			merged[i].Kind = Requisite
		}
		if !l.NoFollow {
			merged[i].NoFollow = false
		}
	}
	if g, w := formatSources(links), formatSources(merged); g != w {
		t.Fatalf("%s of %q in %v: the occurrences do not merge into the links:\n--- links\n%s--- merged occurrences\n%s", what, body, opts.Mode, g, w)
	}
	return links
}

// formatSources is formatLinks with each link's source.
func formatSources(links []Link) string {
	var b []byte
	for _, l := range links {
		b = append(b, formatLinks([]Link{l})...)
		b = append(b[:len(b)-1], " "+l.Source.String()+"\n"...)
	}
	return string(b)
}

// checkCSSModes is checkModes for a stylesheet.
func checkCSSModes(t testing.TB, base *url.URL, body []byte) {
	t.Helper()
	page := checkOnLink(t, "CSS", body, Options{}, func(o Options) []Link { return CSS(base, body, o, nil) })
	if g, w := formatLinks(page), formatLinks(preCSS(base, body, Options{}, nil)); g != w {
		t.Fatalf("ModePage links of %q:\n--- now\n%s--- before\n%s", body, g, w)
	}
	all := checkOnLink(t, "CSS", body, Options{Mode: ModeAll}, func(o Options) []Link { return CSS(base, body, o, nil) })
	checkSuperset(t, body, page, all)
}

// checkHeadersModes is checkModes for response headers.
func checkHeadersModes(t testing.TB, base *url.URL, h http.Header) {
	t.Helper()
	page := checkOnLink(t, "Headers", nil, Options{}, func(o Options) []Link { return Headers(base, h, o, nil) })
	if g, w := formatLinks(page), formatLinks(preHeaders(base, h, Options{}, nil)); g != w {
		t.Fatalf("ModePage links of %v:\n--- now\n%s--- before\n%s", h, g, w)
	}
	all := checkOnLink(t, "Headers", nil, Options{Mode: ModeAll}, func(o Options) []Link { return Headers(base, h, o, nil) })
	checkSuperset(t, nil, page, all)
}
