package crawl

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/crawl-go/crawl/internal/atomicfile"
	"github.com/crawl-go/crawl/store"

	"github.com/crawl-go/crawl/frontier"
)

// This file holds what a process of a shared crawl (Config.Frontier, a
// frontier.Shared) checks before it takes part: that it runs the crawl
// with the settings its first process stored.

// ErrSharedSettings is the error of a process started with other settings
// than those of the shared crawl it would join.
var ErrSharedSettings = errors.New("this process's settings are not the shared crawl's")

// sharedInfo is what the first process of a shared crawl stores in the
// frontier (frontier.Shared.KeepSettings), as JSON.
type sharedInfo struct {
	V int `json:"v"`
	// ID tells this crawl from a later one of the same name, started
	// after the state of this one was lost or deleted.
	ID       string    `json:"id"`
	Started  time.Time `json:"started"`
	Settings settings  `json:"settings"`
}

// sharedRecord is what a process keeps in its output directory of the
// shared crawl it takes part in (DIR/.crawl/shared.json), to tell, on its
// next run, that the crawl's state was lost.
type sharedRecord struct {
	V int `json:"v"`
	// Crawl is the crawl's name (frontier.Shared.Name), ID and Started
	// those of its sharedInfo.
	Crawl   string    `json:"crawl"`
	ID      string    `json:"id"`
	Started time.Time `json:"started"`
}

// sharedRecordName is the name of the sharedRecord in store.WorkDir.
const sharedRecordName = "shared.json"

// ErrFreshShared is the error of Config.Fresh for a process's part of a
// shared crawl that the frontier still holds (see checkFresh).
var ErrFreshShared = errors.New("--fresh does not start a shared crawl over")

// ErrSharedLost is the error of a process whose output directory took part
// in a shared crawl whose state is gone.
var ErrSharedLost = errors.New("the shared crawl's state was lost")

const sharedInfoVersion = 1

// joinShared stores s as the settings of the shared crawl f when this
// process is its first, and otherwise checks that s are the settings
// stored: a process with other settings (a depth, a scope, seeds, a
// budget) would mix its rules into the crawl, so it is refused with
// ErrSharedSettings, naming the differences. The seeds count: the scope
// is built from them, and the README's processes all run one command.
//
// The output directory dir keeps a record of the crawl it takes part in. A
// directory that took part in this crawl when its state is gone from the
// frontier (a Redis restarted without persistence, the keys deleted), or
// replaced by a crawl of the same name started since, is refused with
// ErrSharedLost: running on would not resume the crawl but start it
// over, fetching again what the lost one fetched, which the user must
// choose (with a new output directory, Fresh, or a new crawl id).
func joinShared(ctx context.Context, f frontier.Shared, s settings, dir string) error {
	recordPath := filepath.Join(dir, store.WorkDir, sharedRecordName)
	rec, err := readSharedRecord(recordPath)
	if err != nil {
		return err
	}
	if rec != nil && rec.Crawl != f.Name() {
		rec = nil // of another crawl: nothing to tell of this one
	}
	if rec != nil {
		// Checked before storing, so that a refused process does not
		// start the crawl anew in Redis.
		b, err := f.Settings(ctx)
		if err != nil {
			return fmt.Errorf("reading the settings of the shared crawl %s: %w", f.Name(), err)
		}
		if b == nil {
			return lostError(f, dir, rec, "it has no state in Redis any more")
		}
	}
	var id [8]byte
	rand.Read(id[:])
	mine := sharedInfo{V: sharedInfoVersion, ID: hex.EncodeToString(id[:]), Started: time.Now().UTC(), Settings: s}
	data, err := json.Marshal(mine)
	if err != nil {
		return fmt.Errorf("recording the settings of the shared crawl %s: %w", f.Name(), err)
	}
	kept, stored, err := f.KeepSettings(ctx, data)
	if err != nil {
		return fmt.Errorf("recording the settings of the shared crawl %s: %w", f.Name(), err)
	}
	var first sharedInfo // a fresh value: fields the JSON lacks stay zero
	if stored {
		first = mine
	} else if err := json.Unmarshal(kept, &first); err != nil {
		return fmt.Errorf("reading the settings of the shared crawl %s: %w", f.Name(), err)
	}
	if rec != nil && rec.ID != first.ID {
		return lostError(f, dir, rec, "it was started again on "+first.Started.Local().Format("2006-01-02 15:04"))
	}
	if fmt.Sprint(first.Settings) != fmt.Sprint(s) {
		return settingsError(f, s, first)
	}
	if rec != nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(recordPath), 0o755); err != nil {
		return fmt.Errorf("recording the shared crawl %s: %w", f.Name(), err)
	}
	b, err := json.Marshal(sharedRecord{V: sharedInfoVersion, Crawl: f.Name(), ID: first.ID, Started: first.Started})
	if err != nil {
		return fmt.Errorf("recording the shared crawl %s: %w", f.Name(), err)
	}
	if err := atomicfile.WriteFile(recordPath, append(b, '\n')); err != nil {
		return fmt.Errorf("recording the shared crawl %s: %w", f.Name(), err)
	}
	return nil
}

