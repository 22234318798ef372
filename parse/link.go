package parse

import (
	"net/url"
	"strconv"

	"github.com/crawl-go/crawl/urlnorm"
)

// Kind tells how a crawler should treat a link.
type Kind uint8

const (
	// Page is a navigational link (a, area, link rel=canonical, meta
	// refresh...): it is followed only within the depth limit.
	Page Kind = iota
	// Requisite is something needed to display the page: images,
	// stylesheets, scripts, frames, media, and the url()s of stylesheets.
	Requisite
)

// String returns "page" or "requisite".
func (k Kind) String() string {
	switch k {
	case Page:
		return "page"
	case Requisite:
		return "requisite"
	default:
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
}

// Link is one link found in a document.
type Link struct {
	// URL is absolute, http or https, and normalized by urlnorm (so without
	// a fragment). URL.String() is the crawl's dedup key.
	URL *url.URL
	// Kind is Requisite if the document used the URL as a requisite at
	// least once, else Page.
	Kind Kind
	// NoFollow is set when every <a> or <area> that linked to the URL had
	// rel=nofollow and no other tag used it. It is only ever set when
	// Options.RespectNoFollow is false.
	NoFollow bool
}

// Options tunes link finding. The zero value reports every link.
type Options struct {
	// RespectNoFollow drops links of <a> and <area> tags with rel=nofollow
	// instead of reporting them with NoFollow set.
	RespectNoFollow bool
	// Normalizer normalizes the links found; its zero value removes
	// session ids (urlnorm.Normalizer).
	Normalizer urlnorm.Normalizer
}

// MaxLinks is the most links one call of HTML or CSS reports. The rest of a
// document is not scanned once it is reached, so that a hostile page cannot
// grow memory without bound.
const MaxLinks = 100_000

// maxRawCache bounds the cache of raw attribute values, which also remembers
// the skipped ones (javascript:, mailto:...) that do not count toward
// MaxLinks.
const maxRawCache = 4 * MaxLinks

// collector resolves, deduplicates and caps the links of one document.
type collector struct {
	base  *url.URL // resolution base: the document URL, or its <base href>
	dst   []Link
	start int // dst[:start] belongs to the caller
	opts  Options
	full  bool // MaxLinks reached: stop scanning

	// seen maps a normalized URL to its index in dst, or to -1 for the
	// document itself, which is never reported.
	seen map[linkKey]int
	// raw maps an attribute value as written to its index in dst, or to -1
	// when it gave no link. It is only valid for the current base. It saves
	// resolving the many repeated values of a page ("#", "/", a logo...)
	// and the look-up does not allocate.
	raw map[string]int

	scratch []byte // CSS escape decoding

	// cssRef, when set, receives the URLs that scanCSS finds instead of
	// add, with the span css[start:end] of the string or url token each
	// was read from. RewriteHTML and RewriteCSS set it.
	cssRef func(ref []byte, start, end int)
}

// newCollector returns a collector for a document fetched from page.
func newCollector(page *url.URL, opts Options, dst []Link) *collector {
	p := *page
	opts.Normalizer.Normalize(&p)
	c := &collector{
		base:  &p,
		dst:   dst,
		start: len(dst),
		opts:  opts,
		seen:  make(map[linkKey]int, 64),
		raw:   make(map[string]int, 64),
	}
	c.seen[keyOf(&p)] = -1
	return c
}

// setBase makes the first <base href> the resolution base of the links that
// follow it.
func (c *collector) setBase(href []byte) {
	u, err := c.opts.Normalizer.Resolve(c.base, string(href))
	if err != nil {
		return // browsers fall back to the document URL
	}
	c.base = u
	clear(c.raw)
}

// add resolves ref against the current base and records the link, merging
// it with an earlier one for the same URL.
func (c *collector) add(ref []byte, kind Kind, nofollow bool) {
	if c.full || nofollow && c.opts.RespectNoFollow {
		return
	}
	if i, ok := c.raw[string(ref)]; ok {
		if i >= 0 {
			c.merge(i, kind, nofollow)
		}
		return
	}
	s := string(ref)
	i := -1
	if u, err := c.opts.Normalizer.Resolve(c.base, s); err == nil {
		key := keyOf(u)
		var ok bool
		if i, ok = c.seen[key]; ok {
			if i >= 0 {
				c.merge(i, kind, nofollow)
			}
		} else {
			if len(c.dst)-c.start >= MaxLinks {
				c.full = true
				return
			}
			i = len(c.dst)
			c.dst = append(c.dst, Link{URL: u, Kind: kind, NoFollow: nofollow})
			c.seen[key] = i
		}
	}
	if len(c.raw) < maxRawCache {
		c.raw[s] = i
	}
}

// linkKey identifies a normalized URL: two normalized URLs have the same
// key exactly when they have the same String(), since urlnorm makes Path
// and RawPath functions of the escaped path. Unlike String(), making a key
// allocates nothing.
type linkKey struct {
	scheme, user, host, path, rawPath, query string
}

func keyOf(u *url.URL) linkKey {
	k := linkKey{scheme: u.Scheme, host: u.Host, path: u.Path, rawPath: u.RawPath, query: u.RawQuery}
	if u.User != nil {
		k.user = u.User.String()
	}
	return k
}

// merge folds another use of the link dst[i] into it: one requisite use
// makes it a requisite, one followable use makes it followable.
func (c *collector) merge(i int, kind Kind, nofollow bool) {
	l := &c.dst[i]
	if kind == Requisite {
		l.Kind = Requisite
	}
	if !nofollow {
		l.NoFollow = false
	}
}
