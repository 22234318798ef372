package crawl

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/crawl-go/crawl/internal/atomicfile"
	"github.com/crawl-go/crawl/store"
)

// This file holds the file beside a crawl's state that says what crawl
// the state belongs to (stateInfo: its settings, whether it finished),
// and how the crawl's small JSON files are read and written.

// stateInfo is the file beside the state that says what crawl the state
// belongs to.
type stateInfo struct {
	V        int        `json:"v"`
	Settings settings   `json:"settings"`
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished,omitempty"`
	// URLs is the number of URLs the manifest records, once finished.
	URLs int `json:"urls,omitempty"`
}

const stateInfoVersion = 1

// DefaultState is the state file of a crawl into dir when Config.State
// does not name another.
func DefaultState(dir string) string { return filepath.Join(dir, store.WorkDir, "state.db") }

// InfoPath is the file beside the state file statePath where a crawl
// keeps the settings that define it and whether it finished.
func InfoPath(statePath string) string {
	return strings.TrimSuffix(statePath, filepath.Ext(statePath)) + ".json"
}

// readInfo reads the stateInfo at path; nil when there is none.
func readInfo(path string) (*stateInfo, error) {
	return readJSONFile[stateInfo](path, "the crawl's settings")
}

// readJSONFile reads the JSON file at path, which holds what (for
// errors); nil when there is none.
func readJSONFile[T any](path, what string) (*T, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("reading %s %s: %w", what, path, err)
	}
	return &v, nil
}

// writeInfo replaces the file at path with info, atomically.
func writeInfo(path string, info *stateInfo) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("writing the crawl's settings: %w", err)
	}
	if err := atomicfile.WriteFile(path, append(b, '\n')); err != nil {
		return fmt.Errorf("writing the crawl's settings: %w", err)
	}
	return nil
}
