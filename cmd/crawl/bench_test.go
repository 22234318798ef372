package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
// (peak-anon-MB: the heap, stacks, Bloom filter...), the size of the
// state file (state-MB) and the CPU time of the crawl (cpu-s). The case
// pages=5000 crawls a small site (5,000 pages of 5 links each) to the
// end; resumed=1000000 runs the crawl of urls=1000000, then runs it again
// in the same directory, which resumes it, interrupts it after 2,000 more
// pages, and reports that second process. Run it with
//
//	go test -run XXX -bench CrawlMemory -benchtime 1x ./cmd/crawl
//
// CRAWL_BENCH_FLAGS adds flags to the crawl: "--state memory" compares the
// in-memory state, "--memprofile /tmp/heap" profiles the heap.
// CRAWL_BENCH_TRACE=FILE writes the process's resident memory to FILE
// every 20 ms; CRAWL_BENCH_STDERR=1 passes its standard error through
// (with GODEBUG=gctrace=1, the garbage collector's trace).
func BenchmarkCrawlMemory(b *testing.B) {
	b.Run("pages=5000", func(b *testing.B) {
		for range b.N {
			crawlMemory(b, 5000, 5, 0)
		}
	})
	for _, n := range []int{100_000, 300_000, 1_000_000} {
		b.Run(fmt.Sprintf("urls=%d", n), func(b *testing.B) {
			for range b.N {
				crawlMemory(b, n, 100, 1)
			}
		})
	}
	b.Run("resumed=1000000", func(b *testing.B) {
		for range b.N {
			crawlMemory(b, 1_000_000, 100, 2)
		}
	})
}

// crawlMemory crawls a tree site of urls pages, fanout links each, in runs
// processes one after the other, and reports the memory of the last. Each
// is interrupted: the first once every URL is known, the next ones 2,000
// pages later; with no runs, the crawl runs to the end.
func crawlMemory(b *testing.B, urls, fanout, runs int) {
	inner := urls / fanout
	var stopAt atomic.Int64 // requests after which to interrupt, or 0
	stopAt.Store(int64(inner + 2000))
	stop := make(chan struct{}, 1)
	srv, _ := newTreeSite(b, urls, fanout, func(total int) {
		// Level order: once inner+2000 requests were made, every inner
		// page was, and the crawl is well into the leaves.
		if runs > 0 && int64(total) == stopAt.Load() {
			stop <- struct{}{}
		}
	})
	out := b.TempDir()
	args := []string{"-o", out, "-q", "--depth", "100", "--robots=false",
		"--workers", "16", "--per-host", "16", "--no-mirror", srv.URL + "/p/0"}
	// More flags, such as --state memory or --memprofile FILE.
	args = append(args, strings.Fields(os.Getenv("CRAWL_BENCH_FLAGS"))...)
	// A line of the trace per sample: the seconds since the start, the
	// anonymous and the file-backed resident MB.
	var trace *os.File
	if name := os.Getenv("CRAWL_BENCH_TRACE"); name != "" {
		var err error
		if trace, err = os.Create(name); err != nil {
			b.Fatal(err)
		}
		defer trace.Close()
	}
	var m crawlMeasures
	for run := range max(runs, 1) {
		m = runCrawlProcess(b, args, stop, trace)
		if runs > 0 && !m.interrupted {
			b.Fatalf("the crawl of run %d ended before it was interrupted", run+1)
		}
		stopAt.Add(2000)
	}
	b.ReportMetric(m.peakRSS, "peak-rss-MB")
	b.ReportMetric(m.peakAnon, "peak-anon-MB")
	if st, err := os.Stat(filepath.Join(out, ".crawl", "state.db")); err == nil {
		b.ReportMetric(float64(st.Size())/(1<<20), "state-MB")
	}
	b.ReportMetric(m.seconds, "s")
	b.ReportMetric(m.cpu, "cpu-s")
	b.ReportMetric(float64(urls), "urls")
}

// crawlMeasures are the figures of one crawl process.
type crawlMeasures struct {
	peakRSS, peakAnon float64 // MB
	seconds, cpu      float64
	interrupted       bool
}

// runCrawlProcess runs a crawl process with args, interrupts it when stop
// receives, and returns its figures. Its resident memory is written to
// trace, if not nil.
func runCrawlProcess(b *testing.B, args []string, stop <-chan struct{}, trace *os.File) crawlMeasures {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	if os.Getenv("CRAWL_BENCH_STDERR") != "" {
		cmd.Stderr = os.Stderr
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var m crawlMeasures
	var peakAnon int64
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(10 * time.Minute)
wait:
	for {
		select {
		case <-tick.C:
			kb := statusKB(cmd.Process.Pid, "RssAnon:")
			peakAnon = max(peakAnon, kb)
			if trace != nil {
				fmt.Fprintf(trace, "%.2f %d %d\n", time.Since(start).Seconds(), kb/1024, statusKB(cmd.Process.Pid, "RssFile:")/1024)
			}
		case <-stop:
			cmd.Process.Signal(syscall.SIGINT)
			m.interrupted = true
			if trace != nil {
				fmt.Fprintf(trace, "# %.2f interrupted\n", time.Since(start).Seconds())
			}
		case err := <-done:
			if m.interrupted && err != nil {
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
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	m.peakRSS = float64(ru.Maxrss) / 1024
	m.peakAnon = float64(peakAnon) / 1024
	m.seconds = time.Since(start).Seconds()
	m.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	return m
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
