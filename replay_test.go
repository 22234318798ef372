package crawl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crawl-go/crawl/store/wacz"
)

// replayDir holds replay.mjs and its pinned packages: ReplayWeb.page
// (whose ui.js and sw.js the test serves) and puppeteer-core.
const replayDir = "testdata/replay"

// replayTools returns the paths of Chromium and Node, skipping the test
// when they or the packages are missing, except in CI, where it fails.
func replayTools(t *testing.T) (chromium, node string) {
	t.Helper()
	var missing []string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		missing = append(missing, "chromium (apt-get install chromium)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node")
	}
	for _, pkg := range []string{"replaywebpage/sw.js", "replaywebpage/ui.js", "puppeteer-core/package.json"} {
		if _, err := os.Stat(filepath.Join(replayDir, "node_modules", pkg)); err != nil {
			missing = append(missing, "npm ci --ignore-scripts --prefix "+replayDir)
			break
		}
	}
	if len(missing) > 0 {
		msg := "the replay test needs " + strings.Join(missing, ", ") + " (.ci/run installs them)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return chromium, node
}

// hitLog records the paths a server is asked for.
type hitLog struct {
	mu   sync.Mutex
	hits []string
}

func (l *hitLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.hits = append(l.hits, r.URL.RequestURI())
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *hitLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hits
	l.hits = nil
	return h
}

// replayReport is what replay.mjs prints.
type replayReport struct {
	Viewer struct{ Base, Coll, TS, URL string } `json:"viewer"`
	Pages  []struct {
		URL               string `json:"url"`
		ReplayURL         string `json:"replayURL"`
		Status            int    `json:"status"`
		FromServiceWorker bool   `json:"fromServiceWorker"`
		FinalURL          string `json:"finalURL"`
		Error             string `json:"error"`
		Title             string `json:"title"`
		HTMLClass         string `json:"htmlClass"`
		Background        string `json:"background"`
		Redirects         []struct {
			URL    string `json:"url"`
			Status int    `json:"status"`
		} `json:"redirects"`
		Responses []struct {
			URL               string `json:"url"`
			Status            int    `json:"status"`
			FromServiceWorker bool   `json:"fromServiceWorker"`
			Type              string `json:"type"`
			Frame             string `json:"frame"`
		} `json:"responses"`
		Failed []struct{ URL, Error string } `json:"failed"`
		Images []struct {
			Src    string `json:"src"`
			Loaded bool   `json:"loaded"`
		} `json:"images"`
		Stylesheets []struct {
			Href  string `json:"href"`
			Rules int    `json:"rules"`
		} `json:"stylesheets"`
		Scripts []string `json:"scripts"`
	} `json:"pages"`
}

