package crawl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/frontier/disk"
	"github.com/crawl-go/crawl/store"
)

// This file holds the crawl's state policy: what a run into an output
// directory does given what earlier runs left there (a new crawl, a
// resumed one, an extended one, a re-crawl, or nothing), and the files
// that let it decide: the state (the frontier's database) and, beside it,
// the settings that defined the crawl and whether it finished.

// PlanKind is what a run does with the output directory it is given.
type PlanKind int

// The kinds of plans.
const (
	// PlanNew is a new crawl: nothing earlier, --fresh, or a state that
	// is not kept (memory).
	PlanNew PlanKind = iota
	// PlanResume carries on an unfinished crawl made with the same
	// settings, from its state, when every body it fetched was saved.
	PlanResume
	// PlanExtend crawls again with other settings (another depth or
	// scope, new seeds), or with the same when an earlier run could not
	// save some bodies: the pages stored earlier are read from disk, not
	// fetched again, and what now falls in scope, or was not saved, is
	// fetched.
	PlanExtend
	// PlanUpdate re-crawls what earlier runs saved (--update).
	PlanUpdate
	// PlanNothing is a finished crawl run again with the same settings,
	// every body it fetched saved: there is nothing to do.
	PlanNothing
)

// Plan says what a run does, decided by New from the output directory.
type Plan struct {
	Kind PlanKind
	// Message says it to the user in one line; empty for a new crawl.
	Message string
}

// runState is the state of a crawl as this run uses it: the frontier it
// takes URLs from, what the run does, and what earlier runs recorded.
type runState struct {
	plan     Plan
	frontier frontier.Frontier
	// infoPath is where the stateInfo is kept, empty when the state is
	// not (memory, or shared).
	infoPath string
	info     stateInfo
	history  history
	// resumed says the run carries on the last run of the manifest
	// rather than starting the next.
	resumed bool
	// selectChanged says the --select fields are not the earlier run's:
	// the records of the earlier ones are set aside.
	selectChanged bool
}

// statePath returns the path of the on-disk state that cfg asks for, or ""
// when the state is in memory or in cfg.Frontier.
func statePath(cfg *Config) string {
	switch {
	case cfg.Frontier != nil, cfg.State == StateMemory:
		return ""
	case cfg.State != "":
		return cfg.State
	}
	return DefaultState(cfg.OutDir)
}

