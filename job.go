package crawl

import (
	"context"
	"errors"
	"net/url"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/store"
)

// job is one URL travelling through the pipeline. Each stage owns it in
// turn: the fetch stage makes it, the parse stage reads its body, the
// store stage writes it and releases its body.
type job struct {
	item frontier.Item
	resp *fetch.Response // nil when the URL was not fetched
	err  error
	// prev is, in a re-crawl, the URL's latest line that names a file.
	prev *store.Record
	// claimed lists the redirect targets the fetch claimed in the
	// frontier.
	claimed []string
	// earlier is the URL's line from an earlier run, when it was not
	// fetched again: its saved file is the body, unless skip says there
	// is nothing to do at all.
	earlier *earlierLine
	skip    bool

	// Set by the parse stage:
	final *url.URL // the URL the body came from, after redirects
	dup   bool     // a redirect to a URL handled on its own: nothing to save
	// notModified says the server answered 304 to a re-crawl's
	// conditional request: prev's file stays.
	notModified bool
	// notSitemap says why the body of a sitemap is not one: one the crawl
	// asked for on its own (a host's /sitemap.xml, or one its robots.txt
	// names), recorded as missing, or one the user gave (--sitemap), a
	// failure; a site's catch-all page, most often. The body is not
	// saved, and its links were not followed.
	notSitemap error
	data       map[string]any // the --select fields
	// title is the HTML page's title, when titled says the parse stage
	// read the page (the store stage reads it otherwise).
	title  string
	titled bool
	// unfinished says the URL's work could not be completed (its links
	// could not be queued): it is released, not done, so that a later
	// run does it again.
	unfinished bool
}

// abandoned reports whether the job's URL was not fetched to the end
// because the crawl is stopping: it is then released in the frontier, to
// be fetched by the next run, and gets no manifest line.
func (j *job) abandoned() bool {
	return j.unfinished || errors.Is(j.err, context.Canceled)
}
