package crawl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/ratelimit"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/store"
)

func TestCrawlRetriesAndSizes(t *testing.T) {
	var flaky atomic.Int32
	srv, hits := serveSite(t, map[string]http.HandlerFunc{
		"/flaky": func(w http.ResponseWriter, r *http.Request) {
			if flaky.Add(1) <= 2 {
				http.Error(w, "try again", http.StatusServiceUnavailable)
				return
			}
			fmt.Fprint(w, "third time lucky")
		},
		"/down": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down", http.StatusBadGateway)
		},
		"/big": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			chunk := strings.Repeat("x", 64<<10)
			for range 32 { // 2 MiB, no Content-Length
				fmt.Fprint(w, chunk)
			}
		},
	})
	cfg := testConfig(t, srv.URL+"/flaky", srv.URL+"/down", srv.URL+"/big", srv.URL+"/about.html")
	cfg.Fetch.MaxSize = 1 << 20
	sum, recs := crawlT(t, cfg)
	for _, tt := range []struct {
		path     string
		status   int
		kind     outcome.Kind
		attempts int
		hits     int
	}{
		{"/flaky", 200, "", 3, 3},
		{"/down", 502, "http_5xx", 3, 3},
		{"/big", 200, "too_large", 1, 1},
		{"/about.html", 200, "", 1, 1},
	} {
		r := recs[srv.URL+tt.path]
		if r == nil || r.Status != tt.status || r.ErrorKind != tt.kind || r.Attempts != tt.attempts || hits.get(tt.path) != tt.hits {
			t.Errorf("%s: %+v after %d requests; want status %d, kind %q, %d attempts, %d requests",
				tt.path, r, hits.get(tt.path), tt.status, tt.kind, tt.attempts, tt.hits)
		}
		if tt.kind != "" && r != nil && r.Path != "" {
			t.Errorf("%s failed but was saved at %s", tt.path, r.Path)
		}
	}
	if sum.OK != 2 || sum.Failed != 2 {
		t.Errorf("summary %+v", sum)
	}
	assertNoStrayFiles(t, cfg.OutDir, recs)
}