// openState decides what the run does and opens its frontier. With
// cfg.Frontier (a state shared with other processes) the run resumes when
// this process's manifest exists; in memory every run is new; on disk the
// settings of the earlier crawl decide (see Plan).
func openState(ctx context.Context, cfg *Config, seeds []frontier.Item) (*runState, error) {
	manifest := filepath.Join(cfg.OutDir, store.ManifestName)
	path := statePath(cfg)
	if sf, ok := cfg.Frontier.(frontier.Shared); ok && cfg.Fresh {
		if err := checkFresh(ctx, sf, cfg.OutDir); err != nil {
			sf.Close()
			return nil, err
		}
	}
	if cfg.Fresh {
		for _, p := range []string{path, InfoPath(path), manifest, filepath.Join(cfg.OutDir, store.RecordsName),
			filepath.Join(cfg.OutDir, store.WorkDir, sharedRecordName)} {
			if p == "" || p == ".json" {
				continue
			}
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("starting over: %w", err)
			}
		}
	}
	rs := &runState{info: stateInfo{V: stateInfoVersion, Settings: settingsOf(cfg, seeds), Started: time.Now().UTC()}}
	switch {
	case cfg.Frontier != nil:
		rs.frontier = cfg.Frontier
		if sf, ok := cfg.Frontier.(frontier.Shared); ok {
			if err := joinShared(ctx, sf, rs.info.Settings, cfg.OutDir); err != nil {
				sf.Close()
				return nil, err
			}
		}
		if _, err := os.Stat(manifest); err == nil {
			// This process's manifest: a restarted process must not
			// repeat its lines.
			rs.plan = Plan{Kind: PlanResume, Message: "resuming the shared crawl into " + cfg.OutDir}
			rs.resumed = true
		}
		return rs, rs.readHistory(manifest, cfg, nil)
	case path == "":
		rs.frontier = frontier.NewMemory()
		if cfg.Update {
			rs.plan = Plan{Kind: PlanUpdate, Message: updating(cfg.OutDir, manifest)}
		}
		return rs, rs.readHistory(manifest, cfg, nil)
	}
	rs.infoPath = InfoPath(path)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("creating the state folder: %w", err)
	}
	if err := removeIncompleteState(path); err != nil {
		return nil, err
	}
	_, statErr := os.Stat(path)
	earlier, err := readInfo(rs.infoPath)
	if err != nil {
		return nil, err
	}
	f, err := openDisk(path)
	if err != nil {
		return nil, err
	}
	rs.frontier = f
	if statErr != nil {
		// No earlier state: a new crawl, or a new run of a directory
		// crawled with its state elsewhere.
		if cfg.Update {
			rs.plan = Plan{Kind: PlanUpdate, Message: updating(cfg.OutDir, manifest)}
		}
		return rs, rs.start(manifest, cfg, nil)
	}
	n, err := f.Counts(ctx)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reading the crawl's state: %w", err)
	}
	unfinished := n.Queued+n.Leased > 0
	// A crawl with nothing queued is finished if its last run said so;
	// one made before runs said so, if it did anything. Otherwise its
	// last run stopped before its seeds were queued (killed at once, or
	// its state could not be written): it is walked again.
	_, _, done, _ := f.Stats()
	stopped := !unfinished && (earlier != nil && earlier.Finished == nil || earlier == nil && done == 0)
	// A state without settings is of a crawl made before they were
	// kept: it resumes as it did then.
	same := earlier == nil || fmt.Sprint(earlier.Settings) == fmt.Sprint(rs.info.Settings)
	var desc []string
	narrower := false
	if earlier != nil && !same {
		desc, narrower = rs.info.Settings.changes(earlier.Settings)
		rs.selectChanged = !slices.Equal(earlier.Settings.Select, rs.info.Settings.Select)
	}
	// URLs whose bodies an earlier run could not save (a full disk, a
	// file too large) are fetched again: the crawl is walked again, as
	// an extension is, for their links too.
	// The history read for that is the one a resume or an extension
	// reads.
	retry := 0
	var all *history
	if same && !cfg.Update {
		h, err := readHistory(manifest, historyAll, false)
		if err != nil {
			f.Close()
			return nil, err
		}
		all, retry = &h, h.retry
	}
	switch {
	case retry > 0 && !unfinished:
		what := fmt.Sprintf("%d URLs", retry)
		if retry == 1 {
			what = "1 URL"
		}
		rs.plan = Plan{Kind: PlanExtend, Message: fmt.Sprintf("trying again %s that failed in an earlier run (no answer, a timeout, a 5xx, 408 or 429, or a body this machine could not save): pages saved earlier are read from disk, not fetched again", what)}
	case unfinished && same:
		rs.plan = Plan{Kind: PlanResume, Message: fmt.Sprintf("resuming the crawl in %s: %d URLs left (--fresh starts over)", cfg.OutDir, n.Queued+n.Leased)}
		if cfg.Update {
			rs.plan.Kind = PlanUpdate
			rs.plan.Message = fmt.Sprintf("resuming the update of %s: %d URLs left", cfg.OutDir, n.Queued+n.Leased)
		}
		if earlier != nil {
			rs.info.Started = earlier.Started
		}
		rs.resumed = true
		return rs, rs.readHistory(manifest, cfg, all)
	case cfg.Update:
		rs.plan = Plan{Kind: PlanUpdate, Message: "updating the mirror in " + cfg.OutDir}
	case stopped && same:
		rs.plan = Plan{Kind: PlanExtend, Message: fmt.Sprintf("carrying on the crawl in %s, whose last run stopped before it was done: pages saved earlier are read from disk, not fetched again", cfg.OutDir)}
	case !unfinished && same:
		rs.plan = Plan{Kind: PlanNothing, Message: nothingToDo(cfg.OutDir, earlier, all.failures, cfg.ConvertLinks)}
		if earlier != nil {
			rs.info = *earlier
		}
		rs.history = *all // for the failures that stand
		return rs, nil
	case narrower:
		rs.plan = Plan{Kind: PlanExtend, Message: fmt.Sprintf("crawling %s again with narrower settings (%s): nothing outside them is fetched, files saved earlier stay",
			cfg.OutDir, strings.Join(desc, ", "))}
	default:
		rs.plan = Plan{Kind: PlanExtend, Message: fmt.Sprintf("extending the crawl in %s (%s): pages saved earlier are read from disk, not fetched again",
			cfg.OutDir, strings.Join(desc, ", "))}
	}
	// A new walk of the site: a new state, and the manifest says what
	// is done already.
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("closing the earlier crawl's state: %w", err)
	}
	if err := os.Remove(path); err != nil {
		return nil, fmt.Errorf("starting a new run: %w", err)
	}
	if rs.frontier, err = openDisk(path); err != nil {
		return nil, err
	}
	return rs, rs.start(manifest, cfg, all)
}

