package crawl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

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
	V        int       `json:"v"`
	Started  time.Time `json:"started"`
	Settings settings  `json:"settings"`
}

const sharedInfoVersion = 1

// joinShared stores s as the settings of the shared crawl f when this
// process is its first, and otherwise checks that s are the settings
// stored: a process with other settings (a depth, a scope, seeds, a
// budget) would mix its rules into the crawl, so it is refused with
// ErrSharedSettings, naming the differences. The seeds count: the scope
// is built from them, and the README's processes all run one command.
func joinShared(ctx context.Context, f frontier.Shared, s settings) error {
	data, err := json.Marshal(sharedInfo{V: sharedInfoVersion, Started: time.Now().UTC(), Settings: s})
	if err != nil {
		return fmt.Errorf("recording the settings of the shared crawl %s: %w", f.Name(), err)
	}
	kept, stored, err := f.KeepSettings(ctx, data)
	if err != nil {
		return fmt.Errorf("recording the settings of the shared crawl %s: %w", f.Name(), err)
	}
	if stored {
		return nil
	}
	var first sharedInfo
	if err := json.Unmarshal(kept, &first); err != nil {
		return fmt.Errorf("reading the settings of the shared crawl %s: %w", f.Name(), err)
	}
	if fmt.Sprint(first.Settings) == fmt.Sprint(s) {
		return nil
	}
	desc, _ := s.changes(first.Settings)
	if len(desc) == 0 {
		desc = []string{"settings this version cannot compare"}
	}
	return fmt.Errorf("%w: %s was started on %s with other settings (%s): give this process the same flags and URLs as the crawl's other processes, or start a new crawl with another --crawl-id",
		ErrSharedSettings, f.Name(), first.Started.Local().Format("2006-01-02 15:04"), strings.Join(desc, "; "))
}
