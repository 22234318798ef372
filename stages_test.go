package crawl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/store"
)

// The tests in this file check each stage's decisions on its own, without
// a crawl: whether a body is read, where from, what becomes of it, and
// which links are admitted.

func TestWantBody(t *testing.T) {
	for _, tt := range []struct {
		typ                              parse.Type
		mode                             parse.Mode
		follow, selecting, sitemap, want bool
	}{
		{parse.TypeHTML, parse.ModePage, true, false, false, true},
		{parse.TypeHTML, parse.ModePage, false, true, false, true},   // for --select only
		{parse.TypeHTML, parse.ModePage, false, false, false, false}, // every link too deep, nothing to select
		{parse.TypeCSS, parse.ModePage, true, false, false, true},
		{parse.TypeCSS, parse.ModePage, false, true, false, false}, // --select reads HTML only
		{parse.TypeOther, parse.ModePage, true, false, true, true}, // a sitemap
		{parse.TypeOther, parse.ModePage, true, false, false, false},
		{parse.TypeOther, parse.ModePage, false, false, true, false},
		{parse.TypeJS, parse.ModePage, true, false, false, false}, // scripts: --discover all only
		{parse.TypeJS, parse.ModeAll, true, false, false, true},
		{parse.TypeJS, parse.ModeAll, false, false, false, false},
	} {
		if got := wantBody(tt.typ, tt.mode, tt.follow, tt.selecting, tt.sitemap); got != tt.want {
			t.Errorf("wantBody(%v, %v, follow %v, selecting %v, sitemap %v) = %v", tt.typ, tt.mode, tt.follow, tt.selecting, tt.sitemap, got)
		}
	}
}

