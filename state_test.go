package crawl

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"github.com/crawl-go/crawl/frontier/disk"
)

// TestPlanOfStoppedRun checks the plan of a crawl whose last run stopped
// before its seeds were queued (killed at once: its settings written, its
// state empty): the crawl is walked again, reading the pages saved
// earlier from disk, where it was taken for finished ("nothing to do").
// A crawl whose last run finished has nothing to do.
func TestPlanOfStoppedRun(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch r.URL.Path {
		case "/":
			w.Write([]byte(`<a href="/a.html">a</a>`))
		case "/a.html":
			w.Write([]byte("page"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 1
	crawlT(t, cfg)

	plan := func() Plan {
		t.Helper()
		c, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.close()
		return c.Plan()
	}
	if p := plan(); p.Kind != PlanNothing {
		t.Fatalf("the plan of a finished crawl: %+v; want nothing to do", p)
	}

	// The last run stopped before its seeds were committed: its
	// settings, not finished, and an empty state.
	state := DefaultState(cfg.OutDir)
	raw, err := os.ReadFile(InfoPath(state))
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	if err := json.Unmarshal(raw, &info); err != nil {
		t.Fatal(err)
	}
	delete(info, "finished")
	raw, _ = json.Marshal(info)
	if err := os.WriteFile(InfoPath(state), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(state); err != nil {
		t.Fatal(err)
	}
	f, err := disk.Open(disk.Options{Path: state})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()

	if p := plan(); p.Kind != PlanExtend {
		t.Fatalf("the plan after a run that queued nothing: %+v; want the crawl walked again", p)
	}
	before := requests.Load()
	sum, recs := crawlT(t, cfg)
	if len(recs) != 2 || requests.Load() != before {
		t.Errorf("the walk again: %d manifest lines, %d requests (%+v); want both pages, read from disk", len(recs), requests.Load()-before, sum)
	}
	if p := plan(); p.Kind != PlanNothing {
		t.Errorf("the plan once walked again: %+v; want nothing to do", p)
	}
}