// TestReplayWACZ is the acceptance test of the archive: it crawls
// testdata/site into a WACZ, serves the package with ReplayWeb.page's
// ui.js and sw.js from one local port, and opens every archived page
// through the viewer in headless Chromium. Each page, and every image,
// stylesheet (with its @import and url()) and script of it, must come
// from the archive through the viewer's service worker; a URL that
// answered 301 must replay as a redirect; and the live site must get no
// request at all while the archive is browsed.
func TestReplayWACZ(t *testing.T) {
	chromium, node := replayTools(t)
	var live hitLog
	site := httptest.NewServer(live.wrap(http.FileServer(http.Dir("testdata/site"))))
	defer site.Close()

	cfg := testConfig(t, site.URL+"/")
	cfg.Depth = 10
	cfg.NoMirror = true
	cfg.WACZ = filepath.Join(t.TempDir(), "site.wacz")
	_, recs := crawlT(t, cfg)
	live.take()

	// The pages to open: every HTML page archived with 200, and a URL
	// that answered with a redirect.
	var pages []string
	titles := map[string]string{}
	redirect := ""
	for u, r := range recs {
		switch {
		case r.Status == http.StatusOK && strings.HasPrefix(r.ContentType, "text/html") && r.FinalURL == "":
			pages = append(pages, u)
			titles[u] = pageTitle(t, strings.TrimPrefix(u, site.URL))
		case r.Status >= 300 && r.Status < 400 && redirect == "":
			redirect = u
		}
	}
	if len(pages) < 10 || redirect == "" {
		t.Fatalf("the crawl archived %d pages and redirect %q", len(pages), redirect)
	}
	slices.Sort(pages)

	var viewer hitLog
	mux := http.NewServeMux()
	rwp := filepath.Join(replayDir, "node_modules", "replaywebpage")
	mux.Handle("/replay/", http.StripPrefix("/replay/", http.FileServer(http.Dir(rwp))))
	mux.HandleFunc("/site.wacz", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, cfg.WACZ) })
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!DOCTYPE html><meta charset="utf-8"><title>replay</title>
<script src="/replay/ui.js"></script>
<replay-web-page source="/site.wacz" url="%s" replayBase="/replay/" embed="replayonly"></replay-web-page>`, html.EscapeString(site.URL+"/"))
	})
	mux.HandleFunc("/frame", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!DOCTYPE html><meta charset="utf-8"><title>frame</title><iframe id="replay" style="width:1000px;height:700px"></iframe>`)
	})
	harness := httptest.NewServer(viewer.wrap(mux))
	defer harness.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"replay.mjs", chromium, harness.URL + "/", harness.URL + "/frame", redirect}, pages...)...)
	cmd.Dir = replayDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("replay.mjs: %v\n%s\nviewer hits: %v", err, stderr.Bytes(), viewer.take())
	}
	var rep replayReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("replay.mjs output: %v\n%s", err, out)
	}
	if len(rep.Pages) != len(pages)+1 {
		t.Fatalf("replay.mjs reported %d pages, want %d", len(rep.Pages), len(pages)+1)
	}
	replayPrefix := harness.URL + "/replay/w/" + rep.Viewer.Coll + "/"

	// The redirect replays as one: the viewer answers with the archived
	// 301 (after a redirect of its own that pins the WACZ in the URL),
	// and the frame ends on the replay of its target.
	r := rep.Pages[0]
	replayed := false
	for _, rd := range r.Redirects {
		replayed = replayed || strings.HasSuffix(rd.URL, "mp_/"+redirect) && rd.Status == recs[redirect].Status
	}
	if !replayed || !strings.HasPrefix(r.FinalURL, replayPrefix) || !strings.HasSuffix(r.FinalURL, "mp_/"+recs[redirect].Redirects[0]) || r.Status != 200 {
		t.Errorf("%s (archived as %d to %v) replayed as %d after %+v at %s, %s", redirect, recs[redirect].Status,
			recs[redirect].Redirects, r.Status, r.Redirects, r.FinalURL, r.Error)
	}

	images, sheets, scripts := 0, 0, 0
	for _, p := range rep.Pages[1:] {
		if p.Error != "" || p.Status != 200 || !p.FromServiceWorker || p.Title != titles[p.URL] {
			t.Errorf("%s: status %d, from the service worker %v, title %q (want %q), %s", p.URL, p.Status, p.FromServiceWorker, p.Title, titles[p.URL], p.Error)
		}
		for _, resp := range p.Responses {
			// Everything the replayed page loaded came through the
			// viewer's service worker: the archive's resources, and the
			// viewer's own scripts.
			if resp.Frame != "replay" {
				continue
			}
			if !strings.HasPrefix(resp.URL, harness.URL+"/replay/") || !resp.FromServiceWorker || resp.Status >= 400 {
				t.Errorf("%s: %s %s answered %d, from the service worker %v", p.URL, resp.Type, resp.URL, resp.Status, resp.FromServiceWorker)
			}
		}
		for _, f := range p.Failed {
			t.Errorf("%s: %s failed: %s", p.URL, f.URL, f.Error)
		}
		// The DOM shows the original URLs (the viewer's wombat.js
		// rewrites them back), but for an image's currentSrc; each must
		// have been fetched from the archive, through the service worker.
		fetched := func(u string) bool {
			for _, resp := range p.Responses {
				if resp.Frame == "replay" && strings.HasPrefix(resp.URL, replayPrefix) && (resp.URL == u || strings.HasSuffix(resp.URL, "/"+u)) &&
					resp.FromServiceWorker && resp.Status == 200 {
					return true
				}
			}
			return false
		}
		for _, img := range p.Images {
			images++
			if !img.Loaded || !fetched(img.Src) {
				t.Errorf("%s: image %s did not load from the archive", p.URL, img.Src)
			}
		}
		for _, s := range p.Stylesheets {
			if s.Href == "" {
				continue // an inline <style>
			}
			sheets++
			if s.Rules <= 0 || !fetched(s.Href) {
				t.Errorf("%s: stylesheet %s (%d rules) did not load from the archive", p.URL, s.Href, s.Rules)
			}
		}
		for _, s := range p.Scripts {
			if strings.HasPrefix(s, harness.URL+"/replay/") {
				continue // the viewer's own (wombat.js)
			}
			scripts++
			if !fetched(s) {
				t.Errorf("%s: script %s did not load from the archive", p.URL, s)
			}
			if strings.HasSuffix(s, "/js/app.js") && !strings.Contains(p.HTMLClass, "js") {
				t.Errorf("%s: app.js did not run (html class %q)", p.URL, p.HTMLClass)
			}
		}
		if p.URL == site.URL+"/" {
			// site.css @imports reset.css and has url(../img/bg.png).
			if !strings.Contains(p.Background, "/img/bg.png") || !hasSheet(p.Stylesheets, "/css/reset.css") || p.HTMLClass != "js" {
				t.Errorf("home page: background %q, stylesheets %+v, html class %q", p.Background, p.Stylesheets, p.HTMLClass)
			}
			bg := false
			for _, resp := range p.Responses {
				bg = bg || strings.HasSuffix(resp.URL, "/img/bg.png") && resp.Status == 200
			}
			if !bg {
				t.Error("home page: the stylesheet's url(../img/bg.png) was not loaded from the archive")
			}
		}
	}
	if images < 5 || sheets < 5 || scripts < 1 {
		t.Errorf("only %d images, %d stylesheets and %d scripts checked", images, sheets, scripts)
	}
	if hits := live.take(); len(hits) > 0 {
		t.Errorf("the live site got %d requests during the replay: %v", len(hits), hits)
	}
	t.Logf("replayed %d pages (%d images, %d stylesheets, %d scripts) and a redirect through ReplayWeb.page; the viewer's server got %d requests, the live site none",
		len(pages), images, sheets, scripts, len(viewer.take()))
	if t.Failed() || os.Getenv("REPLAY_DUMP") != "" {
		t.Logf("replay.mjs:\n%s\n%s", out, stderr.Bytes())
	}
}

func hasSheet(sheets []struct {
	Href  string `json:"href"`
	Rules int    `json:"rules"`
}, suffix string) bool {
	for _, s := range sheets {
		if strings.HasSuffix(s.Href, suffix) && s.Rules > 0 {
			return true
		}
	}
	return false
}

// pageTitle returns the title of a page of testdata/site, as a browser
// shows it.
func pageTitle(t *testing.T, path string) string {
	t.Helper()
	p := filepath.Join("testdata/site", filepath.FromSlash(path))
	if strings.HasSuffix(path, "/") {
		p = filepath.Join(p, "index.html")
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("page %s: %v", path, err)
	}
	return wacz.Title(b)
}
