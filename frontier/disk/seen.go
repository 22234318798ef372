package disk

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// This file holds the seen set on disk, a log-structured merge tree of two
// kinds of parts. The URLs seen lately are appended to a log, in the order
// they are seen, so that a commit writes the last pages of the log and no
// others; a map in memory finds them (Frontier.log). When the log holds
// logMax keys, a commit sorts them into a new run, a read-only sorted
// array of keys stored in chunks; their log entries are then obsolete,
// and the following commits delete them, a few each. Runs are merged
// pairwise, a step of at least mergeKeys keys per commit, so that there
// are about log2(seen/logMax) of them; a lookup reads one chunk of each
// until one holds the key. A commit thus writes, and reads, a bounded
// number of pages, whatever the size of the seen set: with keys that are
// hashes, a B-tree would rewrite a leaf per key, all over the tree.

// Defaults of the seen set's sizes, which tests make small.
const (
	// defaultLogMax is the number of keys in the log at which a commit
	// sorts them into a run: up to about 1 MiB in memory. With 65,536, a
	// crawl of 1,000,000 URLs peaked at 60-61 MB instead of 51-52
	// (BenchmarkCrawlMemory).
	defaultLogMax = 1 << 14
	// defaultChunkKeys is the number of keys per chunk of a run: two
	// chunks and their keys fill two pages of 4 KiB.
	defaultChunkKeys = 253
	// defaultMergeKeys is the number of keys a commit merges, at least,
	// while a merge is under way (64 KiB written), and deletes of dead
	// runs; more when the commit adds many keys.
	defaultMergeKeys = 1 << 12
)

// logFill is the FillPercent of the log and of runs, which are written in
// key order: their pages split full.
const logFill = 1.0

// onDisk is the committer's state of what is on disk: the live runs, the
// keys of the log, the merge under way and the count of items done. Only
// the committer uses it, and Open before the committer starts. It is not
// rolled back when a commit fails: the frontier is then unusable.
type onDisk struct {
	runs   []run  // live runs, oldest first
	nextID uint64 // id of the next run
	// recent holds the keys of the log's live entries, in log order, so
	// that sorting them into a run reads no page of the log. Entries up
	// to frozen are sorted into runs already: they are deleted a few per
	// commit, as deleting the log at once would read all its pages.
	recent  []seenKey
	frozen  uint64 // last sequence number sorted into a run
	lastSeq uint64 // last sequence number in the log
	merge   *merge // the merge under way, or nil
	// dead holds the runs to delete: merged, or a merge cut short. They
	// are deleted a few chunks per commit, because deleting a bucket
	// reads all its pages.
	dead []uint64
	done uint64 // items done

	logMax, chunkKeys, mergeKeys int
}

// merge is a merge of two adjacent live runs into a new run, out, which is
// not live until the merge is complete. The keys up to last are written.
type merge struct {
	older, newer, out uint64 // run ids
	n                 uint64 // keys written to out
	last              seenKey
}

// seen returns the number of keys in the runs and the log.
func (d *onDisk) seen() uint64 {
	n := uint64(len(d.recent))
	for _, r := range d.runs {
		n += r.n
	}
	return n
}

