package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
)

// This file holds partial downloads: a large body cut off mid-way is kept
// (Response.Partial) instead of thrown away, and a later fetch continues it
// (Request.Resume) with a Range request that If-Range makes conditional on
// the body being the same. The retries of one Get continue their own
// partial downloads too.

// ErrBadRange is wrapped by the error that says why a 206 Partial Content
// answer could not continue a partial download: its Content-Range does
// not start where the partial ends, or runs to another length, or its
// validators differ from the partial's. The download then starts over;
// the error is never returned by Get.
var ErrBadRange = errors.New("the partial content does not continue the download")

// Partial is the beginning of a body whose download was cut off: what a
// later fetch needs to ask for the rest.
type Partial struct {
	// File holds the body's first bytes, from offset 0; its size says
	// how many. It was made by Options.TempFile.
	File *os.File
	// ETag and LastModified are the validators of the response the bytes
	// came from: If-Range sends the ETag when it is strong, else the date.
	ETag, LastModified string
	// Length is the length of the whole body as that response announced
	// it, -1 when it did not.
	Length int64
}

// ifRange returns the validator a Range request for p sends as If-Range:
// a strong ETag, or else the Last-Modified date (RFC 9110, section
// 13.1.5: a weak ETag cannot be used there); "" when there is none.
func ifRange(etag, lastModified string) string {
	if etag != "" && !strings.HasPrefix(etag, "W/") {
		return etag
	}
	return lastModified
}

// resumable reports whether a body cut off while read from resp can be
// continued: its bytes are those of the representation (the transport
// did not undo a content coding, which Range requests do not get), it has
// a validator for If-Range, and the server did not say it takes no ranges.
func resumable(resp *http.Response) bool {
	if resp.Uncompressed || !identity(resp.Header.Get("Content-Encoding")) ||
		strings.EqualFold(strings.TrimSpace(resp.Header.Get("Accept-Ranges")), "none") {
		return false
	}
	return ifRange(resp.Header.Get("Etag"), resp.Header.Get("Last-Modified")) != ""
}

func identity(coding string) bool {
	coding = strings.TrimSpace(coding)
	return coding == "" || strings.EqualFold(coding, "identity")
}

// resumeState is a partial download a Get is continuing.
type resumeState struct {
	p         *Partial
	size      int64  // bytes in p.File
	validator string // sent as If-Range
}

// resumeFrom makes the next attempts of c ask for the rest of p. A partial
// that cannot be continued (empty, unreadable, without a validator) is
// dropped.
func (c *call) resumeFrom(p *Partial) {
	v := ifRange(p.ETag, p.LastModified)
	fi, err := p.File.Stat()
	if err != nil || fi.Size() == 0 || v == "" || c.f.keep {
		// An archive records whole responses, never a 206.
		dropPartial(p)
		return
	}
	c.resume = &resumeState{p: p, size: fi.Size(), validator: v}
}

// dropResume gives up the partial download being continued: the download
// starts over.
func (c *call) dropResume() {
	if c.resume != nil {
		dropPartial(c.resume.p)
		c.resume = nil
	}
}

func dropPartial(p *Partial) {
	p.File.Close()
	os.Remove(p.File.Name())
}

// setRange asks for the rest of the partial download, if there is one.
func (c *call) setRange(req *retryablehttp.Request) {
	if c.resume == nil {
		req.Header.Del("Range")
		req.Header.Del("If-Range")
		return
	}
	req.Header.Set("Range", "bytes="+strconv.FormatInt(c.resume.size, 10)+"-")
	req.Header.Set("If-Range", c.resume.validator)
}

// leftover returns the partial download a failed Get leaves to its
// caller: the one its last attempt cut off, or the one it was given and
// did not get to continue.
func (c *call) leftover() *Partial {
	if c.partial != nil {
		return c.partial
	}
	if c.resume != nil {
		p := c.resume.p
		c.resume = nil
		return p
	}
	return nil
}

