package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/crawl-go/crawl/internal/testredis"
)

// TestSharedRedisOutage stops the Redis server of a crawl shared by two
// processes for 2 seconds mid-crawl, then starts it again with its data: a
// brief outage is retried, so both processes finish with status 0, no URL
// is fetched by both (no lease ran out), and go-redis's own log lines are
// not printed.
func TestSharedRedisOutage(t *testing.T) {
	srv := testredis.Start(t)
	const pages = 300
	outage := make(chan struct{}, 1)
	web, _ := newTreeSite(t, pages, 4, func(total int) {
		if total == 60 {
			outage <- struct{}{}
		}
		time.Sleep(5 * time.Millisecond)
	})
	go func() {
		<-outage
		srv.Stop()
		time.Sleep(2 * time.Second)
		srv.Restart()
	}()
	crawlID := newCrawlID("test-outage-")
	dirs := []string{t.TempDir(), t.TempDir()}
	var stderrs [2]bytes.Buffer
	errs := make(chan error, 2)
	for i, dir := range dirs {
		cmd := exec.Command(os.Args[0], "-o", dir, "--depth", "100", "--robots=false", "--workers", "4", "--rate", "500",
			"--state", srv.URL(), "--crawl-id", crawlID, "--lease", "20s", web.URL+"/p/0")
		cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
		cmd.Stderr = &stderrs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { errs <- cmd.Wait() }()
	}
	for range 2 {
		select {
		case err := <-errs:
			if err != nil {
				t.Errorf("a process: %v", err)
			}
		case <-time.After(90 * time.Second):
			t.Fatal("the processes did not finish")
		}
	}
	for i := range stderrs {
		if s := stderrs[i].String(); strings.Contains(s, "redis: 20") || strings.Contains(s, "pool.go") {
			t.Errorf("process %d printed go-redis's log: %s", i, s)
		}
	}
	seen := map[string]int{}
	for _, dir := range dirs {
		for u, r := range readManifest(t, dir) {
			if r.Error == "" {
				seen[u]++
			}
		}
	}
	for u, n := range seen {
		if n > 1 {
			t.Errorf("%s fetched by both processes", u)
		}
	}
	if len(seen) != pages {
		t.Errorf("%d pages fetched; want %d", len(seen), pages)
	}
}
