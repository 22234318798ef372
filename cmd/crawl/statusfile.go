package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/crawl-go/crawl/internal/atomicfile"
	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/store"
)

// statusName is the file in DIR/.crawl where a running crawl writes its
// counts every second, for crawl status: the state database is locked
// while the crawl runs.
const statusName = "status.json"

// statusFileVersion is the version of the status file's fields.
const statusFileVersion = 1

// statusFile is DIR/.crawl/status.json.
type statusFile struct {
	V   int `json:"v"`
	PID int `json:"pid"`
	// State is where the crawl's queue is: a file, "memory", or a Redis
	// URL without its password.
	State   string `json:"state"`
	CrawlID string `json:"crawl_id,omitempty"`
	Running bool   `json:"running"`
	// Outcome says how the run ended, once it has: finished,
	// interrupted, or failed: and the error.
	Outcome      string    `json:"outcome,omitempty"`
	Started      time.Time `json:"started"`
	Updated      time.Time `json:"updated"`
	LastActivity time.Time `json:"last_activity,omitzero"`

	// The counts of this process (crawl.Summary).
	Fetched  int64                  `json:"fetched"`
	Failed   int64                  `json:"failed"`
	Declined int64                  `json:"declined,omitempty"`
	Reused   int64                  `json:"reused,omitempty"`
	Queued   int64                  `json:"queued"`
	InFlight int64                  `json:"in_flight"`
	Bytes    int64                  `json:"bytes"`
	Errors   map[outcome.Kind]int64 `json:"errors,omitempty"`
	// Rate is the URLs done per second over the last seconds.
	Rate float64 `json:"rate"`
	// QueuedByHost counts the URLs queued by host (not those in flight),
	// when known: from Redis, or from the engine when it tells.
	QueuedByHost map[string]int64 `json:"queued_by_host,omitempty"`
	// Shared holds the counts of every process of a shared crawl.
	Shared *sharedCounts `json:"shared,omitempty"`
}

// sharedCounts are the counts of a crawl shared through Redis.
type sharedCounts struct {
	Queued   int64 `json:"queued"`
	InFlight int64 `json:"in_flight"`
	Done     int64 `json:"done"`
	Seen     int64 `json:"seen"`
}

// statusPath returns the path of the status file of the crawl into dir.
func statusPath(dir string) string {
	return filepath.Join(dir, store.WorkDir, statusName)
}

// writeStatus replaces the file at path with st, atomically: a reader
// sees the old file or the new one.
func writeStatus(path string, st *statusFile) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing the status: %w", err)
	}
	if err := atomicfile.WriteFile(path, append(b, '\n')); err != nil {
		return fmt.Errorf("writing the status: %w", err)
	}
	return nil
}

// readStatus reads the status file at path; it returns nil and no error
// when there is none.
func readStatus(path string) (*statusFile, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st statusFile
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return &st, nil
}
