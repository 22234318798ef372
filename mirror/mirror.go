// Package mirror turns a crawl's output directory into a mirror that
// browses offline, as wget's --convert-links does: in every saved HTML and
// CSS file, a link to a URL that was saved becomes a relative path to its
// file, and a link to a URL that was not becomes absolute, to the original
// site. A link to a URL that redirected becomes a relative path to the
// file its redirects lead to, through every hop, whichever of the two was
// fetched first (index.go reads the manifest's redirects); a redirect loop
// or a redirect to a URL never saved leaves the link absolute, to its own
// URL.
//
// Only the bytes of the links change; the rest of each file is kept as
// fetched (parse.RewriteFetchedHTML and parse.RewriteCSS find the links
// and encode the new ones). An HTML page in another character encoding
// than UTF-8 (windows-1251, Shift_JIS, UTF-16...) has its links read from
// it decoded, as the crawl read them (from the charset of the manifest's
// content_type, its byte order mark or its <meta>), and keeps its
// encoding: the new links are ASCII, percent-encoded UTF-8 paths. Conversion always starts from the body as it was
// fetched: the first time a file is converted its original is kept in
// DIR/.crawl/orig (store.SaveOriginal), so that converting again, after a
// resumed or updated crawl saved more pages, gives the same result as
// converting once at the end, and a re-crawl can still read the links of
// an unchanged page.
package mirror

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/store"
	"github.com/crawl-go/crawl/urlnorm"
)

// MaxFileSize is the largest file Convert rewrites; larger HTML or CSS
// files are left as they are.
const MaxFileSize = 32 << 20

// Options configures Convert. The zero value is usable.
type Options struct {
	// Workers is how many files are converted at once; default
	// GOMAXPROCS.
	Workers int
	// Log receives a line for each file that cannot be converted; nil
	// discards them.
	Log io.Writer
	// Normalizer is the one the crawl made its URLs with, so that links
	// are keyed as the manifest's URLs are (session ids kept or not).
	Normalizer urlnorm.Normalizer
}

// Stats counts what Convert did.
type Stats struct {
	Files  int // HTML and CSS files rewritten
	Local  int // links made relative to a saved file
	Remote int // links made absolute to the original site
	Failed int // files that could not be converted (see Options.Log)
}

// Convert rewrites the links of the HTML and CSS files of the output
// directory of st, which manifest (DIR/manifest.jsonl, every run of it)
// describes. It returns an error only when the manifest cannot be read or
// ctx is done; a file that cannot be converted is reported to
// Options.Log, counted in Stats.Failed and left as it was.
func Convert(ctx context.Context, st *store.Store, manifest io.Reader, opts Options) (Stats, error) {
	ix, err := readIndex(manifest, opts.Normalizer)
	if err != nil {
		return Stats{}, err
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	work := make(chan *store.Record)
	var (
		wg                           sync.WaitGroup
		files, local, remote, failed atomic.Int64
		logMu                        sync.Mutex
	)
	for range opts.Workers {
		wg.Go(func() {
			for r := range work {
				n, err := ix.convert(st, r)
				if err != nil {
					failed.Add(1)
					logMu.Lock()
					fmt.Fprintf(opts.Log, "crawl: converting the links of %s: %v\n", r.Path, err)
					logMu.Unlock()
					continue
				}
				if n.Files > 0 {
					files.Add(1)
					local.Add(int64(n.Local))
					remote.Add(int64(n.Remote))
				}
			}
		})
	}
feed:
	for _, r := range ix.files {
		select {
		case work <- r:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	s := Stats{Files: int(files.Load()), Local: int(local.Load()), Remote: int(remote.Load()), Failed: int(failed.Load())}
	return s, ctx.Err()
}

// convert rewrites the links of the file of r, if it is HTML or CSS.
func (ix *index) convert(st *store.Store, r *store.Record) (Stats, error) {
	var n Stats
	typ := parse.Classify(r.ContentType)
	if typ != parse.TypeHTML && typ != parse.TypeCSS {
		return n, nil
	}
	body, current, err := original(st, r)
	if err != nil {
		return n, err
	}
	if typ == parse.TypeHTML {
		typ = parse.ClassifyBody(r.ContentType, body)
	}
	base := r.FinalURL
	if base == "" {
		base = r.URL
	}
	page, err := url.Parse(base)
	if err != nil {
		return n, fmt.Errorf("the manifest's URL %q: %w", base, err)
	}
	rewrite := func(ref parse.Ref) (string, bool) {
		if ref.Base {
			return "", true // links are now relative to the file itself
		}
		if p, frag, ok := ix.link(ref.URL); ok {
			n.Local++
			return relative(r.Path, p, frag), true
		}
		n.Remote++
		return ref.URL.String(), true
	}
	var out []byte
	switch typ {
	case parse.TypeHTML:
		// Read in the encoding the crawl decoded it from to find its
		// links, and written back in it.
		if out, err = parse.RewriteFetchedHTML(page, body, r.ContentType, parse.Options{Normalizer: ix.norm}, rewrite); err != nil {
			return n, fmt.Errorf("rewriting its links in its character encoding: %w", err)
		}
	case parse.TypeCSS:
		out = parse.RewriteCSS(page, body, parse.Options{Normalizer: ix.norm}, rewrite)
	default:
		return n, nil
	}
	n.Files = 1
	if bytes.Equal(current, out) {
		return n, nil // converted already
	}
	if err := st.Overwrite(r.Path, out); err != nil {
		return n, err
	}
	return n, nil
}

// original returns the body of r as it was fetched, and the file as it
// is. The first time a file is converted its body is kept
// (store.SaveOriginal), for the conversions after.
func original(st *store.Store, r *store.Record) (body, current []byte, err error) {
	body, current, converted, err := st.ReadAsFetched(r.Path, r.SHA256, MaxFileSize)
	if err != nil {
		return nil, nil, err
	}
	if !converted {
		if err := st.SaveOriginal(r.Path, body); err != nil {
			return nil, nil, err
		}
	}
	return body, current, nil
}

// relative returns a relative URL reference from the file from to the file
// to (both slash-separated paths under the output directory), with the
// fragment frag (escaped) if not empty.
func relative(from, to, frag string) string {
	fromDir := strings.Split(from, "/")
	fromDir = fromDir[:len(fromDir)-1]
	toParts := strings.Split(to, "/")
	i := 0
	for i < len(fromDir) && i < len(toParts)-1 && fromDir[i] == toParts[i] {
		i++
	}
	var b strings.Builder
	for range len(fromDir) - i {
		b.WriteString("../")
	}
	for j, p := range toParts[i:] {
		if j > 0 {
			b.WriteByte('/')
		}
		b.WriteString(escapeSegment(p))
	}
	if frag != "" {
		b.WriteByte('#')
		b.WriteString(frag)
	}
	return b.String()
}

// escapeSegment escapes a file name for a URL path, so that a browser or
// a static server maps the reference back to that very name: "%", "?",
// "#" and ":" (which would start a scheme) among others are escaped.
func escapeSegment(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
}
