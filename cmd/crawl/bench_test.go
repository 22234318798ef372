package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkCrawlMemory crawls generated sites in which the crawl discovers
// 100,000, 300,000 and 1,000,000 URLs (pages of 100 links each, so 1%,
// the inner pages, are fetched before every URL is known), with the
// default on-disk state, in a real crawl process. Once every URL is known
// and the crawl has gone on into the leaves, it is interrupted, and the
// benchmark reports the process's peak resident memory: in all
// (peak-rss-MB, which counts the pages of the memory-mapped state file
// that were touched, and which the kernel can drop) and anonymous
// (peak-anon-MB: the heap, stacks, Bloom filter...). Run it with
//
//	go test -run XXX -bench CrawlMemory -benchtime 1x ./cmd/crawl
//
// CRAWL_BENCH_FLAGS adds flags to the crawl: "--state memory" compares the
// in-memory state, "--memprofile /tmp/heap" profiles the heap.
func BenchmarkCrawlMemory(b *testing.B) {
	for _, n := range []int{100_000, 300_000, 1_000_000} {
		b.Run(fmt.Sprintf("urls=%d", n), func(b *testing.B) {
			for range b.N {
				crawlMemory(b, n)
			}
		})
	}
}

func crawlMemory(b *testing.B, urls int) {
	const fanout = 100
	inner := urls / fanout
	var leaves atomic.Bool
	stop := make(chan struct{})
	srv, _ := newTreeSite(b, urls, fanout, func(total int) {
		// Level order: once this many requests were made, every inner
		// page was, and the crawl is well into the leaves.
		if total == inner+2000 && leaves.CompareAndSwap(false, true) {
			close(stop)
		}
	})
	out := b.TempDir()
	args := []string{"-o", out, "-q", "--depth", "100", "--robots=false",
		"--workers", "16", "--per-host", "16", "--no-mirror", srv.URL + "/p/0"}
	// More flags, such as --state memory or --memprofile FILE.
	args = append(args, strings.Fields(os.Getenv("CRAWL_BENCH_FLAGS"))...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var peakAnon int64
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(10 * time.Minute)
wait:
	for {
		select {
		case <-tick.C:
			if kb := statusKB(cmd.Process.Pid, "RssAnon:"); kb > peakAnon {
				peakAnon = kb
			}
		case <-stop:
			cmd.Process.Signal(syscall.SIGINT)
			stop = nil
		case err := <-done:
			if leaves.Load() && err != nil {
				err = nil // exit 130 after the interrupt
			}
			if err != nil {
				b.Fatalf("crawl: %v", err)
			}
			break wait
		case <-timeout:
			cmd.Process.Kill()
			b.Fatal("the crawl took more than 10 minutes")
		}
	}
	if !leaves.Load() {
		b.Fatal("the crawl ended before discovering every URL")
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	b.ReportMetric(float64(ru.Maxrss)/1024, "peak-rss-MB")
	b.ReportMetric(float64(peakAnon)/1024, "peak-anon-MB")
	b.ReportMetric(time.Since(start).Seconds(), "s")
	b.ReportMetric(float64(urls), "urls")
}

// statusKB returns a "Name: N kB" field of /proc/PID/status, 0 if unknown.
func statusKB(pid int, name string) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name); ok {
			v, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v
		}
	}
	return 0
}
