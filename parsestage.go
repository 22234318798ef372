package crawl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/sitemap"
	"github.com/crawl-go/crawl/store"
	"github.com/crawl-go/crawl/urlnorm"
)

// The parse stage receives the jobs of the fetch stage and sends them on
// to the store stage. For each body it decides where the bytes come from
// (as fetched, or the saved file of an earlier run) and whether to read
// them, finds their links (HTML, CSS, sitemaps, link headers), hands them
// to the admitter, and extracts the --select data. It owns nothing but its
// buffers: it only parses.

// Limits of what the parse stage reads.
const (
	// maxParseBytes is the largest body read back from a spill file or a
	// saved file to find links in.
	maxParseBytes = 32 << 20
	// sitemapMaxBytes bounds a sitemap, decompressed (the protocol's 50 MB).
	sitemapMaxBytes = 50 << 20
)

// parseStage is the parse stage's state, shared by its workers.
type parseStage struct {
	scope   *scope.Scope // whether a page's links may be followed at all
	admit   *admitter
	store   *store.Store // the saved files of earlier runs
	selects []parse.Field
	opts    parse.Options
	norm    urlnorm.Normalizer
	log     io.Writer
	fail    func(error)
}

// parseOptions returns the options of link extraction for cfg.
func parseOptions(cfg *Config) parse.Options {
	return parse.Options{RespectNoFollow: cfg.RespectNoFollow, Mode: cfg.Discover,
		Normalizer: urlnorm.Normalizer{KeepSessionIDs: cfg.KeepSessionIDs}}
}

// run is one parse worker: it parses each job of in that has a body and
// passes every job on to out. ctx is the admission's: it outlives the
// crawl's cancellation, so that a page fetched in the grace period is
// done with its links.
func (s *parseStage) run(ctx context.Context, in <-chan *job, out chan<- *job) {
	var b linkBuffers
	for j := range in {
		if j.err == nil {
			s.parse(ctx, j, &b)
		}
		out <- j
	}
}

// source is where the parse stage reads a job's body, and what it knows of
// it.
type source struct {
	contentType string
	finalURL    string // empty: the job's own URL
	header      http.Header
	// kept is the saved file that is the body (an earlier run's, or the
	// one a re-crawl's 304 keeps); nil when the body is the response's.
	kept *store.Record
	// nothing says there is no body to read: the URL was not fetched, or
	// its redirect was not followed because the target is fetched under
	// its own name (dup).
	nothing, dup, notModified bool
}

// sourceOf says where j's body comes from.
func sourceOf(j *job) source {
	resp := j.resp
	switch {
	case j.skip:
		return source{nothing: true}
	case j.earlier != nil:
		l := j.earlier
		return source{contentType: l.contentType, finalURL: l.finalURL,
			kept: &store.Record{URL: j.item.URL, Path: l.path, SHA256: l.digest, ContentType: l.contentType}}
	case resp.Status == http.StatusNotModified && j.prev != nil:
		return source{contentType: j.prev.ContentType, finalURL: resp.FinalURL, header: resp.Header,
			kept: j.prev, notModified: true}
	case resp.Status >= 300 && resp.Status < 400:
		return source{nothing: true, dup: true}
	}
	return source{contentType: resp.ContentType, finalURL: resp.FinalURL, header: resp.Header}
}

// wantBody says whether a body of type typ is read: for its links when
// they may be followed (a script only when discovering all links, an XML
// body only if it may be a sitemap), for the --select data when
// selecting.
func wantBody(typ parse.Type, mode parse.Mode, follow, selecting, maybeSitemap bool) bool {
	switch typ {
	case parse.TypeHTML:
		return follow || selecting
	case parse.TypeCSS:
		return follow
	case parse.TypeJS:
		return follow && mode == parse.ModeAll
	}
	return follow && maybeSitemap
}

