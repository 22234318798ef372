package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	crawl "github.com/crawl-go/crawl"
	"github.com/crawl-go/crawl/fetch"
	"golang.org/x/term"
)

// This file holds the monitor: the goroutine that draws the progress
// while a crawl runs and writes DIR/.crawl/status.json.

// monitorOptions configure a monitor.
type monitorOptions struct {
	// stats returns the crawl's counts.
	stats func() crawl.Summary
	// shared returns the counts of a crawl shared through Redis, and its
	// URLs queued by host; nil when the crawl is not shared.
	shared func(context.Context) (sharedCounts, map[string]int64, error)
	// hosts returns the URLs queued by host; nil when not known.
	hosts func(context.Context) (map[string]int64, error)
	// transfers returns the large bodies being read; nil when not known.
	transfers func() []fetch.Transfer
	// out receives the progress (stderr); nil prints none (-q).
	out io.Writer
	// live redraws one line in place; width returns the terminal's.
	live  bool
	width func() int
	// statusPath is where status.json is written; empty for nowhere.
	// removeStatus removes it at the end (a crawl in memory has no
	// state to inspect afterwards).
	statusPath   string
	removeStatus bool
	// status holds the fields of status.json that do not change.
	status statusFile
	// warn receives the one warning that status.json cannot be written
	// (stderr, with -q too); nil says nothing.
	warn io.Writer
}

// sample is the number of URLs done at a moment, for the rate.
type sample struct {
	at   time.Time
	done int64
}

// monitor shows a crawl's progress and writes its status file until
// stopped. Its methods are safe for concurrent use.
type monitor struct {
	opts monitorOptions

	mu   sync.Mutex // guards what follows, and writes to opts.out
	rows int        // rows of the live progress on the screen, the cursor at the end of the last
	// The state of the last tick.
	samples      []sample
	lastDone     int64
	lastActivity time.Time
	lastPlain    time.Time
	lastStatus   time.Time
	lastShared   time.Time
	lastHosts    time.Time
	hostsEvery   time.Duration
	statusFailed bool // a write of status.json failed: said once
	sharedNow    *sharedCounts
	byHost       map[string]int64
	sum          crawl.Summary
	view         progressView
	downloads    downloadSamples

	quit, stopped chan struct{}
}

func newMonitor(opts monitorOptions) *monitor {
	return &monitor{opts: opts, hostsEvery: time.Second, quit: make(chan struct{}), stopped: make(chan struct{})}
}

// terminalWidth returns the width of the terminal f, or 0 when f is not
// one.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || os.Getenv("TERM") == "dumb" {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width <= 0 {
		return 80
	}
	return width
}

// start runs the monitor until stop. The status file is written at once,
// so that crawl status describes this run however soon it is killed, and
// not the run before it.
func (m *monitor) start(ctx context.Context) {
	if m.opts.statusPath != "" {
		m.mu.Lock()
		m.sum = m.opts.stats()
		m.lastStatus = time.Now()
		m.writeStatusLocked(m.statusLocked(m.lastStatus))
		m.mu.Unlock()
	}
	every := statusEvery
	if m.opts.live && m.opts.out != nil {
		every = liveEvery
	}
	go func() {
		defer close(m.stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-m.quit:
				return
			case now := <-t.C:
				m.tick(ctx, now)
			}
		}
	}()
}

// stop ends the monitor: it clears the live line and writes the status
// file a last time, with the run's outcome.
func (m *monitor) stop(outcome string) {
	close(m.quit)
	<-m.stopped
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clear()
	if m.opts.statusPath == "" {
		return
	}
	if m.opts.removeStatus {
		os.Remove(m.opts.statusPath)
		os.Remove(filepath.Dir(m.opts.statusPath)) // when empty
		return
	}
	m.sum = m.opts.stats()
	st := m.statusLocked(time.Now())
	st.Running, st.Outcome = false, outcome
	m.writeStatusLocked(st)
}

// writeStatusLocked writes status.json; m.mu must be held. The first
// failure is said once: the crawl goes on, unseen by crawl status.
func (m *monitor) writeStatusLocked(st *statusFile) {
	err := writeStatus(m.opts.statusPath, st)
	if err != nil && !m.statusFailed && m.opts.warn != nil {
		m.clear()
		fmt.Fprintf(m.opts.warn, "crawl: %v (crawl status will not show this crawl's progress)\n", err)
	}
	m.statusFailed = m.statusFailed || err != nil
}

// logWriter returns a writer for the crawl's messages: each clears the
// live line first, and the next tick draws it again below.
func (m *monitor) logWriter(w io.Writer) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.clear()
		return w.Write(p)
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// clear erases the live progress; m.mu must be held.
func (m *monitor) clear() {
	switch m.rows {
	case 0:
		return
	case 1:
		io.WriteString(m.opts.out, "\r\x1b[K")
	default:
		fmt.Fprintf(m.opts.out, "\x1b[%dA\r\x1b[J", m.rows-1)
	}
	m.rows = 0
}

