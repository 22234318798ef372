package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
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

// TestInterruptWhileRedisFrozen interrupts a process of a shared crawl
// whose Redis server does not answer (stopped with SIGSTOP: a fork, a
// failover): Ctrl-C must still stop it soon, with status 130, as the
// README promises (it took 41 s and exited 1, waiting out the client's
// timeouts and retries). Once Redis is back, the same command finishes
// the crawl.
func TestInterruptWhileRedisFrozen(t *testing.T) {
	srv := testredis.Start(t)
	const pages = 200
	reached := make(chan struct{}, 1)
	web, _ := newTreeSite(t, pages, 4, func(total int) {
		if total == 40 {
			reached <- struct{}{}
		}
		time.Sleep(5 * time.Millisecond)
	})
	out := t.TempDir()
	// The leases left by the interrupted run are short, for the rerun.
	args := []string{"-o", out, "--depth", "100", "--robots=false", "--workers", "4", "--lease", "8s",
		"--state", srv.URL(), "--crawl-id", newCrawlID("test-frozen-"), web.URL + "/p/0"}
	cmd, stderr, done := startCrawl(t, args...)
	select {
	case <-reached:
	case err := <-done:
		t.Fatalf("the crawl ended early: %v\n%s", err, stderr)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no progress in 60 s")
	}
	srv.Pause()
	cmd.Process.Signal(syscall.SIGINT)
	sent := time.Now()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		srv.Resume()
		t.Fatalf("crawl did not exit in 60 s after SIGINT with Redis frozen\n%s", stderr)
	}
	took := time.Since(sent)
	srv.Resume()
	t.Logf("exit %v after SIGINT", took)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Errorf("exit: %v; want status %d\n%s", err, exitInterrupted, stderr)
	}
	// A bound on the test, not a speed claim: the grace period, the wait
	// for the state, and the client's read timeout.
	if took > 15*time.Second {
		t.Errorf("exit %v after the signal; want within the grace period and a few seconds\n%s", took, stderr)
	}
	if code, errOut := runProcess(t, args...); code != exitOK {
		t.Errorf("the rerun once Redis answers: exit %d\n%s", code, errOut)
	}
}