// assertNoStrayFiles checks that every file under dir is one the manifest
// names, with the recorded digest, and that no temporary file is left.
func assertNoStrayFiles(t *testing.T, dir string, recs map[string]*store.Record) {
	t.Helper()
	byPath := map[string]string{}
	for _, r := range recs {
		if r.Path != "" {
			byPath[r.Path] = r.SHA256
		}
	}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch rel {
		case "manifest.jsonl", "records.jsonl", ".crawl/state.db", ".crawl/state.json":
			return nil
		}
		want, ok := byPath[rel]
		if !ok {
			t.Errorf("stray file %s", rel)
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != want {
			t.Errorf("%s does not match its manifest digest", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCrawlInterrupt(t *testing.T) {
	for _, tt := range []struct {
		name   string
		grace  time.Duration
		finish bool // the slow responses finish within the grace period
	}{
		{"abandon in-flight requests", 50 * time.Millisecond, false},
		{"finish in-flight requests", time.Minute, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			const slow = 3
			started := make(chan struct{}, slow)
			cancelled := make(chan struct{})
			var resumed atomic.Bool // the second run: answer at once
			srv, hits := serveSite(t, map[string]http.HandlerFunc{
				"/slow/": func(w http.ResponseWriter, r *http.Request) {
					if resumed.Load() {
						fmt.Fprint(w, strings.Repeat("c", 20000))
						return
					}
					w.Header().Set("Content-Length", "20000")
					fmt.Fprint(w, strings.Repeat("a", 10000))
					w.(http.Flusher).Flush()
					started <- struct{}{}
					select {
					case <-cancelled:
					case <-r.Context().Done():
						return
					}
					if tt.finish {
						fmt.Fprint(w, strings.Repeat("b", 10000))
						return
					}
					<-r.Context().Done() // until the crawler gives up
				},
			})
			cfg := testConfig(t, srv.URL+"/about.html")
			for i := range slow {
				cfg.Seeds = append(cfg.Seeds, Seed{URL: srv.URL + "/slow/" + strconv.Itoa(i)})
			}
			cfg.Seeds = append(cfg.Seeds, Seed{URL: srv.URL + "/img/logo.png"})
			cfg.Workers = slow + 2
			cfg.Fetch.Retries = 0
			cfg.Grace = tt.grace
			cfg.State = filepath.Join(t.TempDir(), "state.db")
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			var sum Summary
			go func() {
				var err error
				sum, err = c.Run(ctx)
				done <- err
			}()
			for range slow {
				<-started
			}
			cancel()
			close(cancelled)
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Run did not return after cancellation")
			}
			resumed.Store(true)
			if !errors.Is(err, context.Canceled) || !sum.Interrupted {
				t.Fatalf("Run = %v, interrupted %v; want context.Canceled", err, sum.Interrupted)
			}
			recs := readManifest(t, cfg.OutDir)
			for i := range slow {
				r := recs[srv.URL+"/slow/"+strconv.Itoa(i)]
				switch {
				case tt.finish && (r == nil || r.Error != "" || r.Bytes != 20000 || r.Path == ""):
					t.Errorf("slow request %d not finished: %+v", i, r)
				case !tt.finish && r != nil:
					// An abandoned URL is not an outcome: it stays
					// queued for the next run.
					t.Errorf("slow request %d abandoned, and recorded: %+v", i, r)
				}
			}
			// Every URL is either recorded or left for the next run.
			if want := int64(len(cfg.Seeds) - len(recs)); sum.Left != want {
				t.Errorf("summary: %d URLs left; want %d (%d recorded)", sum.Left, want, len(recs))
			}
			assertNoStrayFiles(t, cfg.OutDir, recs)
			if tt.finish {
				return
			}

			// The same crawl again resumes: the abandoned URLs are
			// fetched, each gets one line, nothing else is fetched
			// again.
			before := hits.snapshot()
			c, err = New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if c.Plan().Kind != PlanResume {
				t.Errorf("the second run plans %+v; want to resume", c.Plan())
			}
			if _, err := c.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			recs = readManifest(t, cfg.OutDir)
			for i := range slow {
				r := recs[srv.URL+"/slow/"+strconv.Itoa(i)]
				if r == nil || r.Error != "" || r.Bytes != 20000 {
					t.Errorf("slow request %d after the resume: %+v", i, r)
				}
			}
			for path, n := range hits.snapshot() {
				if before[path] > 0 && n > before[path] && !strings.HasPrefix(path, "/slow/") {
					t.Errorf("%s fetched again by the resumed crawl", path)
				}
			}
			assertNoStrayFiles(t, cfg.OutDir, recs)
		})
	}
}

// generatedSite serves n pages: page i links to pages 4i+1 .. 4i+4 (those
// below n), to its parent and to page 0, and has one image.
func generatedSite(n int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/p/")
		if strings.HasPrefix(r.URL.Path, "/img/") {
			w.Header().Set("Content-Type", "image/png")
			fmt.Fprintf(w, "PNG %s", r.URL.Path)
			return
		}
		i, err := strconv.Atoi(path)
		if err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<!DOCTYPE html><title>page %d</title><a href=\"/p/0\">home</a> <a href=\"../p/%d#up\">up</a>\n", i, i/4)
		for c := 4*i + 1; c <= 4*i+4 && c < n; c++ {
			fmt.Fprintf(w, "<p><a href=\"%d\">page %d</a></p>\n", c, c)
		}
		fmt.Fprintf(w, "<img src=\"/img/%d.png\">%s\n", i%50, strings.Repeat("<p>filler text</p>", 50))
	}
}

