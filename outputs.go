package crawl

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/store"
)

// outputs are what a crawl writes: the output directory (the mirror, behind
// store.Store), the manifest, the scraped records and the archive. New
// opens them; Run's end closes them.
type outputs struct {
	store    *store.Store
	manifest *store.ManifestWriter
	records  *store.JSONLWriter // nil without Config.Select
	// recorded are the URLs with a record in records, when the run reads
	// pages an earlier one saved: a page read from disk gets its record
	// if it has none (saved without --select, or before the fields
	// changed).
	recorded recordedURLs
	archive  *archiver  // nil without Config.WARC or Config.WACZ
	graph    *linkGraph // nil without Config.Links
	// created says the output directory did not exist before: a crawl
	// refused before it started leaves none behind (removeCreated).
	created bool
}

// openOutputs opens the output directory. The files in it are opened by
// openFiles, once the crawl's state has said what the run does.
func openOutputs(cfg *Config) (*outputs, error) {
	_, statErr := os.Stat(cfg.OutDir)
	st, err := store.Open(cfg.OutDir, store.Options{Fsync: cfg.Fsync, NoClobber: cfg.NoHostDirs || cfg.NoDirs})
	if err != nil {
		return nil, fmt.Errorf("opening output directory: %w", err)
	}
	return &outputs{store: st, created: errors.Is(statErr, os.ErrNotExist)}, nil
}

// removeCreated removes the output directory, once closed, if this run
// created it and it is still empty: a crawl that was refused (a shared
// crawl's other settings) leaves nothing behind.
func (o *outputs) removeCreated(dir string) {
	if o.created {
		os.Remove(dir) // only if empty
	}
}

// sync makes what was written so far to the manifest, the records and the
// archive durable: with Config.Fsync, before the frontier is told a URL
// is done, so that a power cut cannot leave a state that says done and a
// manifest without the line.
func (o *outputs) sync() error {
	var errs []error
	if o.manifest != nil {
		errs = append(errs, o.manifest.Sync())
	}
	if o.records != nil {
		errs = append(errs, o.records.Sync())
	}
	if o.archive != nil {
		errs = append(errs, o.archive.sync())
	}
	return errors.Join(errs...)
}

// openFiles opens the manifest, the records, the archive and the link
// graph; only the manifest for a plan of nothing to do. A resumed run
// (resumed) adds to the link graph of its interrupted part. When the
// --select fields changed (selectChanged), the records of the earlier
// ones are set aside, named after run, this run's number.
func (o *outputs) openFiles(cfg *Config, plan PlanKind, resumed, selectChanged bool, run int) error {
	var err error
	if o.manifest, err = o.store.OpenManifest(); err != nil {
		return err
	}
	if plan == PlanNothing {
		// A run with nothing to do must not write over what the earlier
		// ones left: an empty WACZ, a WARC file of a warcinfo, an
		// emptied link graph.
		return nil
	}
	if len(cfg.Select) > 0 {
		if selectChanged {
			// The records of other fields are kept, apart, under a name
			// no earlier change took (a run that only reads pages from
			// disk does not count as a run).
			aside := fmt.Sprintf("records.before-run-%d.jsonl", run)
			for n := 2; o.store.Has(aside); n++ {
				aside = fmt.Sprintf("records.before-run-%d-%d.jsonl", run, n)
			}
			if err := o.store.SetAside(store.RecordsName, aside); err != nil {
				return err
			}
		}
		if plan != PlanNew {
			err := o.store.ReadJSONLKeys(store.RecordsName, "url", func(u string) { o.recorded.add(u) })
			if err != nil {
				return err
			}
		}
		if o.records, err = o.store.OpenJSONL(store.RecordsName); err != nil {
			return err
		}
	}
	if cfg.archiving() {
		// An earlier run's package is extended, unless the crawl is new.
		var earlier string
		if cfg.WACZ != "" && plan != PlanNew {
			if fi, err := os.Stat(cfg.WACZ); err == nil && fi.Mode().IsRegular() {
				earlier = cfg.WACZ
			}
		}
		if o.archive, err = openArchive(*cfg, time.Now(), earlier, plan != PlanNew); err != nil {
			return err
		}
	}
	if cfg.Links != "" {
		// A resumed run adds to the graph; a new walk (a new crawl, an
		// extension, an update) writes it whole again.
		if o.graph, err = openLinkGraph(cfg.Links, resumed); err != nil {
			return err
		}
	}
	return nil
}

// archiveResponse writes the exchanges of resp, the fetch of a URL whose
// earlier capture is prev (nil if none) and whose page title is title, to
// the archive, and releases them. A failure to write stops the crawl: the
// archive would be missing records; it is returned.
func (o *outputs) archiveResponse(resp *fetch.Response, prev *store.Record, title string) error {
	defer resp.ReleaseExchanges()
	if o.archive == nil {
		return nil
	}
	return o.archive.write(resp, prev, title)
}

// close closes what is open, and returns what went wrong: an archive, a
// manifest or records that could not be flushed, an output directory that
// could not be synced.
func (o *outputs) close() error {
	var errs []error
	if o.archive != nil {
		if err := o.archive.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing the WARC file: %w", err))
		}
	}
	if err := o.graph.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing the link graph: %w", err))
	}
	if o.records != nil {
		if err := o.records.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing records.jsonl: %w", err))
		} else if o.recorded.superseded.Load() {
			// A page fetched again (--update) has a newer record: one
			// record per page, the latest.
			if err := o.store.CompactJSONL(store.RecordsName, "url"); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if o.manifest != nil {
		if err := o.manifest.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing manifest.jsonl: %w", err))
		}
	}
	if err := o.store.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing the output directory: %w", err))
	}
	return errors.Join(errs...)
}

// recordedURLs is a set of URLs with a record, safe for concurrent use.
type recordedURLs struct {
	mu   sync.Mutex
	urls map[string]bool
	// superseded says a URL got a second record (a page fetched again):
	// the file is compacted when it is closed.
	superseded atomic.Bool
}

func (r *recordedURLs) add(u string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.urls == nil {
		r.urls = make(map[string]bool)
	}
	r.urls[u] = true
}

// claim adds u and reports whether it was not there yet.
func (r *recordedURLs) claim(u string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.urls[u] {
		return false
	}
	if r.urls == nil {
		r.urls = make(map[string]bool)
	}
	r.urls[u] = true
	return true
}
