package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/crawl-go/crawl/store"
)

// TestSessionIDs crawls, as a process, a site whose every link carries a
// fresh session id, in the forms servlet, PHP and ASP applications use:
// each distinct page must be fetched once, however many ids it is linked
// with.
func TestSessionIDs(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep %v", keep), func(t *testing.T) { testSessionIDs(t, keep) })
	}
}

func testSessionIDs(t *testing.T, keep bool) {
	var mu sync.Mutex
	served := map[string]int{}
	visits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" || r.URL.Path == "/sitemap.xml" {
			http.NotFound(w, r)
			return
		}
		page, _, _ := strings.Cut(r.URL.Path, ";")
		mu.Lock()
		served[page]++
		visits++
		id := fmt.Sprintf("%032X", visits*7919)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		// Six pages in a ring, each linking to the next two with a new id
		// in each form.
		var n int
		fmt.Sscanf(page, "/p%d", &n)
		for _, next := range []int{(n + 1) % 6, (n + 2) % 6} {
			fmt.Fprintf(w, `<a href="/p%d;jsessionid=%s">a</a>`, next, id)
			fmt.Fprintf(w, `<a href="/p%d?PHPSESSID=%s">b</a>`, next, strings.ToLower(id))
			fmt.Fprintf(w, `<a href="/p%d?ASPSESSIONIDQQGGGNCB=%s">c</a>`, next, id[:24])
			fmt.Fprintf(w, `<a href="/p%d?sid=%s">d</a>`, next, strings.ToLower(id))
		}
	}))
	defer srv.Close()
	args := []string{"-o", t.TempDir(), "-q", "--depth", "20", srv.URL + "/p0"}
	if keep {
		// With the ids kept, every variant is a URL of its own: two
		// levels are enough to show it.
		args = append(args, "--keep-session-ids", "--depth", "2")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("crawl: %v\n%s", err, out)
	}
	mu.Lock()
	defer mu.Unlock()
	if keep {
		if visits < 20 {
			t.Errorf("%d requests with --keep-session-ids; want each variant fetched", visits)
		}
		return
	}
	if len(served) != 6 {
		t.Errorf("served %v; want the 6 pages", served)
	}
	for p, n := range served {
		if n != 1 {
			t.Errorf("%s fetched %d times; want once", p, n)
		}
	}
}

// TestLongURL crawls, with the default flags, a page linking to a URL of
// 7,000 bytes (a long query, as search and tracking links have): it is
// fetched, and saved under a name the file system takes, which the
// manifest reports.
func TestLongURL(t *testing.T) {
	long := "/search?q=" + strings.Repeat("long+query+", 630)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.RequestURI() {
		case "/":
			fmt.Fprintf(w, `<a href="%s">long</a>`, long)
		case long:
			fmt.Fprint(w, "found")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	out := t.TempDir()
	cmd := exec.Command(os.Args[0], "-o", out, "-q", "--depth", "1", "--robots=false", srv.URL+"/")
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("crawl: %v\n%s", err, b)
	}
	var rec *store.Record
	f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	store.ReadManifest(f, func(r *store.Record) error {
		if strings.HasSuffix(r.URL, long) {
			rec = r
		}
		return nil
	})
	if rec == nil || rec.Error != "" || rec.Path == "" || len(rec.Path) > 3800 {
		t.Fatalf("the long URL's line: %+v", rec)
	}
	if b, err := os.ReadFile(filepath.Join(out, rec.Path)); err != nil || string(b) != "found" {
		t.Errorf("the saved file %s: %q, %v", rec.Path, b, err)
	}
}
