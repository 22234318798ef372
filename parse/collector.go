package parse

import (
	"bytes"
	"net/url"
	"sync"
)

// This file holds the collector, which resolves, deduplicates and caps
// the links of one document for HTML, CSS, JS and Headers, and the pool
// that reuses collectors across documents.

// maxRawCache bounds the cache of raw attribute values, which also remembers
// the skipped ones (javascript:, mailto:...) that do not count toward
// MaxLinks.
const maxRawCache = 4 * MaxLinks

// collector resolves, deduplicates and caps the links of one document.
type collector struct {
	page  url.URL  // the document URL, normalized
	base  *url.URL // resolution base: &page, or the URL of its <base href>
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

	// relBase is the base that relOK was worked out for: whether
	// relative references resolve against it without url.Parse (rawKey).
	relBase *url.URL
	relOK   bool

	// src is the Source of the links that add records next; the callers
	// of add set it. srcTag, when set, is the element's name as written,
	// for an element the link table does not name: it becomes src.Tag,
	// lowercased, only when a link is recorded; srcAttr likewise becomes
	// src.Attr.
	src             Source
	srcTag, srcAttr []byte
	// In ModePage, HTML leaves the source unmade until a link needs it:
	// pageLS is its scanner, and pageAttr the attribute of its current
	// reference (see pageSource).
	pageLS   *linkScanner
	pageAttr linkAttr
	// ls and lsScan are the memory of pageLS, kept across documents.
	ls     linkScanner
	lsScan scanner
	// all is set in ModeAll; the fields below are only used then.
	all bool
	// nest, when set, is the kind of the container (srcdoc, a data: URL,
	// a conditional comment...) whose contents are being read: it
	// replaces the Kind of the sources of the links found inside.
	nest SourceKind
	// depth counts the containers being read inside each other, up to
	// maxNesting.
	depth int
	// jsBuf holds the copy of a script that the JavaScript lexer reads,
	// and jsStr the unescaped value of a literal.
	jsBuf, jsStr []byte

	// cssRef, when set, receives the URLs that scanCSS finds instead of
	// add, with the span css[start:end] of the string or url token each
	// was read from. RewriteHTML and RewriteCSS set it.
	cssRef func(ref []byte, start, end int)
}

// collectors recycles collectors, whose maps and buffers are most of what
// finding the links of a page allocated (27 KB a page of the bench's
// synthetic site, before).
var collectors = sync.Pool{New: func() any {
	return &collector{seen: make(map[linkKey]int, 64), raw: make(map[string]int, 64)}
}}

// maxPooledEntries and maxPooledBuffer bound what a pooled collector keeps:
// the maps of a page with many links, or the copy of a large script, are
// left to the garbage collector instead (clearing a large map costs as
// much as its size, on every later page).
const (
	maxPooledEntries = 1024
	maxPooledBuffer  = 64 << 10
)

// newCollector returns a collector for a document fetched from page. The
// caller calls free when done with it.
func newCollector(page *url.URL, opts Options, dst []Link) *collector {
	c := collectors.Get().(*collector)
	c.page = *page
	opts.Normalizer.Normalize(&c.page)
	c.base = &c.page
	c.dst, c.start, c.opts = dst, len(dst), opts
	c.all = opts.Mode == ModeAll
	c.seen[keyOf(&c.page)] = -1
	return c
}

