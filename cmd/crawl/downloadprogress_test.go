package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	crawl "github.com/crawl-go/crawl"
	"github.com/crawl-go/crawl/fetch"
)

func TestDownloadLine(t *testing.T) {
	iso := downloadView{name: "ubuntu-24.04.1-desktop-amd64.iso", received: 412 << 20, total: 1200 << 20,
		rate: 8.1 * (1 << 20), eta: 100 * time.Second, more: 2}
	resumed := downloadView{name: "big.iso", received: 700 << 20, total: 1 << 30, resumed: 600 << 20, rate: 1 << 20, eta: 324 * time.Second}
	unknown := downloadView{name: "stream", received: 3 << 20, total: -1, rate: 100 << 10, eta: -1}
	tests := []struct {
		view  downloadView
		width int
		want  string
	}{
		{iso, 200, "  ubuntu-24.04.1-desktop-amd64.iso  412.0 MiB of 1.2 GiB (34%)  8.1 MiB/s  ETA 1m40s  and 2 more"},
		{iso, 80, "  ubuntu…4.iso  412.0 MiB of 1.2 GiB (34%)  8.1 MiB/s  ETA 1m40s  +2"},
		{iso, 40, "  ubuntu…4.iso 34% 8.1M/s ETA 1m40s"},
		{resumed, 200, "  big.iso  700.0 MiB of 1.0 GiB (68%)  1.0 MiB/s  ETA 5m24s  continued from 600.0 MiB"},
		{resumed, 80, "  big.iso  700.0 MiB of 1.0 GiB (68%)  1.0 MiB/s  ETA 5m24s  cont."},
		{unknown, 80, "  stream  3.0 MiB  100.0 KiB/s"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.width, tt.want), func(t *testing.T) {
			if got := tt.view.line(tt.width); got != tt.want {
				t.Errorf("line(%d) =\n%q\nwant\n%q", tt.width, got, tt.want)
			}
		})
	}
	for _, v := range []downloadView{iso, resumed, unknown, {name: "日本語のファイル名がとても長い.zip", received: 1, total: 2}} {
		for w := 1; w <= 220; w++ {
			if l := v.line(w); len(l) > max(w-1, 1) || strings.ContainsAny(l, "\r\n") || !utf8.ValidString(l) {
				t.Fatalf("line(%d) = %q", w, l)
			}
		}
	}
}

func TestDownloadName(t *testing.T) {
	for in, want := range map[string]string{
		"http://h/a/b/big%20file.iso": "big file.iso",
		"http://h/":                   "h",
		"http://h":                    "h",
		"http://h/dir/":               "dir",
		"http://h/evil%1B%5B2J.bin":   "evil?[2J.bin",
	} {
		if got := downloadName(in); got != want {
			t.Errorf("downloadName(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestDownloadRows drives a monitor with a large download on a fake
// terminal: once the download has gone on for two seconds a second row
// shows it (the cursor left at its end), each redraw goes back up to the
// first row, a message clears both rows, and the second row goes once
// the download is over.
func TestDownloadRows(t *testing.T) {
	f := &fakeCrawl{}
	var screen bytes.Buffer
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var transfers []fetch.Transfer
	m := newMonitor(monitorOptions{
		stats: f.stats, out: &screen, live: true, width: func() int { return 60 },
		transfers: func() []fetch.Transfer { return transfers },
	})
	f.sum = crawl.Summary{Queued: 1, InFlight: 1, Elapsed: time.Second}
	big := fetch.Transfer{ID: 1, URL: "http://h/big.iso", Total: 100 << 20, Received: 10 << 20, Started: t0}
	transfers = []fetch.Transfer{big}
	m.tick(context.Background(), t0.Add(time.Second))
	if got, want := screen.String(), "\r1s  0 fetched  0 queued, 1 in flight  0 B\x1b[K"; got != want {
		t.Errorf("before 2s: %q; want %q", got, want)
	}
	screen.Reset()
	big.Received = 30 << 20
	transfers = []fetch.Transfer{big}
	m.tick(context.Background(), t0.Add(3*time.Second))
	want := "\r1s  0 fetched  0 queued, 1 in flight  0 B\x1b[K\n  big.iso  30.0 MiB of 100.0 MiB (30%)  10.0 MiB/s  ETA 7s\x1b[K"
	if got := screen.String(); got != want {
		t.Errorf("with the download: %q; want %q", got, want)
	}
	screen.Reset()
	big.Received = 50 << 20
	transfers = []fetch.Transfer{big}
	m.tick(context.Background(), t0.Add(4*time.Second))
	if got := screen.String(); !strings.HasPrefix(got, "\x1b[1A\r1s") || !strings.Contains(got, "\x1b[K\n  big.iso  50.0 MiB") {
		t.Errorf("redraw: %q", got)
	}
	screen.Reset()
	fmt.Fprintf(m.logWriter(&screen), "crawl: a warning\n")
	if got, want := screen.String(), "\x1b[1A\r\x1b[Jcrawl: a warning\n"; got != want {
		t.Errorf("message: %q; want %q", got, want)
	}
	screen.Reset()
	m.tick(context.Background(), t0.Add(5*time.Second))
	screen.Reset()
	transfers = nil
	m.tick(context.Background(), t0.Add(6*time.Second))
	if got, want := screen.String(), "\x1b[1A\r1s  0 fetched  0 queued, 1 in flight  0 B\x1b[K\x1b[J"; got != want {
		t.Errorf("download over: %q; want %q", got, want)
	}
	if len(m.downloads) != 0 {
		t.Errorf("samples of a finished download kept: %v", m.downloads)
	}
}
