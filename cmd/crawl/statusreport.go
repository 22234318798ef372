package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	crawl "github.com/crawl-go/crawl"
	"github.com/crawl-go/crawl/frontier/disk"
	"github.com/crawl-go/crawl/store"
)

// This file holds what `crawl status` reads of a crawl on this machine
// (its state, status file and manifest) and how it prints it.

// hostCounts are the URLs of one host.
type hostCounts struct {
	queued                   int64
	fetched, failed, skipped int64
}

// localReport is what crawl status finds of the crawl into a directory.
type localReport struct {
	dir     string
	status  *statusFile // DIR/.crawl/status.json, if any
	info    *stateInfo  // DIR/.crawl/state.json, if any
	state   string      // the state database
	snap    *disk.Snapshot
	locked  bool // the state is open: a crawl is running
	running bool
	alive   bool // the process of status.json is alive
	// From the manifest.
	lines        int
	hosts        map[string]*hostCounts
	lastActivity time.Time
	fetched      int64
	failed       int64
	skipped      int64
}

// stateInfo is the part of the engine's DIR/.crawl/state.json that crawl
// status shows.
type stateInfo struct {
	Settings struct {
		Seeds []string `json:"seeds"`
		Depth int      `json:"depth"`
		Scope string   `json:"scope"`
	} `json:"settings"`
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished"`
	URLs     int        `json:"urls"`
}

func inspectLocal(dir, state string) (*localReport, error) {
	r := &localReport{dir: dir, state: state, hosts: map[string]*hostCounts{}}
	work := filepath.Join(dir, store.WorkDir)
	if dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("%w: %s is not a directory", errNoCrawl, dir)
		}
		var err error
		if r.status, err = readStatus(filepath.Join(work, statusName)); err != nil {
			return nil, err
		}
		if r.state == "" {
			r.state = crawl.DefaultState(dir)
			if r.status != nil && r.status.State != "" && !isRedis(r.status.State) && r.status.State != crawl.StateMemory {
				r.state = r.status.State
			}
		}
	}
	// The settings are kept beside the state file, wherever it is.
	if b, err := os.ReadFile(crawl.InfoPath(r.state)); err == nil {
		var info stateInfo
		if json.Unmarshal(b, &info) == nil {
			r.info = &info
		}
	}
	snap, err := disk.Inspect(r.state)
	switch {
	case errors.Is(err, disk.ErrLocked):
		r.locked = true
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		r.snap = &snap
		for h, n := range snap.Queued {
			r.host(h).queued = n
		}
	}
	if st := r.status; st != nil {
		r.alive = processAlive(st.PID)
		r.running = st.Running && r.alive
	}
	r.running = r.running || r.locked
	if r.running && r.status != nil {
		for h, n := range r.status.QueuedByHost {
			r.host(h).queued = n
		}
	}
	if dir != "" {
		if err := r.readManifest(filepath.Join(dir, store.ManifestName)); err != nil {
			return nil, err
		}
	}
	if r.lines == 0 && r.snap == nil && r.status == nil && !r.locked && r.info == nil {
		where := dir
		if where == "" {
			where = state
		}
		return nil, fmt.Errorf("%w in %s", errNoCrawl, where)
	}
	return r, nil
}

func (r *localReport) host(h string) *hostCounts {
	c := r.hosts[h]
	if c == nil {
		c = &hostCounts{}
		r.hosts[h] = c
	}
	return c
}