func TestCrawlGeneratedSite(t *testing.T) {
	const pages = 3000
	srv, hits := serveSite(t, map[string]http.HandlerFunc{"/p/": generatedSite(pages), "/img/": generatedSite(pages)})
	cfg := testConfig(t, srv.URL+"/p/0")
	cfg.Depth = 100
	cfg.Workers = 16
	sum, recs := crawlT(t, cfg)
	if len(recs) != pages+50 || sum.OK != pages+50 || sum.Failed != 0 {
		t.Fatalf("%d URLs recorded (%d ok, %d failed); want %d", len(recs), sum.OK, sum.Failed, pages+50)
	}
	if uri, n := hits.max(); n != 1 {
		t.Errorf("%s requested %d times", uri, n)
	}
	// Page i is at depth floor(log4(3i+1)): 1 + 4 + 16 + ... pages per level.
	depth := func(i int) int {
		d := 0
		for first := 0; i >= first+pow4(d); d++ {
			first += pow4(d)
		}
		return d
	}
	for _, i := range []int{0, 1, 4, 5, 20, 21, 2999} {
		if r := recs[fmt.Sprintf("%s/p/%d", srv.URL, i)]; r == nil || r.Depth != depth(i) {
			t.Errorf("page %d: %+v; want depth %d", i, r, depth(i))
		}
	}
	assertNoStrayFiles(t, cfg.OutDir, recs)
}

func pow4(d int) int { return 1 << (2 * d) }

func BenchmarkCrawlGeneratedSite(b *testing.B) {
	const pages = 2000
	srv, _ := serveSite(b, map[string]http.HandlerFunc{"/p/": generatedSite(pages), "/img/": generatedSite(pages)})
	b.ReportAllocs()
	for b.Loop() {
		cfg := Config{
			OutDir: b.TempDir(), Depth: 100, Workers: 16,
			Seeds: []Seed{{URL: srv.URL + "/p/0"}},
		}
		c, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := c.Run(context.Background())
		if err != nil || sum.OK != pages+50 {
			b.Fatalf("%v: %+v", err, sum)
		}
	}
	b.ReportMetric(float64(pages+50)*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

func TestCrawlPoliteWaitIsNotATimeout(t *testing.T) {
	// Ten URLs on one host at 10 requests/s: the last waits about 900 ms
	// for its turn, longer than the 400 ms request timeout, and must not
	// fail for it. (The timeout leaves a loaded machine room for the
	// request itself.)
	srv, _ := serveSite(t, nil)
	cfg := testConfig(t)
	for i := range 10 {
		cfg.Seeds = append(cfg.Seeds, Seed{URL: fmt.Sprintf("%s/about.html?n=%d", srv.URL, i)})
	}
	cfg.Workers = 10
	cfg.Fetch.Retries = 0
	cfg.Fetch.Timeout = 400 * time.Millisecond
	cfg.RateLimit = ratelimit.Options{Rate: 10, Burst: 1}
	sum, _ := crawlT(t, cfg)
	if sum.OK != 10 || sum.Failed != 0 {
		t.Fatalf("%d fetched, %d failed (%v); want all 10 fetched", sum.OK, sum.Failed, sum.Errors)
	}
}

func TestCrawlTraps(t *testing.T) {
	srv, hits := serveSite(t, map[string]http.HandlerFunc{
		// Every page links one level deeper, relatively: /deep/a/a/a/...
		"/deep/": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<a href="a/">deeper</a>`)
		},
		// An endless calendar: each day links the next.
		"/cal": func(w http.ResponseWriter, r *http.Request) {
			d, _ := strconv.Atoi(r.URL.Query().Get("d"))
			fmt.Fprintf(w, `<a href="/cal?d=%d">next day</a>`, d+1)
		},
		"/start": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<a href="/deep/">deep</a> <a href="/cal?d=0">calendar</a> <a href="/%s">long</a>`, strings.Repeat("x", 9000))
		},
	})
	cfg := testConfig(t, srv.URL+"/start")
	cfg.Depth = 1000
	cfg.Traps = scope.TrapLimits{MaxQueryVariants: 20}
	sum, recs := crawlT(t, cfg)

	kinds := map[outcome.Kind]int{}
	for _, r := range recs {
		if r.ErrorKind != "" {
			kinds[r.ErrorKind]++
		}
	}
	want := map[outcome.Kind]int{"trap_repeated_segment": 1, "trap_query_variants": 1, "trap_url_length": 1}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("manifest error kinds %v; want %v", kinds, want)
	}
	// /deep/, /deep/a/ .. /deep/a/a/a/ (a repeated at most 3 times), and
	// 20 calendar days; nothing fetched twice.
	if n := hits.get("/cal?d=20"); n != 0 {
		t.Errorf("the 21st calendar day was fetched")
	}
	if uri, n := hits.max(); n > 1 {
		t.Errorf("%s fetched %d times", uri, n)
	}
	if sum.Failed != 0 || sum.OK != 1+4+20 {
		t.Errorf("%d fetched, %d failed; want 25 fetched and traps not counted as failures", sum.OK, sum.Failed)
	}
}

