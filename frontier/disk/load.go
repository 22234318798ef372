package disk

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// This file holds what Open reads of a database: its buckets, its runs
// and its log, the Bloom filter refilled, the queue counted, and the
// migration from layout 1.

// load creates the buckets of a new database, or reads an existing one,
// migrating it from layout 1: it reads the list of runs, the log into
// memory, fills the Bloom filter from the seen set and
// counts what is queued.
func (f *Frontier) load(expected uint) error {
	var version []byte
	err := f.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		version = bytes.Clone(meta.Get(keyVersion))
		switch {
		case version == nil:
			if err := meta.Put(keyVersion, []byte{layoutVersion}); err != nil {
				return err
			}
			version = []byte{layoutVersion}
		case len(version) != 1 || version[0] != 1 && version[0] != layoutVersion:
			return fmt.Errorf("layout version %x, want %d: %w", version, layoutVersion, errCorrupt)
		}
		for _, name := range [][]byte{bucketLog, bucketRuns, bucketQueue} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return f.readRuns(tx)
	})
	if err != nil {
		return fmt.Errorf("creating buckets: %w", err)
	}
	if version[0] == 1 {
		if err := f.migrate(); err != nil {
			return fmt.Errorf("migrating from layout 1: %w", err)
		}
	}
	return f.db.View(func(tx *bolt.Tx) error {
		d := f.disk
		if v := tx.Bucket(bucketMeta).Get(keyDone); v != nil {
			if len(v) != 8 {
				return fmt.Errorf("count of items done %x: %w", v, errCorrupt)
			}
			d.done = binary.BigEndian.Uint64(v)
		}
		f.done = int(d.done)
		frozen, err := frozenSeq(tx)
		if err != nil {
			return err
		}
		d.frozen = frozen
		scan := scanning{tx: tx}
		err = tx.Bucket(bucketLog).ForEach(func(k, v []byte) error {
			if len(k) != len(seqKey{}) || len(v) != seenKeyLen {
				return fmt.Errorf("log entry %x: %w", k, errCorrupt)
			}
			scan.read(len(k) + len(v))
			seq := binary.BigEndian.Uint64(k)
			f.seq = max(f.seq, seq)
			d.lastSeq = max(d.lastSeq, seq)
			if seq > frozen {
				f.log[seenKey(v)] = seq
				d.recent = append(d.recent, seenKey(v))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reading the log of the seen set: %w", err)
		}
		f.seen = uint(d.seen())
		f.newBloom(max(expected, 2*f.seen))
		if err := forEachSeen(tx, d.runs, func(k seenKey) { f.bloom.Add(k[:]) }); err != nil {
			return fmt.Errorf("reading seen set: %w", err)
		}
		d.startMerge()
		err = tx.Bucket(bucketQueue).ForEach(func(k, v []byte) error {
			scan.read(len(k) + len(v))
			depth, _, seq, err := splitKey(k)
			if err != nil {
				return err
			}
			f.level(depth).queued++
			f.queued++
			f.seq = max(f.seq, seq)
			return nil
		})
		if err != nil {
			return fmt.Errorf("reading queue: %w", err)
		}
		return nil
	})
}

// readRuns reads the list of live runs into f.disk; the other runs, of
// merges that a crash or Close cut short or not yet deleted, are dead.
func (f *Frontier) readRuns(tx *bolt.Tx) error {
	runs, err := liveRuns(tx)
	if err != nil {
		return err
	}
	live := make(map[uint64]bool, len(runs))
	d := f.disk
	for _, r := range runs {
		live[r.id] = true
		d.nextID = max(d.nextID, r.id+1)
	}
	d.runs, d.dead = runs, nil
	return tx.Bucket(bucketRuns).ForEachBucket(func(k []byte) error {
		if len(k) != 8 {
			return fmt.Errorf("run %x: %w", k, errCorrupt)
		}
		if id := binary.BigEndian.Uint64(k); !live[id] {
			d.dead = append(d.dead, id)
			d.nextID = max(d.nextID, id+1)
		}
		return nil
	})
}

// migrate rewrites a database of layout 1, whose seen set is a bucket of
// the same keys in order, each with the URL's state as its value: the
// keys become one run and the states a count of items done. The queue is
// the same in both layouts. The run is written mergeKeys keys per
// transaction, so that memory stays bounded; if the migration is cut
// short, the run is dead, and deleted by later commits.
func (f *Frontier) migrate() error {
	const stateDoneV1 = 'd'
	d := f.disk
	id := d.nextID
	var n, done uint64
	var last []byte
	for finished := false; !finished; {
		err := f.db.Update(func(tx *bolt.Tx) error {
			rb, err := tx.Bucket(bucketRuns).CreateBucketIfNotExists(runName(id))
			if err != nil {
				return err
			}
			old := tx.Bucket(bucketSeenV1)
			if old == nil {
				return fmt.Errorf("no seen set: %w", errCorrupt)
			}
			c := old.Cursor()
			k, v := c.First()
			if last != nil {
				if k, v = c.Seek(last); bytes.Equal(k, last) {
					k, v = c.Next()
				}
			}
			w := runWriter{b: rb, chunkKeys: d.chunkKeys}
			for ; k != nil && (w.n < uint64(d.mergeKeys) || len(w.chunk) > 0); k, v = c.Next() {
				if len(k) != seenKeyLen || len(v) != 1 {
					return fmt.Errorf("seen entry %x: %w", k, errCorrupt)
				}
				if v[0] == stateDoneV1 {
					done++
				}
				if err := w.add(seenKey(k)); err != nil {
					return err
				}
				last = bytes.Clone(k)
			}
			if err := w.flush(); err != nil {
				return err
			}
			n += w.n
			if k != nil {
				return nil
			}
			// The last step: the run is live, layout 1 is gone.
			finished = true
			meta := tx.Bucket(bucketMeta)
			for _, kv := range [][2][]byte{
				{keyRuns, appendRuns(nil, []run{{id, n}})},
				{keyDone, binary.BigEndian.AppendUint64(nil, done)},
				{keyVersion, {layoutVersion}},
			} {
				if err := meta.Put(kv[0], kv[1]); err != nil {
					return err
				}
			}
			return tx.DeleteBucket(bucketSeenV1)
		})
		if err != nil {
			return err
		}
		f.unmap()
	}
	d.runs = []run{{id, n}}
	d.nextID = id + 1
	return nil
}
