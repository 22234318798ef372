package sitemap

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// Limits of the sitemap protocol.
const (
	// MaxEntries is the most URLs a sitemap, or sitemaps an index, may list.
	MaxEntries = 50_000
	// DefaultMaxBytes is the largest (uncompressed) sitemap the protocol
	// allows, 50 MiB; Parse uses it when given no positive maxBytes.
	DefaultMaxBytes = 50 << 20
)

// Errors returned by Parse, wrapped with what was being done; test for them
// with errors.Is. Malformed XML is reported as a wrapped *xml.SyntaxError and
// a corrupt gzip stream with the errors of compress/gzip.
var (
	// ErrTooLarge means the document, decompressed, is larger than
	// maxBytes.
	ErrTooLarge = errors.New("sitemap too large")
	// ErrTooMany means the document lists more than MaxEntries entries.
	ErrTooMany = errors.New("too many sitemap entries")
	// ErrNotSitemap means the document is XML whose root is neither
	// <urlset> nor <sitemapindex>, such as an HTML page, or text in which
	// no line is a URL.
	ErrNotSitemap = errors.New("not a sitemap")
)

// Entry is one URL of a sitemap.
type Entry struct {
	URL string
	// LastMod is the <lastmod> date, the zero Time when absent or
	// unparseable.
	LastMod time.Time
}

// Result is what one sitemap document lists.
type Result struct {
	// URLs are the pages of a <urlset> or a text sitemap, in document
	// order.
	URLs []Entry
	// Sitemaps are the child sitemaps of a <sitemapindex>, in document
	// order.
	Sitemaps []string
}

// count returns the number of entries read.
func (r *Result) count() int { return len(r.URLs) + len(r.Sitemaps) }

// Parse reads one sitemap document from r: a <urlset>, a <sitemapindex>, or
// the plain text form with one URL per line. Input that starts with the gzip
// magic bytes is gunzipped first, whatever its name or Content-Type.
//
// Parse reads at most maxBytes of decompressed input (DefaultMaxBytes if
// maxBytes is not positive); a larger document fails with an error wrapping
// ErrTooLarge, found as soon as the cap is passed, so that a gzip bomb costs
// no more than maxBytes. It returns at most MaxEntries entries; one more fails
// with an error wrapping ErrTooMany. Reading stops at the end of the XML root
// element; what follows it is not read.
//
// URLs are trimmed of surrounding whitespace and kept only if they are
// absolute http or https URLs; others are skipped without error. On any
// error, Result holds the entries read before it. The reader is never closed
// by Parse.
func Parse(r io.Reader, maxBytes int64) (Result, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	raw := bufio.NewReader(r)
	var src io.Reader = raw
	if magic, _ := raw.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return Result{}, fmt.Errorf("read sitemap gzip header: %w", err)
		}
		defer zr.Close()
		src = zr
	}
	in := bufio.NewReaderSize(&capReader{r: src, left: maxBytes, limit: maxBytes}, 16<<10)
	if bom, _ := in.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		in.Discard(3)
	}
	isXML, err := startsWithTag(in)
	if err != nil {
		return Result{}, fmt.Errorf("read sitemap: %w", err)
	}
	if isXML {
		return parseXML(in)
	}
	return parseText(in)
}

// startsWithTag reports whether the first byte of br other than whitespace
// is "<". It consumes leading whitespace only when there is more of it than
// br can buffer. An empty or all-blank document is not XML.
func startsWithTag(br *bufio.Reader) (bool, error) {
	for {
		buf, err := br.Peek(br.Size())
		if i := bytes.IndexFunc(buf, func(r rune) bool { return !isSpace(r) }); i >= 0 {
			return buf[i] == '<', nil
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		br.Discard(len(buf))
	}
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }

// capReader reads at most left more bytes from r and fails with ErrTooLarge
// when r has more. Its errors are sticky: bufio.Reader hands an error out
// once (Peek may swallow it), so a second read must not reach r and find,
// say, a clean EOF after the byte that went over the cap.
type capReader struct {
	r     io.Reader
	left  int64
	limit int64 // the original cap, for the error message
	err   error
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if c.left <= 0 {
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			err = fmt.Errorf("more than %d bytes: %w", c.limit, ErrTooLarge)
		}
		c.err = err
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	c.err = err
	return n, err
}

// validURL reports whether s, already trimmed, is an absolute http or https
// URL with a host.
func validURL(s string) bool {
	if len(s) < len("http://x") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return scheme == "http" || scheme == "https"
}