// checkFresh refuses Config.Fresh for the output directory dir of a
// process of the shared crawl f when the directory's manifest is this
// process's part of the crawl that f still holds: forgetting it would
// lose the record of what the process saved, and fetch nothing again,
// since the crawl has it done. A crawl is started over under a new crawl
// id. Fresh goes on when f has no state (a new crawl, or a lost one) or
// the state of a crawl started since under the same name.
func checkFresh(ctx context.Context, f frontier.Shared, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, store.ManifestName)); err != nil {
		return nil // nothing to forget
	}
	b, err := f.Settings(ctx)
	if err != nil {
		return fmt.Errorf("reading the settings of the shared crawl %s: %w", f.Name(), err)
	}
	if b == nil {
		return nil
	}
	rec, err := readSharedRecord(filepath.Join(dir, store.WorkDir, sharedRecordName))
	if err != nil {
		return err
	}
	var info sharedInfo
	if rec != nil && json.Unmarshal(b, &info) == nil && info.ID != rec.ID {
		return nil // the directory's crawl is a lost one
	}
	return fmt.Errorf("%w: %s holds this process's part of the shared crawl %s, which Redis still has: --fresh would forget what it saved, and fetch nothing again. To start the crawl over, give it a new --crawl-id",
		ErrFreshShared, dir, f.Name())
}

// readSharedRecord reads the sharedRecord at path; nil when there is none.
func readSharedRecord(path string) (*sharedRecord, error) {
	return readJSONFile[sharedRecord](path, "the record of the shared crawl")
}

// lostError is the error of a process whose directory dir took part in the
// crawl rec of f, now gone for the reason what.
func lostError(f frontier.Shared, dir string, rec *sharedRecord, what string) error {
	return fmt.Errorf("%w: %s took part in the shared crawl %s started on %s, but %s (a Redis restarted without persistence, or the crawl's keys deleted); running on would fetch again everything the lost crawl fetched. "+
		"To start over in it, run with --fresh (forgets the manifest in %s, keeps its files) or another -o; or start a new crawl with another --crawl-id",
		ErrSharedLost, dir, f.Name(), rec.Started.Local().Format("2006-01-02 15:04"), what, dir)
}

// settingsError is the error of a process with the settings s, not those
// of the crawl of f, which its first process stored.
func settingsError(f frontier.Shared, s settings, first sharedInfo) error {
	desc, _ := s.changes(first.Settings)
	if len(desc) == 0 {
		desc = []string{"settings this version cannot compare"}
	}
	return fmt.Errorf("%w: %s was started on %s with other settings (%s): give this process the same flags and URLs as the crawl's other processes, or start a new crawl with another --crawl-id",
		ErrSharedSettings, f.Name(), first.Started.Local().Format("2006-01-02 15:04"), strings.Join(desc, "; "))
}