// free returns c to the pool, keeping its maps and buffers. The links it
// made stay valid: they are the caller's.
func (c *collector) free() {
	if len(c.seen) > maxPooledEntries || len(c.raw) > maxPooledEntries {
		return
	}
	clear(c.seen)
	clear(c.raw)
	keep := collector{seen: c.seen, raw: c.raw}
	if cap(c.scratch) <= maxPooledBuffer {
		keep.scratch = c.scratch[:0]
	}
	if cap(c.jsBuf) <= maxPooledBuffer {
		keep.jsBuf = c.jsBuf[:0]
	}
	if cap(c.jsStr) <= maxPooledBuffer {
		keep.jsStr = c.jsStr[:0]
	}
	keep.ls.keep(&c.ls)
	if cap(c.lsScan.attrs) <= maxPooledEntries {
		keep.lsScan.attrs = c.lsScan.attrs[:0]
	}
	*c = keep
	collectors.Put(c)
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
// it with an earlier one for the same URL, with c.src as its source.
func (c *collector) add(ref []byte, kind Kind, nofollow bool) {
	if c.full || nofollow && c.opts.RespectNoFollow {
		return
	}
	key := c.rawKey(ref)
	if i, ok := c.raw[string(key)]; ok {
		if i >= 0 {
			if c.opts.OnLink != nil {
				c.occurrence(c.dst[i].URL, kind, nofollow)
			}
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
				if c.opts.OnLink != nil {
					c.occurrence(c.dst[i].URL, kind, nofollow)
				}
				c.merge(i, kind, nofollow)
			}
		} else {
			if len(c.dst)-c.start >= MaxLinks {
				c.full = true
				return
			}
			i = len(c.dst)
			c.dst = append(c.dst, Link{URL: u, Kind: kind, NoFollow: nofollow})
			c.source(&c.dst[i].Source)
			c.seen[key] = i
			if c.opts.OnLink != nil {
				c.occurrence(u, kind, nofollow)
			}
		}
	} else if c.all {
		c.addOther(ref)
	}
	if len(c.raw) < maxRawCache {
		if len(key) < len(ref) {
			s = s[:len(key)]
		}
		c.raw[s] = i
	}
}

// rawKey returns what ref is remembered by in c.raw: ref itself, or
// without its fragment when that cannot change what it resolves to, so
// that the many links of a page to the parts of another ("a.html#x",
// "a.html#y") are resolved once. That is when ref is relative and its
// part before the '#' is printable ASCII without ':' (no scheme, nothing
// for clean to trim or remove) and does not start with "//", and the base
// is an http(s) URL with a host: Resolve then cuts the fragment off
// before anything else (resolveRelative).
func (c *collector) rawKey(ref []byte) []byte {
	h := bytes.IndexByte(ref, '#')
	if h <= 0 {
		return ref
	}
	if c.relBase != c.base {
		b := c.base
		c.relBase, c.relOK = b, b.Host != "" && b.Opaque == "" && (b.Scheme == "http" || b.Scheme == "https")
	}
	p := ref[:h]
	if !c.relOK || len(p) >= 2 && p[0] == '/' && p[1] == '/' {
		return ref
	}
	for _, ch := range p {
		if ch <= ' ' || ch >= 0x7f || ch == ':' {
			return ref
		}
	}
	return p
}

// source sets *src to the Source of the link being recorded. (It writes
// through a pointer into the new Link: returning the struct costs more
// than the rest of it.)
func (c *collector) source(src *Source) {
	if c.pageLS != nil {
		c.pageSource(src)
		return
	}
	*src = c.src
	if c.srcTag != nil {
		src.Tag = lowerString(c.srcTag)
	}
	if c.srcAttr != nil {
		src.Attr = lowerString(c.srcAttr)
	}
	if c.nest != SourceNone {
		src.Kind = c.nest
	}
}

// occurrence hands an occurrence of the link u to Options.OnLink.
func (c *collector) occurrence(u *url.URL, kind Kind, nofollow bool) {
	l := Link{URL: u, Kind: kind, NoFollow: nofollow}
	c.source(&l.Source)
	c.opts.OnLink(l)
}

// lowerString returns b as a string with its ASCII letters lowercased.
func lowerString(b []byte) string {
	out := []byte(string(b))
	for i, ch := range out {
		if 'A' <= ch && ch <= 'Z' {
			out[i] = ch + 'a' - 'A'
		}
	}
	return string(out)
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