// keepPartial takes the spill file of b, a body cut off while read from
// resp, as the partial download the next attempt or the caller continues,
// when it can be continued; Release then leaves the file alone.
func (c *call) keepPartial(b *Body, resp *http.Response, length int64) {
	if b.file == nil || b.taken || b.n == 0 || c.f.keep {
		return
	}
	p := &Partial{File: b.file, ETag: resp.Header.Get("Etag"), LastModified: resp.Header.Get("Last-Modified"), Length: length}
	if prev := c.continued; prev != nil {
		// A continuation keeps the validators it was checked against:
		// a 206 may leave some out.
		p.ETag, p.LastModified, p.Length = prev.ETag, prev.LastModified, prev.Length
	} else if !resumable(resp) {
		return
	}
	c.partial = p
	b.file = nil
}

// check reports whether resp, a 206 answer to the Range request of r,
// continues r's partial download: its range starts where the partial
// ends and runs to the end of a body of the partial's length, and its
// validators and coding are the partial's.
func (r *resumeState) check(resp *http.Response) error {
	first, last, complete, err := parseContentRange(resp.Header.Get("Content-Range"))
	switch {
	case err != nil:
		return fmt.Errorf("%w: %w", ErrBadRange, err)
	case first != r.size:
		return fmt.Errorf("%w: it starts at byte %d, the partial download ends at %d", ErrBadRange, first, r.size)
	case complete >= 0 && last != complete-1:
		return fmt.Errorf("%w: it ends at byte %d of %d", ErrBadRange, last, complete)
	case complete >= 0 && r.p.Length >= 0 && complete != r.p.Length:
		return fmt.Errorf("%w: the body is %d bytes long, it was %d", ErrBadRange, complete, r.p.Length)
	case resp.ContentLength >= 0 && resp.ContentLength != last-first+1:
		return fmt.Errorf("%w: Content-Length %d for bytes %d-%d", ErrBadRange, resp.ContentLength, first, last)
	case !identity(resp.Header.Get("Content-Encoding")):
		return fmt.Errorf("%w: it is %s-coded", ErrBadRange, resp.Header.Get("Content-Encoding"))
	}
	if etag := resp.Header.Get("Etag"); etag != "" && r.p.ETag != "" && etag != r.p.ETag {
		return fmt.Errorf("%w: its ETag is %s, the partial's %s", ErrBadRange, etag, r.p.ETag)
	}
	if lm := resp.Header.Get("Last-Modified"); lm != "" && r.p.ETag == "" && lm != r.p.LastModified {
		return fmt.Errorf("%w: it was last modified %s, the partial %s", ErrBadRange, lm, r.p.LastModified)
	}
	return nil
}

// parseContentRange reads a Content-Range header value of a 206 answer,
// "bytes FIRST-LAST/COMPLETE" (RFC 9110, section 14.4), COMPLETE "*" when
// the server does not know it; complete is then -1.
func parseContentRange(s string) (first, last, complete int64, err error) {
	unit, rest, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok || !strings.EqualFold(unit, "bytes") {
		return 0, 0, 0, fmt.Errorf("content-range %q is not a byte range", s)
	}
	span, length, ok := strings.Cut(strings.TrimSpace(rest), "/")
	a, b, ok2 := strings.Cut(span, "-")
	if !ok || !ok2 {
		return 0, 0, 0, fmt.Errorf("content-range %q is not FIRST-LAST/LENGTH", s)
	}
	num := func(v string) (int64, bool) {
		if v == "" || strings.TrimLeft(v, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	first, ok = num(a)
	last, ok2 = num(b)
	if !ok || !ok2 || last < first {
		return 0, 0, 0, fmt.Errorf("content-range %q has no valid span", s)
	}
	complete = -1
	if length != "*" {
		if complete, ok = num(length); !ok || last >= complete {
			return 0, 0, 0, fmt.Errorf("content-range %q has no valid length", s)
		}
	}
	return first, last, complete, nil
}
