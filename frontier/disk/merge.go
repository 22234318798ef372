package disk

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// This file holds the merging of the seen set's runs (see seen.go), a
// step of a few keys per commit; the removal of a key from the runs (a
// claim given back); and the deletion of dead runs.

// startMerge starts a merge if none is under way and two adjacent runs
// are within a factor of two of each other, the older not larger: so
// runs double in size from the newest to the oldest, and a key is merged
// about log2(seen/logMax) times. The newest such pair is merged first.
func (d *onDisk) startMerge() {
	if d.merge != nil {
		return
	}
	for i := len(d.runs) - 2; i >= 0; i-- {
		if d.runs[i].n <= 2*d.runs[i+1].n {
			d.merge = &merge{older: d.runs[i].id, newer: d.runs[i+1].id, out: d.nextID}
			d.nextID++
			return
		}
	}
}

// mergeStep merges about budget more keys of the merge under way, and
// completes it when its runs are exhausted: the merged run replaces them.
// It reports whether it completed the merge.
func (d *onDisk) mergeStep(tx *bolt.Tx, budget int) (bool, error) {
	m := d.merge
	runs := tx.Bucket(bucketRuns)
	older, newer := runs.Bucket(runName(m.older)), runs.Bucket(runName(m.newer))
	if older == nil || newer == nil {
		return false, fmt.Errorf("runs %d and %d: %w", m.older, m.newer, errCorrupt)
	}
	out, err := runs.CreateBucketIfNotExists(runName(m.out))
	if err != nil {
		return false, err
	}
	var from *seenKey
	if m.n > 0 {
		from = &m.last
	}
	a, err := newRunIter(older, from)
	if err != nil {
		return false, err
	}
	b, err := newRunIter(newer, from)
	if err != nil {
		return false, err
	}
	w := runWriter{b: out, chunkKeys: d.chunkKeys}
	// Steps end at a chunk's end, so that the next resumes a new chunk.
	for w.n < uint64(budget) || len(w.chunk) > 0 {
		ka, okA := a.peek()
		kb, okB := b.peek()
		var k seenKey
		switch c := compareKeys(ka, kb); {
		case !okA && !okB:
			if err := errors.Join(a.err, b.err); err != nil {
				return false, err
			}
			return true, d.completeMerge(tx, &w)
		case !okB || okA && c < 0:
			k = ka
			a.next()
		case !okA || c > 0:
			k = kb
			b.next()
		default: // in both runs: cannot happen, but one copy is enough
			k = ka
			a.next()
			b.next()
		}
		if err := w.add(k); err != nil {
			return false, err
		}
		m.last = k
		m.n++
	}
	return false, nil
}

// completeMerge writes the last chunk of the merge under way, replaces its
// runs by the merged one, which are then dead, and starts the next merge,
// if any.
func (d *onDisk) completeMerge(tx *bolt.Tx, w *runWriter) error {
	if err := w.flush(); err != nil {
		return err
	}
	m := d.merge
	d.dead = append(d.dead, m.older, m.newer)
	i := slices.IndexFunc(d.runs, func(r run) bool { return r.id == m.older })
	if i < 0 || i+1 >= len(d.runs) || d.runs[i+1].id != m.newer {
		return fmt.Errorf("merged runs %d and %d not adjacent: %w", m.older, m.newer, errCorrupt)
	}
	d.runs[i] = run{m.out, m.n}
	d.runs = slices.Delete(d.runs, i+1, i+2)
	d.merge = nil
	d.startMerge()
	return nil
}

// removeFromRuns deletes k from the run that holds it, if one does, and
// reports whether one did. A merge of that run is abandoned, and started
// again later: the part already merged may hold k.
func (d *onDisk) removeFromRuns(tx *bolt.Tx, k seenKey) (bool, error) {
	runs := tx.Bucket(bucketRuns)
	for i := range d.runs {
		r := &d.runs[i]
		rb := runs.Bucket(runName(r.id))
		if rb == nil {
			return false, fmt.Errorf("run %d: %w", r.id, errCorrupt)
		}
		bound, chunk := rb.Cursor().Seek(k[:])
		j, err := chunkIndex(chunk, k)
		if err != nil {
			return false, fmt.Errorf("run %d: %w", r.id, err)
		}
		if j < 0 {
			continue
		}
		bound = bytes.Clone(bound)
		if len(chunk) == seenKeyLen {
			err = rb.Delete(bound)
		} else {
			rest := make([]byte, 0, len(chunk)-seenKeyLen)
			rest = append(rest, chunk[:j*seenKeyLen]...)
			rest = append(rest, chunk[(j+1)*seenKeyLen:]...)
			// The chunk's key stays: it still bounds the chunk.
			err = rb.Put(bound, rest)
		}
		if err != nil {
			return false, err
		}
		r.n--
		if m := d.merge; m != nil && (m.older == r.id || m.newer == r.id) {
			d.dead = append(d.dead, m.out)
			d.merge = nil
			d.startMerge()
		}
		return true, nil
	}
	return false, nil
}

// deleteDead deletes about budget keys of dead runs, a chunk at a time,
// and the bucket of each dead run emptied.
func (d *onDisk) deleteDead(tx *bolt.Tx, budget int) error {
	runs := tx.Bucket(bucketRuns)
	chunks := budget/d.chunkKeys + 1
	for chunks > 0 && len(d.dead) > 0 {
		name := runName(d.dead[0])
		b := runs.Bucket(name)
		if b == nil {
			// A merge abandoned before its first step.
			d.dead = d.dead[1:]
			continue
		}
		var bounds [][]byte
		c := b.Cursor()
		for k, _ := c.First(); k != nil && len(bounds) < chunks; k, _ = c.Next() {
			bounds = append(bounds, bytes.Clone(k))
		}
		for _, k := range bounds {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		chunks -= len(bounds)
		if chunks > 0 {
			// Empty: deleting the bucket reads only its root.
			if err := runs.DeleteBucket(name); err != nil {
				return err
			}
			d.dead = d.dead[1:]
		}
	}
	return nil
}
