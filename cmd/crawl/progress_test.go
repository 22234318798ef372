package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	crawl "github.com/crawl-go/crawl"
)

var (
	// midCrawl is a crawl a minute in, with errors, at a known rate.
	midCrawl = progressView{elapsed: 72 * time.Second, fetched: 1234, failed: 12, queued: 5678, inFlight: 16,
		bytes: 12_900_000, allDone: -1, rate: 45.2, eta: 126 * time.Second}
	// starting has fetched nothing yet.
	starting = progressView{elapsed: 300 * time.Millisecond, queued: 1, allDone: -1, eta: -1}
	// shared is one process of a crawl shared through Redis.
	shared = progressView{elapsed: 3*time.Hour + 4*time.Minute, fetched: 120_345, queued: 406_123, inFlight: 48,
		bytes: 3 << 30, allDone: 998_765, rate: 310, eta: 22 * time.Minute}
)

func TestProgressLine(t *testing.T) {
	tests := []struct {
		view  progressView
		width int
		want  string
	}{
		{midCrawl, 200, "1m12s  1,234 fetched  12 failed  5,678 queued, 16 in flight  45 URLs/s  12.3 MiB  ETA 2m06s"},
		{midCrawl, 80, "1m12s  1,234 fetched  12 err  5,678 queued, 16 in flight  45/s  12M  ETA 2m06s"},
		{midCrawl, 40, "1m12s 1234 ok 12 err 5694 left"},
		{starting, 200, "0s  0 fetched  1 queued, 0 in flight  0 B"},
		{starting, 80, "0s  0 fetched  1 queued, 0 in flight  0 B"},
		{starting, 40, "0s  0 fetched  1 queued  0B"},
		{shared, 200, "3h04m  120,345 fetched here, 998,765 done by all  406,123 queued, 48 in flight  310 URLs/s  3.0 GiB  ETA 22m00s"},
		{shared, 80, "3h04m  120345 ok, 998765 all  406171 left  310/s  3.0G  ETA 22m00s"},
		{shared, 40, "3h04m 120345 ok 406171 left ETA 22m00s"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.width, tt.want), func(t *testing.T) {
			got := tt.view.line(tt.width)
			if got != tt.want {
				t.Errorf("line(%d) =\n%q\nwant\n%q", tt.width, got, tt.want)
			}
			if len(got) >= tt.width {
				t.Errorf("line(%d) is %d wide", tt.width, len(got))
			}
		})
	}
	// Every width fits, down to one column.
	for _, v := range []progressView{midCrawl, starting, shared} {
		for w := 1; w <= 220; w++ {
			if l := v.line(w); len(l) > max(w-1, 1) || strings.ContainsAny(l, "\r\n") {
				t.Fatalf("line(%d) = %q", w, l)
			}
		}
	}
}