// draw replaces the live progress with lines, each narrower than the
// terminal: back to the start of the first row drawn, each line written
// over the row it goes to and the rest of that row cleared, and the rows
// left of a taller drawing cleared below. m.mu must be held.
func (m *monitor) draw(lines []string) {
	var b strings.Builder
	if m.rows > 1 {
		fmt.Fprintf(&b, "\x1b[%dA", m.rows-1)
	}
	b.WriteByte('\r')
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
		b.WriteString("\x1b[K")
	}
	if m.rows > len(lines) {
		b.WriteString("\x1b[J")
	}
	io.WriteString(m.opts.out, b.String())
	m.rows = len(lines)
}

// tick samples the crawl at now, redraws or prints the progress, and
// writes the status file when it is time.
func (m *monitor) tick(ctx context.Context, now time.Time) {
	sum := m.opts.stats()
	var shared *sharedCounts
	var byHost map[string]int64
	if m.opts.shared != nil && now.Sub(m.lastShared) >= sharedEvery {
		m.lastShared = now
		c, hosts, err := callWithTimeout(ctx, m.opts.shared)
		if err == nil {
			shared, byHost = &c, hosts
		}
	}
	if m.opts.hosts != nil && now.Sub(m.lastHosts) >= m.hostsEvery {
		m.lastHosts = now
		began := time.Now()
		if hosts, err := m.opts.hosts(ctx); err == nil {
			byHost = hosts
		}
		// A big queue takes long to count: count it less often.
		m.hostsEvery = max(time.Second, 50*time.Since(began))
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	m.sum = sum
	if shared != nil {
		m.sharedNow = shared
	}
	if byHost != nil {
		m.byHost = byHost
	}
	m.view = m.viewLocked(now)
	var dl *downloadView
	if m.opts.transfers != nil {
		dl = m.downloads.view(m.opts.transfers(), now)
	}
	if out := m.opts.out; out != nil {
		switch {
		case m.opts.live:
			width := m.opts.width()
			lines := []string{m.view.line(width)}
			if dl != nil {
				lines = append(lines, dl.line(width))
			}
			m.draw(lines)
		case now.Sub(m.lastPlain) >= plainEvery:
			m.lastPlain = now
			fmt.Fprintf(out, "crawl: %s\n", m.view.line(plainWidth))
			if dl != nil {
				fmt.Fprintf(out, "crawl: %s\n", strings.TrimSpace(dl.line(plainWidth)))
			}
		}
	}
	if m.opts.statusPath != "" && now.Sub(m.lastStatus) >= statusEvery {
		m.lastStatus = now
		m.writeStatusLocked(m.statusLocked(now))
	}
}

// callWithTimeout reads the shared counts, giving up after a second.
func callWithTimeout(ctx context.Context, f func(context.Context) (sharedCounts, map[string]int64, error)) (sharedCounts, map[string]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return f(ctx)
}

// viewLocked computes the view of the last sample; m.mu must be held.
func (m *monitor) viewLocked(now time.Time) progressView {
	s := m.sum
	v := progressView{
		elapsed: s.Elapsed, fetched: s.OK, failed: s.Failed,
		queued: s.Waiting(), inFlight: s.InFlight, bytes: s.Bytes,
		allDone: -1, eta: -1,
	}
	done := s.OK + s.Failed + s.Declined + s.Reused
	if sh := m.sharedNow; sh != nil {
		v.queued, v.inFlight, v.allDone = sh.Queued, sh.InFlight, sh.Done
		done = sh.Done
	}
	if done != m.lastDone || m.lastActivity.IsZero() {
		m.lastDone, m.lastActivity = done, now
	}
	m.samples = append(m.samples, sample{now, done})
	for len(m.samples) > 2 && now.Sub(m.samples[1].at) >= rateWindow {
		m.samples = m.samples[1:]
	}
	if first := m.samples[0]; now.Sub(first.at) >= time.Second {
		v.rate = float64(done-first.done) / now.Sub(first.at).Seconds()
	}
	if left := v.queued + v.inFlight; v.rate > 0 {
		v.eta = time.Duration(float64(left) / v.rate * float64(time.Second))
	}
	return v
}

// statusLocked returns the status file's contents; m.mu must be held.
func (m *monitor) statusLocked(now time.Time) *statusFile {
	st := m.opts.status
	s := m.sum
	st.V, st.Running, st.Updated, st.LastActivity = statusFileVersion, true, now.UTC(), m.lastActivity.UTC()
	if m.lastActivity.IsZero() {
		st.LastActivity = time.Time{}
	}
	st.Fetched, st.Failed, st.Declined, st.Reused = s.OK, s.Failed, s.Declined, s.Reused
	st.Queued, st.InFlight, st.Bytes, st.Errors = s.Waiting(), s.InFlight, s.Bytes, s.Errors
	st.Rate = m.view.rate
	st.QueuedByHost = m.byHost
	st.Shared = m.sharedNow
	return &st
}