func TestSourceOf(t *testing.T) {
	prev := &store.Record{URL: "http://a/", Path: "a/index.html", ContentType: "text/html"}
	resp := func(status int) *fetch.Response {
		return &fetch.Response{Status: status, ContentType: "text/css", FinalURL: "http://a/final"}
	}
	for _, tt := range []struct {
		name string
		j    *job
		want source
	}{
		{"fetched", &job{resp: resp(200)}, source{contentType: "text/css", finalURL: "http://a/final"}},
		{"304 of a re-crawl: the kept file", &job{resp: resp(304), prev: prev},
			source{contentType: "text/html", finalURL: "http://a/final", kept: prev, notModified: true}},
		{"redirect not followed", &job{resp: resp(301)}, source{nothing: true, dup: true}},
		{"an earlier run's file", &job{item: frontier.Item{URL: "http://a/"}, earlier: &earlierLine{ok: true, path: "a/index.html", contentType: "text/html"}},
			source{contentType: "text/html", kept: &store.Record{URL: "http://a/", Path: "a/index.html", ContentType: "text/html"}}},
		{"an earlier run's failure", &job{earlier: &earlierLine{}, skip: true}, source{nothing: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := sourceOf(tt.j)
			if fmt.Sprint(got.kept) != fmt.Sprint(tt.want.kept) {
				t.Errorf("kept %+v; want %+v", got.kept, tt.want.kept)
			}
			got.kept, tt.want.kept, got.header = nil, nil, nil
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("sourceOf = %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestSaveActionOf(t *testing.T) {
	body := &fetch.Response{Body: &fetch.Body{}}
	prev := &store.Record{Path: "a.html"}
	for _, tt := range []struct {
		name     string
		j        *job
		noMirror bool
		want     saveAction
	}{
		{"failed", &job{err: errors.New("x"), resp: body}, false, saveNothing},
		{"new", &job{resp: body}, false, putFile},
		{"re-crawl, new body", &job{resp: body, prev: prev}, false, replaceFile},
		{"re-crawl, 304", &job{resp: body, prev: prev, notModified: true}, false, keepFile},
		{"redirect handled on its own", &job{resp: body, dup: true}, false, recordOnly},
		{"no mirror", &job{resp: body}, true, recordOnly},
		{"no response", &job{}, false, saveNothing},
	} {
		if got := saveActionOf(tt.j, tt.noMirror); got != tt.want {
			t.Errorf("%s: %v; want %v", tt.name, got, tt.want)
		}
	}
}

// newTestAdmitter returns an admitter over a memory frontier, writing its
// lines to manifest.
func newTestAdmitter(t *testing.T, rules scope.Rules, traps scope.TrapLimits, maxPages int, seed string, manifest *bytes.Buffer) (*admitter, *frontier.Memory, *stats) {
	t.Helper()
	u, _ := url.Parse(seed)
	f := frontier.NewMemory()
	t.Cleanup(func() { f.Close() })
	st := &stats{}
	rec := &recorder{manifest: store.NewManifestWriter(manifest), run: 1, history: &history{}, stats: st, fail: func(err error) { t.Error(err) }}
	return &admitter{frontier: f, scope: scope.New(rules, []*url.URL{u}), traps: scope.NewTraps(traps),
		maxPages: int64(maxPages), rec: rec, stats: st, fetched: &history{}}, f, st
}

func TestAdmitLinks(t *testing.T) {
	ctx := context.Background()
	var manifest bytes.Buffer
	a, f, st := newTestAdmitter(t, scope.Rules{MaxDepth: 1}, scope.TrapLimits{MaxPagesPerHost: 2}, 0, "http://a.test/", &manifest)
	if err := a.seeds(ctx, []frontier.Item{{URL: "http://a.test/", Host: "a.test"}}); err != nil {
		t.Fatal(err)
	}
	seed, _ := f.Next(ctx)
	link := func(s string, kind parse.Kind) parse.Link {
		u, _ := url.Parse(s)
		return parse.Link{URL: u, Kind: kind}
	}
	var b linkBuffers
	err := a.links(ctx, seed, []parse.Link{
		link("http://a.test/1", parse.Page),
		link("http://other.test/x", parse.Page),                                    // off site
		link("http://a.test/"+string(bytes.Repeat([]byte("x"), 9000)), parse.Page), // a trap
		link("http://a.test/1", parse.Page),                                        // seen: its reservation is given back
		link("http://a.test/2", parse.Requisite),
		link("http://a.test/3", parse.Page), // over the host's budget of 2 (seeds are not counted)
	}, &b)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := f.Counts(ctx); n.Queued != 2 {
		t.Errorf("%d queued; want /1 and /2", n.Queued)
	}
	sum := Summary{Skipped: st.skipped}
	if sum.Skipped[outcome.OffSite] != 1 || sum.Skipped[outcome.Skip(outcome.TrapURLLength)] != 1 ||
		sum.Skipped[outcome.Skip(outcome.TrapHostPages)] != 1 {
		t.Errorf("skipped %v; want one off_site, one trap_url_length, one trap_host_pages", sum.Skipped)
	}
	var kinds []outcome.Kind
	store.ReadManifest(&manifest, func(r *store.Record) error {
		kinds = append(kinds, r.ErrorKind)
		if r.Parent != seed.URL || r.Depth != 1 {
			t.Errorf("skip line %+v: want the parent and depth of the link", r)
		}
		return nil
	})
	if fmt.Sprint(kinds) != "[trap_url_length trap_host_pages]" {
		t.Errorf("manifest lines of kinds %v; want one per trapped URL", kinds)
	}
}

func TestAdmitBudget(t *testing.T) {
	ctx := context.Background()
	var manifest bytes.Buffer
	a, f, st := newTestAdmitter(t, scope.Rules{MaxDepth: 5}, scope.TrapLimits{}, 3, "http://a.test/", &manifest)
	a.seeds(ctx, []frontier.Item{{URL: "http://a.test/", Host: "a.test"}})
	seed, _ := f.Next(ctx)
	var links []parse.Link
	for i := range 5 {
		u, _ := url.Parse(fmt.Sprintf("http://a.test/%d", i))
		links = append(links, parse.Link{URL: u})
	}
	links = append(links, links[0]) // seen: gives its reservation back
	var b linkBuffers
	if err := a.links(ctx, seed, links, &b); err != nil {
		t.Fatal(err)
	}
	// The budget is checked before the frontier knows a link is seen:
	// the duplicate of /0 counts as over it too.
	if n, _ := f.Counts(ctx); n.Queued != 2 || st.skipped[outcome.MaxPages] != 4 {
		t.Errorf("%d queued, %d over the budget; want 2 (3 with the seed) and 4", n.Queued, st.skipped[outcome.MaxPages])
	}
	if manifest.Len() != 0 {
		t.Errorf("the budget wrote lines: %s", manifest.String())
	}
}

func TestAdmitRedirect(t *testing.T) {
	ctx := context.Background()
	var manifest bytes.Buffer
	a, f, st := newTestAdmitter(t, scope.Rules{MaxDepth: 5}, scope.TrapLimits{}, 0, "http://a.test/", &manifest)
	a.fetched = &history{lines: map[string]*earlierLine{"http://a.test/earlier": {ok: true, path: "x"}}}
	f.Add(ctx, frontier.Item{URL: "http://a.test/queued", Host: "a.test"})
	for _, tt := range []struct {
		name   string
		depth  int
		target string
		want   error
	}{
		{"new target", 1, "http://a.test/new", nil},
		{"its own URL with a session id", 1, "http://a.test/from;jsessionid=0123456789ABCDEF0123456789ABCDEF", nil},
		{"queued already", 1, "http://a.test/queued", fetch.ErrSkipRedirect},
		{"claimed already", 1, "http://a.test/new", fetch.ErrSkipRedirect},
		{"fetched by an earlier run", 1, "http://a.test/earlier", fetch.ErrSkipRedirect},
		{"off site from a link", 1, "http://b.test/", fetch.ErrSkipRedirect},
		{"off site from a seed: the site moved", 0, "http://www.a.test/", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fs := &fetchState{item: frontier.Item{URL: "http://a.test/from", Depth: tt.depth}}
			if err := a.redirect(ctx, fs, tt.target); !errors.Is(err, tt.want) {
				t.Fatalf("redirect = %v; want %v", err, tt.want)
			}
			claimed := tt.want == nil && tt.target != "http://a.test/from;jsessionid=0123456789ABCDEF0123456789ABCDEF"
			if claimed != (len(fs.claimed) == 1) {
				t.Errorf("claimed %v", fs.claimed)
			}
		})
	}
	if st.skipped[outcome.OffSite.Redirect()] != 1 {
		t.Errorf("skipped %v; want one redirect_off_site", st.skipped)
	}
}

func TestRecorder(t *testing.T) {
	h := &history{lines: map[string]*earlierLine{
		"http://a/this-run":    {run: 2, ok: true},
		"http://a/earlier-run": {run: 1, ok: true},
		"http://a/robots":      {run: 1, policy: outcome.Robots},
		"http://a/503":         {run: 2, failed: true, retry: true},
		"http://a/404":         {run: 2, failed: true},
	}}
	for _, tt := range []struct {
		rec     store.Record
		written bool
	}{
		{store.Record{URL: "http://a/new"}, true},
		{store.Record{URL: "http://a/this-run"}, false},   // a resumed run does not repeat its lines
		{store.Record{URL: "http://a/earlier-run"}, true}, // a new run records it again
		{store.Record{URL: "http://a/robots", ErrorKind: outcome.Robots}, false},
		{store.Record{URL: "http://a/robots", Status: http.StatusOK}, true}, // now allowed
		{store.Record{URL: "http://a/503", Status: http.StatusOK}, true},    // a failure tried again gets its new line
		{store.Record{URL: "http://a/404", Status: http.StatusNotFound}, false},
	} {
		var buf bytes.Buffer
		r := &recorder{manifest: store.NewManifestWriter(&buf), run: 2, history: h, stats: &stats{}, fail: func(err error) { t.Error(err) }}
		rec := tt.rec
		r.write(&rec)
		if got := buf.Len() > 0; got != tt.written {
			t.Errorf("%s (%s): written %v; want %v", tt.rec.URL, tt.rec.ErrorKind, got, tt.written)
		}
	}
}

func TestFromEarlier(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	saved, err := st.Put("a.test/page.html", []byte("<a href=x>"))
	if err != nil {
		t.Fatal(err)
	}
	h := &history{lines: map[string]*earlierLine{
		"http://a.test/page":     {ok: true, path: saved},
		"http://a.test/gone":     {ok: true, path: "a.test/deleted-by-hand.html"},
		"http://a.test/failed":   {ok: false, status: 404},
		"http://a.test/redirect": {ok: true, status: 301},
		"http://a.test/nomirror": {ok: true, status: 200},
		"http://a.test/robots":   {policy: outcome.Robots},
	}}
	s := &fetchStage{history: h, store: st}
	for _, tt := range []struct {
		url        string
		fromDisk   bool
		skip       bool
		fetchAgain bool
	}{
		{"http://a.test/page", true, false, false},
		{"http://a.test/gone", false, false, true}, // its file is gone: fetched again
		{"http://a.test/failed", false, true, false},
		{"http://a.test/redirect", false, true, false},
		{"http://a.test/nomirror", false, false, true}, // no file to read its links from
		{"http://a.test/robots", false, false, true},   // a policy is decided again
		{"http://a.test/new", false, false, true},
	} {
		j := s.fromEarlier(frontier.Item{URL: tt.url})
		switch {
		case tt.fetchAgain && j != nil:
			t.Errorf("%s: %+v; want it fetched", tt.url, j)
		case !tt.fetchAgain && (j == nil || j.skip != tt.skip || j.earlier == nil):
			t.Errorf("%s: %+v; want from disk %v, skipped %v", tt.url, j, tt.fromDisk, tt.skip)
		}
	}
}