// updating is the message of an --update run without an earlier state:
// of a mirror made elsewhere, or of the first run of -m.
func updating(dir, manifest string) string {
	if _, err := os.Stat(manifest); err != nil {
		return "mirroring into " + dir + " (--update: nothing saved there yet, every URL is new)"
	}
	return "updating the mirror in " + dir
}

// nothingToDo is the message of PlanNothing: of a run with nothing to
// fetch, which converts the links of the mirror when convert (-k).
func nothingToDo(dir string, info *stateInfo, failed int, convert bool) string {
	what := "finished"
	if info != nil && info.Finished != nil {
		what = fmt.Sprintf("finished on %s with %d URLs", info.Finished.Local().Format("2006-01-02 15:04"), info.URLs)
	}
	if failed > 0 {
		what += fmt.Sprintf(", %d of them failed (the manifest says why)", failed)
	}
	if convert {
		return fmt.Sprintf("nothing to fetch: the crawl in %s %s; converting the links of its files (-k)", dir, what)
	}
	return fmt.Sprintf("nothing to do: the crawl in %s %s; --update re-checks it, --fresh starts over", dir, what)
}

// start records the settings of the run that begins, then reads the
// manifest.
func (rs *runState) start(manifest string, cfg *Config, read *history) error {
	if err := writeInfo(rs.infoPath, &rs.info); err != nil {
		rs.frontier.Close()
		return err
	}
	return rs.readHistory(manifest, cfg, read)
}

// readHistory reads what earlier runs recorded, for the plan.
func (rs *runState) readHistory(manifest string, cfg *Config, read *history) error {
	if read != nil {
		rs.history = *read // read already, in the mode the plan needs
		return nil
	}
	mode := historyNone
	switch {
	case rs.plan.Kind == PlanUpdate && rs.resumed:
		mode = historyOwnRun
	case rs.plan.Kind == PlanResume, rs.plan.Kind == PlanExtend:
		mode = historyAll
	}
	h, err := readHistory(manifest, mode, cfg.Update)
	if err != nil {
		rs.frontier.Close()
		return err
	}
	rs.history = h
	return nil
}

// runNumber is the number of this run, written on each of its lines.
func (rs *runState) runNumber() int {
	if rs.resumed {
		return max(rs.history.lastRun, 1)
	}
	return rs.history.lastRun + 1
}

// finish records, once the crawl has ended with nothing left, that it is
// finished, and with how many URLs.
func (rs *runState) finish(urls int) error {
	if rs.infoPath == "" {
		return nil
	}
	now := time.Now().UTC()
	rs.info.Finished = &now
	rs.info.URLs = urls
	return writeInfo(rs.infoPath, &rs.info)
}

// minStateSize is the size of the smallest state file: the four pages of
// 4 KiB, at least, that the database writes when it creates the file.
const minStateSize = 4 * 4096

// removeIncompleteState removes the state file at path if its creation did
// not complete (the disk was full, a file size limit): smaller than
// minStateSize, it holds nothing, and the database would read past its
// end. A file that another crawl holds (and may be creating) is left to
// it: the database's lock is taken first.
func removeIncompleteState(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil // none, or openDisk says what is wrong
	}
	defer f.Close()
	if !lockState(f) {
		return nil // in use: openDisk says so
	}
	if fi, err := f.Stat(); err != nil || fi.Size() >= minStateSize {
		return nil
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("removing the incomplete state %s: %w", path, err)
	}
	return nil
}

// openDisk opens the on-disk state at path.
func openDisk(path string) (*disk.Frontier, error) {
	f, err := disk.Open(disk.Options{Path: path})
	if errors.Is(err, disk.ErrLocked) {
		return nil, fmt.Errorf("another crawl is running with the state %s", path)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the crawl's state: %w", err)
	}
	return f, nil
}