func TestCrawlGivesUpUnreachableHost(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close() // connections are refused from now on
	cfg := testConfig(t)
	for i := range 10 {
		cfg.Seeds = append(cfg.Seeds, Seed{URL: fmt.Sprintf("%s/%d", dead, i)})
	}
	cfg.Workers = 1
	cfg.Fetch.Retries = 0
	cfg.RateLimit = ratelimit.Options{Adaptive: true, BreakerThreshold: 2, BreakerCooldown: time.Millisecond, BreakerTrips: 1}
	sum, _ := crawlT(t, cfg)
	// Two failures open the breaker, two more give the host up; the six
	// other URLs fail at once without connecting.
	if sum.Errors["connection"] != 4 || sum.Errors["host_unreachable"] != 6 {
		t.Errorf("errors %v; want 4 connection and 6 host_unreachable", sum.Errors)
	}
}

// failingClose is a frontier whose Close fails, as a persistent one may
// when it cannot commit its last batch.
type failingClose struct{ *frontier.Memory }

var errCloseFailed = errors.New("last batch not committed")

func (f failingClose) Close() error {
	f.Memory.Close()
	return errCloseFailed
}

func TestRunReportsCloseErrors(t *testing.T) {
	srv, _ := serveSite(t, nil)
	cfg := testConfig(t, srv.URL+"/about.html")
	cfg.Frontier = failingClose{frontier.NewMemory()}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(t.Context())
	if !errors.Is(err, errCloseFailed) {
		t.Fatalf("Run = %v; want the frontier's close error", err)
	}
	if sum.OK != 1 {
		t.Errorf("summary %+v", sum)
	}
}

// doneWatcher is a frontier that checks, at each Done, that the URL's
// manifest line was made durable (synced) before.
type doneWatcher struct {
	frontier.Frontier
	t      *testing.T
	mu     sync.Mutex
	synced []byte // the manifest as it was at the last sync
}

func (w *doneWatcher) Done(ctx context.Context, it frontier.Item) error {
	w.mu.Lock()
	synced := string(w.synced)
	w.mu.Unlock()
	if !strings.Contains(synced, `"url":"`+it.URL+`"`) {
		w.t.Errorf("%s done before its manifest line was synced", it.URL)
	}
	return w.Frontier.Done(ctx, it)
}

// TestFsyncBeforeDone checks that with Fsync a URL's manifest line is
// synced before the frontier is told the URL is done: a power cut must not
// leave a state that says done and a manifest without the line.
func TestFsyncBeforeDone(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir("testdata/site")))
	defer srv.Close()
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 1
	cfg.Fsync = true
	w := &doneWatcher{Frontier: frontier.NewMemory(), t: t}
	cfg.Frontier = w
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.store.sync == nil {
		t.Fatal("no sync before Done with Fsync")
	}
	syncOutputs := c.store.sync
	c.store.sync = func() error {
		err := syncOutputs()
		b, rerr := os.ReadFile(filepath.Join(cfg.OutDir, store.ManifestName))
		if rerr != nil {
			t.Error(rerr)
		}
		w.mu.Lock()
		w.synced = b
		w.mu.Unlock()
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sum, err := c.Run(ctx)
	if err != nil || sum.OK < 5 {
		t.Fatalf("Run: %v, %d fetched", err, sum.OK)
	}
}
