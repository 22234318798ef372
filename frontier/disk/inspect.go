package disk

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/crawl-go/crawl/frontier"
)

// This file holds read-only views of a database, for a status display:
// Inspect for a database no Frontier has open, QueuedByHost for the one a
// Frontier has.

// Snapshot is what a frontier database holds, as Inspect reads it.
type Snapshot struct {
	// Queued counts the items not done, by host (host[:port]), over all
	// depths. The items leased when the database was last written count
	// as queued, as Open would queue them again.
	Queued map[string]int64
	// Seen is the number of URLs added or claimed, Done the number of
	// items done.
	Seen, Done int
}

// Inspect reads the database at path without changing it. It returns an
// error wrapping ErrLocked when a Frontier, in this process or another,
// has the database open, and one wrapping fs.ErrNotExist when there is
// none. A crawl that starts while Inspect reads may find the database
// locked, for as long as Inspect takes. It takes time in the number of URLs seen.
func Inspect(path string) (Snapshot, error) {
	if _, err := os.Stat(path); err != nil {
		return Snapshot{}, fmt.Errorf("inspecting frontier %s: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return Snapshot{}, fmt.Errorf("inspecting frontier %s: %w", path, ErrLocked)
	}
	if err != nil {
		return Snapshot{}, fmt.Errorf("inspecting frontier %s: %w", path, err)
	}
	defer db.Close()
	var s Snapshot
	err = db.View(func(tx *bolt.Tx) error {
		meta, log, queue := tx.Bucket(bucketMeta), tx.Bucket(bucketLog), tx.Bucket(bucketQueue)
		if meta == nil || log == nil || queue == nil || tx.Bucket(bucketRuns) == nil {
			return fmt.Errorf("missing buckets: %w", errCorrupt)
		}
		if v := meta.Get(keyVersion); len(v) != 1 || v[0] != layoutVersion {
			return fmt.Errorf("layout version %x, want %d: %w", v, layoutVersion, errCorrupt)
		}
		if v := meta.Get(keyDone); len(v) == 8 {
			s.Done = int(binary.BigEndian.Uint64(v))
		}
		// The URLs seen: those of the sorted runs, and those of the log
		// not yet in a run.
		runs, err := liveRuns(tx)
		if err != nil {
			return err
		}
		for _, r := range runs {
			s.Seen += int(r.n)
		}
		frozen, err := frozenSeq(tx)
		if err != nil {
			return err
		}
		err = log.ForEach(func(k, _ []byte) error {
			if len(k) == len(seqKey{}) && binary.BigEndian.Uint64(k) > frozen {
				s.Seen++
			}
			return nil
		})
		if err != nil {
			return err
		}
		s.Queued, err = countHosts(context.Background(), queue)
		return err
	})
	if err != nil {
		return Snapshot{}, fmt.Errorf("inspecting frontier %s: %w", path, err)
	}
	return s, nil
}

// QueuedByHost counts the queued items by host (host[:port]), over all
// depths, as committed to disk: the operations of the last BatchDelay may
// be missing. Leased items, which stay in the queue on disk until they are
// done, are not counted. It reads the whole queue, in one read-only
// transaction that commits do not wait for, so it takes time in the
// number of items queued (about 0.1 s a million): call it seldom on a big
// crawl.
func (f *Frontier) QueuedByHost(ctx context.Context) (map[string]int64, error) {
	// The transaction and the leases are taken together, so that the
	// leases whose items the transaction sees are those to leave out.
	f.mu.Lock()
	if err := f.usable(); err != nil {
		f.mu.Unlock()
		return nil, err
	}
	tx, err := f.db.Begin(false)
	leased := make([][]byte, 0, len(f.leases))
	for _, ls := range f.leases {
		leased = append(leased, ls.key)
	}
	f.mu.Unlock()
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return nil, frontier.ErrClosed
	}
	if err != nil {
		return nil, fmt.Errorf("counting queued items: %w", err)
	}
	defer tx.Rollback()
	queue := tx.Bucket(bucketQueue)
	counts, err := countHosts(ctx, queue)
	if err != nil {
		return nil, fmt.Errorf("counting queued items: %w", err)
	}
	for _, k := range leased {
		v := queue.Get(k)
		if v == nil {
			continue // its Add is not committed yet
		}
		host, err := hostOf(k, v)
		if err != nil {
			return nil, fmt.Errorf("counting queued items: %w", err)
		}
		if counts[host]--; counts[host] <= 0 {
			delete(counts, host)
		}
	}
	return counts, nil
}

// countHosts counts the items of a queue bucket by host.
func countHosts(ctx context.Context, queue *bolt.Bucket) (map[string]int64, error) {
	counts := make(map[string]int64)
	c := queue.Cursor()
	// A running crawl's status counts every second or more: without
	// unmapping, the whole queue would become resident each time (30 MB
	// more at a million URLs queued). Queue entries are small, so many
	// share the pages of each MB read.
	scan := scanning{tx: queue.Tx(), every: 1 << 20}
	n := 0
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		scan.read(len(k) + len(v))
		host, err := hostOf(k, v)
		if err != nil {
			return nil, err
		}
		counts[host]++
	}
	scan.finish()
	return counts, nil
}

// hostOf returns the host of a queue entry.
func hostOf(k, v []byte) (string, error) {
	_, hostPart, _, err := splitKey(k)
	if err != nil {
		return "", err
	}
	if len(v) > 0 && v[0]&flagHost != 0 {
		// A long host, keyed by a hash: the value has it whole.
		var it frontier.Item
		if err := decodeItem(v, &it); err != nil {
			return "", err
		}
		return it.Host, nil
	}
	return string(hostPart[1:]), nil
}
