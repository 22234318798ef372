package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	crawl "github.com/crawl-go/crawl"
	"github.com/crawl-go/crawl/fetch"
	"golang.org/x/term"
)

// This file holds the progress of a crawl: a line redrawn in place on a
// terminal (never wider than the terminal, so it never wraps), a plain
// line every five seconds otherwise, and DIR/.crawl/status.json written
// every second for crawl status.

const (
	// liveEvery is how often the live line is redrawn.
	liveEvery = 200 * time.Millisecond
	// plainEvery is how often a plain progress line is printed.
	plainEvery = 5 * time.Second
	// statusEvery is how often status.json is written.
	statusEvery = time.Second
	// sharedEvery is how often the counts of a shared crawl are read
	// from Redis.
	sharedEvery = time.Second
	// rateWindow is the span the rate is measured over.
	rateWindow = 10 * time.Second
	// plainWidth is the width of a plain line: wide enough for every
	// field in full.
	plainWidth = 160
)

// progressView is what the progress line says.
type progressView struct {
	elapsed  time.Duration
	fetched  int64 // URLs fetched by this process
	failed   int64
	queued   int64 // waiting: in the whole crawl when it is shared
	inFlight int64
	bytes    int64
	// allDone counts the URLs done by every process of a shared crawl;
	// it is -1 when the crawl is not shared.
	allDone int64
	// rate is the URLs done per second lately, 0 when not known.
	rate float64
	// eta is the time left at that rate, -1 when not known.
	eta time.Duration
}

// segment is a field of the progress line: its spellings from the longest
// to the shortest, and how late it is dropped when even the shortest
// spellings do not fit.
type segment struct {
	forms []string
	keep  int
}

func (v progressView) segments() []segment {
	segs := []segment{{forms: []string{formatElapsed(v.elapsed)}, keep: 9}}
	if v.allDone >= 0 {
		segs = append(segs, segment{keep: 8, forms: []string{
			fmt.Sprintf("%s fetched here, %s done by all", groupDigits(v.fetched), groupDigits(v.allDone)),
			fmt.Sprintf("%d ok, %d all", v.fetched, v.allDone),
			fmt.Sprintf("%d ok", v.fetched),
		}})
	} else {
		segs = append(segs, segment{keep: 8, forms: []string{groupDigits(v.fetched) + " fetched", fmt.Sprintf("%d ok", v.fetched)}})
	}
	if v.failed > 0 {
		segs = append(segs, segment{keep: 6, forms: []string{groupDigits(v.failed) + " failed", fmt.Sprintf("%d err", v.failed)}})
	}
	segs = append(segs, segment{keep: 7, forms: []string{
		fmt.Sprintf("%s queued, %s in flight", groupDigits(v.queued), groupDigits(v.inFlight)),
		groupDigits(v.queued) + " queued",
		fmt.Sprintf("%d left", v.queued+v.inFlight),
	}})
	if v.rate > 0 {
		segs = append(segs, segment{keep: 3, forms: []string{formatRate(v.rate) + " URLs/s", fmt.Sprintf("%.0f/s", v.rate)}})
	}
	segs = append(segs, segment{keep: 2, forms: []string{formatBytes(v.bytes), shortBytes(v.bytes)}})
	if v.eta >= 0 {
		segs = append(segs, segment{keep: 5, forms: []string{"ETA " + formatElapsed(v.eta)}})
	}
	return segs
}

// line formats the view for a terminal width columns wide: at most
// width-1 columns, so that the cursor never reaches the last column (some
// terminals wrap there). Fields are shortened, then dropped, the least
// useful first, until the line fits.
func (v progressView) line(width int) string {
	return fit(v.segments(), width)
}

// fit renders segs on one line for a terminal width columns wide: at most
// width-1 columns (counted as bytes, which is never less than columns),
// the forms shortened, then the segments dropped, the least useful first;
// the first segment is never dropped.
func fit(segs []segment, width int) string {
	limit := max(width-1, 1)
	form := make([]int, len(segs))
	dropped := make([]bool, len(segs))
	sep := "  "
	render := func() string {
		var parts []string
		for i, s := range segs {
			if !dropped[i] {
				parts = append(parts, s.forms[form[i]])
			}
		}
		return strings.Join(parts, sep)
	}
	// The least useful first; the first field (elapsed) is never dropped.
	order := make([]int, len(segs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return segs[a].keep - segs[b].keep })
	if l := render(); len(l) <= limit {
		return l
	}
	for _, i := range order {
		for form[i] < len(segs[i].forms)-1 {
			form[i]++
			if l := render(); len(l) <= limit {
				return l
			}
		}
	}
	sep = " "
	if l := render(); len(l) <= limit {
		return l
	}
	for _, i := range order {
		if i == 0 {
			continue
		}
		dropped[i] = true
		if l := render(); len(l) <= limit {
			return l
		}
	}
	return cutRunes(render(), limit)
}

// cutRunes returns the longest prefix of s of at most n bytes that does
// not end inside a UTF-8 sequence.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// formatElapsed writes a duration in at most six characters: 45s, 2m05s,
// 1h02m, 3d04h.
func formatElapsed(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	case s < 100*3600:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd%02dh", s/86400, s%86400/3600)
}

func formatRate(r float64) string {
	if r < 10 {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return strconv.FormatFloat(r, 'f', 0, 64)
}

// groupDigits writes n with thousands separators: 1,234,567.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + groupDigits(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// formatBytes writes a byte count as the summary does: 12.3 MiB.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// shortBytes writes a byte count in a few characters: 12M.
func shortBytes(n int64) string {
	const units = "BKMGTPE"
	f, i := float64(n), 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if i > 0 && f < 10 {
		return fmt.Sprintf("%.1f%c", f, units[i])
	}
	return fmt.Sprintf("%.0f%c", f, units[i])
}

// monitorOptions configure a monitor.
type monitorOptions struct {
	// stats returns the crawl's counts.
	stats func() crawl.Summary
	// shared returns the counts of a crawl shared through Redis, and its
	// URLs queued by host; nil when the crawl is not shared.
	shared func(context.Context) (sharedCounts, map[string]int64, error)
	// hosts returns the URLs not done by host; nil when not known.
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

// start runs the monitor until stop.
func (m *monitor) start(ctx context.Context) {
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
	writeStatus(m.opts.statusPath, st)
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
		writeStatus(m.opts.statusPath, m.statusLocked(now))
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