// parse reads j's body, if it has one worth reading, and admits its links.
func (s *parseStage) parse(ctx context.Context, j *job, b *linkBuffers) {
	links := b.links[:0]
	defer func() { b.links = links }()
	src := sourceOf(j)
	j.dup, j.notModified = src.dup, src.notModified
	if src.nothing {
		return
	}
	final, err := s.norm.Parse(src.finalURL)
	if src.finalURL == "" || err != nil {
		final, _ = url.Parse(j.item.URL) // normalized when queued
	}
	j.final = final
	follow := s.scope.MayFollow(scope.Parent{Depth: j.item.Depth, Requisite: j.item.Requisite, Given: s.admit.givenSitemap(j.item)})
	selecting := len(s.selects) > 0
	var body []byte
	if src.kept != nil {
		if !follow && !selecting {
			return
		}
		if body, err = s.keptBody(src.kept); err != nil {
			fmt.Fprintf(s.log, "crawl: reading the kept copy of %s to parse it: %v\n", j.item.URL, err)
			body = nil
		}
	} else {
		body = j.resp.Body.Bytes()
	}
	opts := s.opts
	if s.admit.graph != nil {
		// Every occurrence of a link goes to the graph, with the
		// decision on its URL.
		b.occurrences = b.occurrences[:0]
		opts.OnLink = func(l parse.Link) { b.occurrences = append(b.occurrences, l) }
	}
	if follow && src.header != nil {
		links = parse.Headers(final, src.header, opts, links)
	}
	typ := parse.ClassifyBody(src.contentType, body)
	// A sitemap asked for by the user (--sitemap) or by the crawl on its
	// own is read as one, or is not one, whatever its type says.
	asSitemap := wellKnownItem(j.item) || s.admit.givenSitemap(j.item)
	maybeSitemap := asSitemap || s.admit.isSitemap(j.item.URL) || strings.Contains(strings.ToLower(src.contentType), "xml")
	if wantBody(typ, s.opts.Mode, follow, selecting, maybeSitemap) {
		data := body
		if src.kept == nil {
			if data, err = bodyBytes(j); err != nil {
				fmt.Fprintf(s.log, "crawl: reading back %s to parse it: %v\n", j.item.URL, err)
			}
		}
		if typ == parse.TypeHTML && data != nil {
			data = parse.ToUTF8(data, src.contentType) // the saved file keeps its bytes
			// The title for the manifest, while the page is decoded
			// and in the cache.
			j.title, j.titled = parse.Title(data[:min(len(data), titleScan)]), true
		}
		if typ == parse.TypeHTML && data != nil && selecting {
			if j.data, err = parse.Extract(data, s.selects); err != nil {
				fmt.Fprintf(s.log, "crawl: extracting data from %s: %v\n", j.item.URL, err)
			}
		}
		switch {
		case !follow || data == nil:
		case asSitemap:
			// A sitemap, or nothing (a site that answers every path
			// with its home page has no sitemap there).
			n := len(links)
			links, j.notSitemap = s.sitemapLinks(ctx, j, data, links)
			if opts.OnLink != nil {
				for _, l := range links[n:] {
					opts.OnLink(l)
				}
			}
		case typ == parse.TypeHTML:
			links = parse.HTML(final, data, opts, links)
		case typ == parse.TypeCSS:
			links = parse.CSS(final, data, opts, links)
		case typ == parse.TypeJS:
			links = parse.JS(final, data, opts, links)
		default:
			n := len(links)
			var err error
			if links, err = s.sitemapLinks(ctx, j, data, links); err != nil && !errors.Is(err, sitemap.ErrNotSitemap) {
				fmt.Fprintf(s.log, "crawl: reading sitemap %s: %v\n", j.item.URL, err)
			}
			if opts.OnLink != nil {
				for _, l := range links[n:] {
					opts.OnLink(l)
				}
			}
		}
	}
	// The links are those of the page the body came from: the target of
	// the redirects followed, which the summary, the manifest's parent
	// and the link graph name as where each link is.
	from := j.item
	if src.finalURL != "" && src.finalURL != from.URL {
		from.URL = final.String()
	}
	if err := s.admit.links(ctx, from, links, b); err != nil {
		if ctx.Err() == nil {
			s.fail(err)
		} // else a stopped crawl's shared state did not answer in time
		j.unfinished = true
	}
}

// bodyBytes returns the body of j in memory: as fetched, or read back from
// its spill file when it is not larger than maxParseBytes (nil then).
func bodyBytes(j *job) ([]byte, error) {
	body := j.resp.Body
	if data := body.Bytes(); data != nil {
		return data, nil
	}
	f := body.File()
	if f == nil || body.Len() > maxParseBytes {
		return nil, nil
	}
	return io.ReadAll(io.NewSectionReader(f, 0, body.Len()))
}

// keptBody returns the body of a saved file as it was fetched: the file
// itself, or the original kept when --convert-links rewrote it; a file
// edited by hand since is the best guess there is of its links.
func (s *parseStage) keptBody(r *store.Record) ([]byte, error) {
	body, current, _, err := s.store.ReadAsFetched(r.Path, r.SHA256, maxParseBytes)
	if errors.Is(err, store.ErrEdited) {
		return current, nil
	}
	return body, err
}

// sitemapLinks reads data as a sitemap: a urlset or sitemapindex, gzipped
// or not, or a text sitemap queued as such. The sitemap's URLs are
// appended to links as page links; child sitemaps of an index are
// admitted at the index's own depth. The error says why data is not a
// sitemap: sitemap.ErrNotSitemap, or a parse error before any entry (an
// HTML page that is not well-formed XML); a sitemap cut short by an
// error after some entries gives them, and the error is logged.
func (s *parseStage) sitemapLinks(ctx context.Context, j *job, data []byte, links []parse.Link) ([]parse.Link, error) {
	res, err := sitemap.Parse(bytes.NewReader(data), sitemapMaxBytes)
	if err != nil && len(res.URLs)+len(res.Sitemaps) == 0 {
		return links, err
	}
	if err != nil {
		fmt.Fprintf(s.log, "crawl: reading sitemap %s: %v\n", j.item.URL, err)
	}
	for _, e := range res.URLs {
		if u, err := s.norm.Parse(e.URL); err == nil {
			links = append(links, parse.Link{URL: u, Kind: parse.Page, Source: parse.Source{Kind: parse.SourceSitemap}})
		}
	}
	if len(res.Sitemaps) > 0 {
		if err := s.admit.sitemaps(ctx, res.Sitemaps, j.item); err != nil {
			s.fail(fmt.Errorf("queuing the sitemaps of %s: %w", j.item.URL, err))
			j.unfinished = true
		}
	}
	return links, nil
}