// readManifest counts the current line of each URL by host: the last one
// (a later run's line replaces an earlier one's).
func (r *localReport) readManifest(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	type line struct {
		host    string
		outcome byte // 'f' fetched, 'x' failed, 's' skipped
	}
	latest := map[uint64]line{}
	err = store.ReadManifest(bufio.NewReader(f), func(rec *store.Record) error {
		r.lines++
		if rec.FetchedAt.After(r.lastActivity) {
			r.lastActivity = rec.FetchedAt
		}
		host := "(bad URLs)"
		if u, err := url.Parse(rec.URL); err == nil && u.Host != "" {
			host = u.Host
		}
		l := line{host: host, outcome: 'f'}
		switch {
		case rec.Error == "":
		case !rec.ErrorKind.Failure():
			l.outcome = 's'
		default:
			l.outcome = 'x'
		}
		h := fnv.New64a()
		io.WriteString(h, rec.URL)
		latest[h.Sum64()] = l
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	for _, l := range latest {
		c := r.host(l.host)
		switch l.outcome {
		case 'f':
			c.fetched++
			r.fetched++
		case 'x':
			c.failed++
			r.failed++
		case 's':
			c.skipped++
			r.skipped++
		}
	}
	return nil
}

// processAlive reports whether the process pid runs.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// print writes the report for people.
func (r *localReport) print(w io.Writer, now time.Time) {
	name := r.dir
	if name == "" {
		name = r.state
	}
	st := r.status
	ago := func(t time.Time) string {
		return fmt.Sprintf("%s (%s ago)", t.Local().Format("2006-01-02 15:04:05"), formatElapsed(now.Sub(t)))
	}
	var left int64
	for _, c := range r.hosts {
		left += c.queued
	}
	switch {
	case !r.running && st != nil && st.CrawlID != "" && st.Outcome != "finished":
		// This process's part of a shared crawl: the queue is in Redis,
		// not here.
		what := "stopped without finishing (process " + strconv.Itoa(st.PID) + " is gone: killed?)"
		if !st.Running {
			what = fmt.Sprintf("stopped (%s) on %s", st.Outcome, st.Updated.Local().Format("2006-01-02 15:04"))
		}
		queued := ""
		if sh := st.Shared; sh != nil {
			queued = fmt.Sprintf("; the shared crawl had %s URLs queued and %s in flight then", groupDigits(sh.Queued), groupDigits(sh.InFlight))
		}
		fmt.Fprintf(w, "crawl in %s: this process of the shared crawl %s %s%s: run the same command again to take part\n",
			name, st.CrawlID, what, queued)
	case r.running:
		fmt.Fprintf(w, "crawl in %s: running", name)
		if st != nil && st.Running {
			fmt.Fprintf(w, " (pid %d), started %s", st.PID, ago(st.Started))
		}
		fmt.Fprintln(w)
	case r.info != nil && r.info.Finished != nil:
		fmt.Fprintf(w, "crawl in %s: finished on %s with %s URLs\n", name, r.info.Finished.Local().Format("2006-01-02 15:04"), groupDigits(int64(r.info.URLs)))
	case st != nil && st.Running:
		fmt.Fprintf(w, "crawl in %s: stopped without finishing (process %d is gone: killed?); %s URLs left: run the same command again to resume\n", name, st.PID, groupDigits(left))
	case st != nil && st.Outcome != "" && st.Outcome != "finished":
		fmt.Fprintf(w, "crawl in %s: stopped (%s) on %s; %s URLs left: run the same command again to resume\n", name, st.Outcome, st.Updated.Local().Format("2006-01-02 15:04"), groupDigits(left))
	case left > 0:
		fmt.Fprintf(w, "crawl in %s: not running; %s URLs left: run the same command again to resume\n", name, groupDigits(left))
	default:
		fmt.Fprintf(w, "crawl in %s: not running\n", name)
	}
	if info := r.info; info != nil && len(info.Settings.Seeds) > 0 {
		seeds := info.Settings.Seeds[0]
		if n := len(info.Settings.Seeds); n > 1 {
			seeds += fmt.Sprintf(" and %d more", n-1)
		}
		depth := fmt.Sprint(info.Settings.Depth)
		if info.Settings.Depth >= depthInf {
			depth = "inf"
		}
		fmt.Fprintf(w, "  from %s, depth %s, scope %s\n", seeds, depth, info.Settings.Scope)
	}
	if st != nil && isRedis(st.State) {
		fmt.Fprintf(w, "  one process of the shared crawl %s: crawl status --state %s --crawl-id %s shows all of it\n", st.CrawlID, st.State, st.CrawlID)
	}
	if r.running && st != nil && st.Running {
		fmt.Fprintf(w, "  %s fetched, %s failed, %s queued, %s in flight, %s, %s URLs/s\n",
			groupDigits(st.Fetched), groupDigits(st.Failed), groupDigits(st.Queued), groupDigits(st.InFlight), formatBytes(st.Bytes), formatRate(st.Rate))
		if sh := st.Shared; sh != nil {
			fmt.Fprintf(w, "  all processes: %s done, %s queued, %s in flight\n", groupDigits(sh.Done), groupDigits(sh.Queued), groupDigits(sh.InFlight))
		}
		if len(st.Errors) > 0 {
			fmt.Fprintf(w, "  errors: %s\n", formatCounts(st.Errors))
		}
		if !st.LastActivity.IsZero() {
			fmt.Fprintf(w, "  last activity: %s\n", ago(st.LastActivity))
		}
		fmt.Fprintf(w, "  status written %s\n", ago(st.Updated))
	} else {
		fmt.Fprintf(w, "  %s fetched, %s failed", groupDigits(r.fetched), groupDigits(r.failed))
		if r.skipped > 0 {
			fmt.Fprintf(w, ", %s not fetched (robots.txt, trap limits, well-known files missing)", groupDigits(r.skipped))
		}
		fmt.Fprintf(w, ", %s queued\n", groupDigits(left))
		if !r.lastActivity.IsZero() {
			fmt.Fprintf(w, "  last activity: %s\n", ago(r.lastActivity))
		}
	}
	if len(r.hosts) == 0 {
		return
	}
	queuedKnown := !r.running || (st != nil && st.QueuedByHost != nil)
	fmt.Fprintln(w)
	var rows [][]string
	for _, h := range slices.Sorted(maps.Keys(r.hosts)) {
		c := r.hosts[h]
		q := groupDigits(c.queued)
		if !queuedKnown {
			q = "-"
		}
		rows = append(rows, []string{h, q, groupDigits(c.fetched), groupDigits(c.failed)})
	}
	printTable(w, []string{"host", "queued", "fetched", "failed"}, rows)
	if !queuedKnown {
		fmt.Fprintln(w, "  (the queue of each host is shown once the crawl stops)")
	}
}