func TestFormatters(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 59 * time.Second: "59s", 61 * time.Second: "1m01s", 3599 * time.Second: "59m59s",
		3600 * time.Second: "1h00m", 99 * time.Hour: "99h00m", 100 * time.Hour: "4d04h",
	} {
		if got := formatElapsed(d); got != want {
			t.Errorf("formatElapsed(%v) = %q; want %q", d, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q; want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0B", 999: "999B", 1000: "1.0K", 12_900_000: "12M", 3 << 30: "3.0G"} {
		if got := shortBytes(n); got != want {
			t.Errorf("shortBytes(%d) = %q; want %q", n, got, want)
		}
	}
}

// fakeCrawl is the counts a test monitor reads.
type fakeCrawl struct{ sum crawl.Summary }

func (f *fakeCrawl) stats() crawl.Summary { return f.sum }

// TestLiveRedraw drives a monitor on a fake terminal, tick by tick: each
// redraw returns to the start of the line and clears what is left of the
// last one, a message of the crawl clears the line before it is printed,
// and stop leaves the line empty.
func TestLiveRedraw(t *testing.T) {
	f := &fakeCrawl{}
	var screen bytes.Buffer
	width := 40
	dir := t.TempDir()
	m := newMonitor(monitorOptions{
		stats: f.stats, out: &screen, live: true, width: func() int { return width },
		statusPath: statusPath(dir), status: statusFile{PID: 42, State: "memory"},
	})
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	f.sum = crawl.Summary{Queued: 100, OK: 10, Elapsed: time.Second}
	m.tick(context.Background(), t0)
	if got, want := screen.String(), "\r1s  10 fetched  90 queued  0B\x1b[K"; got != want {
		t.Errorf("first draw %q; want %q", got, want)
	}
	screen.Reset()
	// Two seconds later, at 10 URLs a second, in a narrower terminal.
	f.sum = crawl.Summary{Queued: 100, OK: 30, Elapsed: 3 * time.Second, Bytes: 5000}
	width = 30
	m.tick(context.Background(), t0.Add(2*time.Second))
	if got, want := screen.String(), "\r3s 30 ok 70 left 10/s ETA 7s\x1b[K"; got != want {
		t.Errorf("redraw %q; want %q", got, want)
	}
	screen.Reset()
	fmt.Fprintf(m.logWriter(&screen), "crawl: a warning\n")
	if got, want := screen.String(), "\r\x1b[Kcrawl: a warning\n"; got != want {
		t.Errorf("message %q; want %q", got, want)
	}
	screen.Reset()
	fmt.Fprintf(m.logWriter(&screen), "crawl: another\n")
	if got, want := screen.String(), "crawl: another\n"; got != want {
		t.Errorf("second message %q; want %q (the line is clear already)", got, want)
	}
	st, err := readStatus(statusPath(dir))
	if err != nil || st == nil || !st.Running || st.Fetched != 30 || st.Queued != 70 || st.Rate != 10 || st.PID != 42 ||
		!st.LastActivity.Equal(t0.Add(2*time.Second)) {
		t.Errorf("status %+v, %v", st, err)
	}
	m.tick(context.Background(), t0.Add(3*time.Second)) // nothing done: the last activity stays
	screen.Reset()
	close(m.stopped) // stop without the goroutine
	m.quit = make(chan struct{})
	m.stop("finished")
	if got := screen.String(); got != "\r\x1b[K" {
		t.Errorf("stop wrote %q", got)
	}
	st, _ = readStatus(statusPath(dir))
	if st.Running || st.Outcome != "finished" || !st.LastActivity.Equal(t0.Add(2*time.Second)) {
		t.Errorf("final status %+v", st)
	}
	if entries, _ := os.ReadDir(filepath.Dir(statusPath(dir))); len(entries) != 1 {
		t.Errorf("%d files in .crawl; want status.json alone", len(entries))
	}
}

// TestPlainProgress checks the lines printed when stderr is not a
// terminal: one every five seconds, each whole.
func TestPlainProgress(t *testing.T) {
	f := &fakeCrawl{sum: crawl.Summary{Queued: 10, OK: 1, Elapsed: time.Second}}
	var out bytes.Buffer
	m := newMonitor(monitorOptions{stats: f.stats, out: &out})
	t0 := time.Now()
	for i := range 11 {
		m.tick(context.Background(), t0.Add(time.Duration(i)*time.Second))
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "crawl: 1s  1 fetched  9 queued, 0 in flight") || strings.Contains(out.String(), "\r") {
		t.Errorf("plain progress:\n%s", out.String())
	}
}

// TestSharedProgress checks that a process of a shared crawl shows the
// queue of the whole crawl, not its own (which is empty when another
// process added the URLs).
func TestSharedProgress(t *testing.T) {
	f := &fakeCrawl{sum: crawl.Summary{OK: 5, Elapsed: 2 * time.Second}}
	var out bytes.Buffer
	calls := 0
	m := newMonitor(monitorOptions{
		stats: f.stats, out: &out, live: true, width: func() int { return 120 },
		shared: func(context.Context) (sharedCounts, map[string]int64, error) {
			calls++
			return sharedCounts{Queued: 406, InFlight: 3, Done: 50 + 10*int64(calls), Seen: 500}, map[string]int64{"a.test": 406}, nil
		},
	})
	t0 := time.Now()
	m.tick(context.Background(), t0)
	m.tick(context.Background(), t0.Add(500*time.Millisecond)) // Redis is read once a second
	out.Reset()
	m.tick(context.Background(), t0.Add(2*time.Second))
	want := "\r2s  5 fetched here, 70 done by all  406 queued, 3 in flight  5.0 URLs/s  0 B  ETA 1m22s\x1b[K"
	if calls != 2 || out.String() != want {
		t.Errorf("%d calls, line %q; want 2 and %q", calls, out.String(), want)
	}
	if st := m.statusLocked(t0); st.Shared == nil || st.Shared.Queued != 406 || st.QueuedByHost["a.test"] != 406 {
		t.Errorf("status %+v", st)
	}
}

// TestStatusWriteFails checks that a status file that cannot be written
// is said once, and the monitor goes on.
func TestStatusWriteFails(t *testing.T) {
	f := &fakeCrawl{sum: crawl.Summary{Queued: 10, OK: 1, Elapsed: time.Second}}
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	// The status folder would be under a file: it cannot be made.
	m := newMonitor(monitorOptions{stats: f.stats, statusPath: filepath.Join(blocker, ".crawl", "status.json"), warn: &warn})
	t0 := time.Now()
	for i := range 5 {
		m.tick(context.Background(), t0.Add(time.Duration(i)*2*time.Second))
	}
	if n := strings.Count(warn.String(), "crawl status will not show"); n != 1 {
		t.Errorf("%d warnings; want 1:\n%s", n, warn.String())
	}
}