// apply writes a batch's operations in order, then sorts the log into a
// run if it is full, takes a step of the merge under way and deletes part
// of a dead run. It returns the last sequence number of the log entries
// sorted into a run, or 0.
func (d *onDisk) apply(tx *bolt.Tx, b *batch) (frozen uint64, err error) {
	meta, log, queue := tx.Bucket(bucketMeta), tx.Bucket(bucketLog), tx.Bucket(bucketQueue)
	// Items are appended to the end of their host's run of keys, and
	// keys to the end of the log: pages split full rather than half
	// full.
	queue.FillPercent = queueFill
	log.FillPercent = logFill
	runsChanged := false
	done, logged := 0, 0
	for i := range b.ops {
		o := &b.ops[i] // bbolt keeps keys and values until the commit
		switch o.kind {
		case opAdd:
			if err := queue.Put(o.qkey, o.val); err != nil {
				return 0, err
			}
			fallthrough
		case opClaim:
			if err := log.Put(o.lkey[:], o.seen[:]); err != nil {
				return 0, err
			}
			d.recent = append(d.recent, o.seen)
			d.lastSeq = max(d.lastSeq, binary.BigEndian.Uint64(o.lkey[:]))
			logged++
		case opDone:
			if err := queue.Delete(o.qkey); err != nil {
				return 0, err
			}
			done++
		case opUnclaim:
			if binary.BigEndian.Uint64(o.lkey[:]) > d.frozen && bytes.Equal(log.Get(o.lkey[:]), o.seen[:]) {
				if err := log.Delete(o.lkey[:]); err != nil {
					return 0, err
				}
				// Claims forgotten are recent, and rare.
				if i := slices.Index(d.recent, o.seen); i >= 0 {
					d.recent = slices.Delete(d.recent, i, i+1)
				}
				continue
			}
			// Sorted into a run since it was claimed.
			removed, err := d.removeFromRuns(tx, o.seen)
			if err != nil {
				return 0, err
			}
			runsChanged = runsChanged || removed
		}
	}
	if done > 0 {
		d.done += uint64(done)
		if err := meta.Put(keyDone, binary.BigEndian.AppendUint64(nil, d.done)); err != nil {
			return 0, err
		}
	}
	if len(d.recent) >= d.logMax {
		if frozen, err = d.freeze(tx); err != nil {
			return 0, fmt.Errorf("sorting the log into a run: %w", err)
		}
		runsChanged = true
	}
	// Each key is merged about once per run; twice that keeps the
	// merges ahead of the keys added, and their deletion ahead of the
	// merges.
	budget := max(d.mergeKeys, 2*len(d.runs)*logged)
	if d.merge != nil {
		completed, err := d.mergeStep(tx, budget)
		if err != nil {
			return 0, fmt.Errorf("merging runs: %w", err)
		}
		runsChanged = runsChanged || completed
	}
	if len(d.dead) > 0 {
		if err := d.deleteDead(tx, budget); err != nil {
			return 0, fmt.Errorf("deleting merged runs: %w", err)
		}
	}
	// Twice the entries logged, and a few more, keeps the log trimmed,
	// and the pages each commit reads few.
	if err := d.trimLog(log, 2*logged+1+d.mergeKeys/64); err != nil {
		return 0, fmt.Errorf("deleting the log sorted into runs: %w", err)
	}
	if runsChanged {
		if err := meta.Put(keyRuns, appendRuns(nil, d.runs)); err != nil {
			return 0, err
		}
	}
	return frozen, nil
}

// freeze sorts the keys of the log into a new run. The log's entries are
// then obsolete, and deleted by trimLog. It returns the last sequence
// number of the log.
func (d *onDisk) freeze(tx *bolt.Tx) (uint64, error) {
	keys := slices.Clone(d.recent)
	slices.SortFunc(keys, compareKeys)
	keys = slices.Compact(keys)
	id := d.nextID
	d.nextID++
	rb, err := tx.Bucket(bucketRuns).CreateBucket(runName(id))
	if err != nil {
		return 0, err
	}
	w := runWriter{b: rb, chunkKeys: d.chunkKeys}
	for _, k := range keys {
		if err := w.add(k); err != nil {
			return 0, err
		}
	}
	if err := w.flush(); err != nil {
		return 0, err
	}
	d.frozen = d.lastSeq
	if err := tx.Bucket(bucketMeta).Put(keyFrozen, binary.BigEndian.AppendUint64(nil, d.frozen)); err != nil {
		return 0, err
	}
	d.runs = append(d.runs, run{id, w.n})
	d.recent = d.recent[:0]
	d.startMerge()
	return d.frozen, nil
}

// trimLog deletes up to n of the log's obsolete entries, from its start.
func (d *onDisk) trimLog(log *bolt.Bucket, n int) error {
	var obsolete [][]byte
	c := log.Cursor()
	for k, _ := c.First(); k != nil && len(obsolete) < n && binary.BigEndian.Uint64(k) <= d.frozen; k, _ = c.Next() {
		obsolete = append(obsolete, bytes.Clone(k))
	}
	for _, k := range obsolete {
		if err := log.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
