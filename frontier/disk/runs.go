package disk

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// This file holds the runs of the seen set (see seen.go): sorted arrays
// of keys in chunks, written by runWriter, read in order by runIter and
// searched by seenCheck.

func compareKeys(a, b seenKey) int { return bytes.Compare(a[:], b[:]) }

// chunkIndex returns the index of k in a chunk of packed sorted keys, or -1.
// A nil chunk holds nothing.
func chunkIndex(chunk []byte, k seenKey) (int, error) {
	if len(chunk)%seenKeyLen != 0 {
		return -1, fmt.Errorf("chunk of %d bytes: %w", len(chunk), errCorrupt)
	}
	lo, hi := 0, len(chunk)/seenKeyLen
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(chunk[mid*seenKeyLen:(mid+1)*seenKeyLen], k[:]); {
		case c == 0:
			return mid, nil
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return -1, nil
}

// runWriter appends keys, in increasing order, to a run's bucket.
type runWriter struct {
	b         *bolt.Bucket
	chunkKeys int
	chunk     []byte // the chunk being filled
	n         uint64 // keys added
}

func (w *runWriter) add(k seenKey) error {
	if w.chunk == nil {
		w.b.FillPercent = logFill
		w.chunk = make([]byte, 0, w.chunkKeys*seenKeyLen)
	}
	w.chunk = append(w.chunk, k[:]...)
	w.n++
	if len(w.chunk) == cap(w.chunk) {
		return w.flush()
	}
	return nil
}

// flush writes the chunk being filled, keyed by its last key. bbolt keeps
// the key and the value until the commit, so each chunk is a new slice.
func (w *runWriter) flush() error {
	if len(w.chunk) == 0 {
		return nil
	}
	err := w.b.Put(w.chunk[len(w.chunk)-seenKeyLen:], w.chunk)
	w.chunk = nil
	return err
}

// runIter reads a run's keys in increasing order.
type runIter struct {
	c     *bolt.Cursor
	chunk []byte // the keys of the current chunk not read yet
	err   error
}

// newRunIter returns an iterator over the keys of the run in b that are
// greater than *from, or all of them if from is nil.
func newRunIter(b *bolt.Bucket, from *seenKey) (*runIter, error) {
	it := &runIter{c: b.Cursor()}
	var k, v []byte
	if from == nil {
		k, v = it.c.First()
	} else {
		k, v = it.c.Seek(from[:])
	}
	if k == nil {
		return it, nil
	}
	if len(v)%seenKeyLen != 0 {
		return nil, fmt.Errorf("chunk of %d bytes: %w", len(v), errCorrupt)
	}
	it.chunk = v
	if from != nil {
		for len(it.chunk) > 0 && bytes.Compare(it.chunk[:seenKeyLen], from[:]) <= 0 {
			it.chunk = it.chunk[seenKeyLen:]
		}
	}
	it.advance()
	return it, it.err
}

// peek returns the next key, and false at the end of the run or at an
// error.
func (it *runIter) peek() (seenKey, bool) {
	if len(it.chunk) == 0 {
		return seenKey{}, false
	}
	return seenKey(it.chunk[:seenKeyLen]), true
}

// next moves past the next key.
func (it *runIter) next() {
	it.chunk = it.chunk[seenKeyLen:]
	it.advance()
}

// advance moves to the next chunk while the current one is read.
func (it *runIter) advance() {
	for len(it.chunk) == 0 {
		k, v := it.c.Next()
		if k == nil {
			return
		}
		if len(v)%seenKeyLen != 0 {
			it.err = fmt.Errorf("chunk of %d bytes: %w", len(v), errCorrupt)
			return
		}
		it.chunk = v
	}
}

// forEachSeen calls fn with every key of the live runs and of the log's
// live entries, as committed in tx.
func forEachSeen(tx *bolt.Tx, runs []run, fn func(k seenKey)) error {
	scan := scanning{tx: tx}
	rb := tx.Bucket(bucketRuns)
	for _, r := range runs {
		b := rb.Bucket(runName(r.id))
		if b == nil {
			return fmt.Errorf("run %d: %w", r.id, errCorrupt)
		}
		err := b.ForEach(func(_, v []byte) error {
			if len(v) == 0 || len(v)%seenKeyLen != 0 {
				return fmt.Errorf("chunk of %d bytes in run %d: %w", len(v), r.id, errCorrupt)
			}
			scan.read(len(v))
			for ; len(v) > 0; v = v[seenKeyLen:] {
				fn(seenKey(v))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	frozen, err := frozenSeq(tx)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketLog).ForEach(func(k, v []byte) error {
		if len(k) != len(seqKey{}) || len(v) != seenKeyLen {
			return fmt.Errorf("log entry %x: %w", k, errCorrupt)
		}
		scan.read(len(k) + len(v))
		if binary.BigEndian.Uint64(k) > frozen {
			fn(seenKey(v))
		}
		return nil
	})
}

// scanning unmaps the database's pages (see unmapPages) every few MB that
// a scan of a bucket in tx reads, so that scanning the whole file does not
// make it all resident.
type scanning struct {
	tx     *bolt.Tx
	unread int // bytes read since the last unmap
	every  int // bytes read between unmaps; 0 for scanUnmap
}

// scanUnmap is how many bytes of keys and values a scan reads between two
// unmaps: a few pages more, for the kernel's fault-around.
const scanUnmap = 4 << 20

func (s *scanning) read(n int) {
	if s.unread += n; s.unread >= cmp.Or(s.every, scanUnmap) {
		s.finish()
	}
}

// finish unmaps what the scan read since the last unmap.
func (s *scanning) finish() {
	unmapPages(s.tx.DB().Info().Data, s.tx.Size())
	s.unread = 0
}

// frozenSeq returns the last sequence number of the log sorted into a run,
// as committed in tx: the log entries up to it are obsolete.
func frozenSeq(tx *bolt.Tx) (uint64, error) {
	v := tx.Bucket(bucketMeta).Get(keyFrozen)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("last sequence number sorted %x: %w", v, errCorrupt)
	}
	return binary.BigEndian.Uint64(v), nil
}

// liveRuns returns the live runs as committed in tx.
func liveRuns(tx *bolt.Tx) ([]run, error) {
	return decodeRuns(tx.Bucket(bucketMeta).Get(keyRuns))
}

// seenCheck is the read transaction shared by the lookups of one call,
// begun at the first lookup that needs the disk, and a cursor on each of
// the runs live in it.
type seenCheck struct {
	tx   *bolt.Tx
	runs []run
	curs []*bolt.Cursor // of runs, oldest first
}

// begin returns the transaction, beginning it if needed. A call holds at
// most one read transaction: a second one could wait for a commit that
// waits for the first to end.
func (s *seenCheck) begin(db *bolt.DB) (*bolt.Tx, error) {
	if s.tx != nil {
		return s.tx, nil
	}
	tx, err := db.Begin(false)
	if err != nil {
		return nil, fmt.Errorf("reading seen set: %w", err)
	}
	runs, err := liveRuns(tx)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	// The oldest run is the largest, at least twice the next: most URLs
	// seen before are in it.
	rb := tx.Bucket(bucketRuns)
	for _, r := range runs {
		b := rb.Bucket(runName(r.id))
		if b == nil {
			tx.Rollback()
			return nil, fmt.Errorf("run %d: %w", r.id, errCorrupt)
		}
		s.curs = append(s.curs, b.Cursor())
	}
	s.tx, s.runs = tx, runs
	return tx, nil
}

// inRuns reports whether a run holds k.
func (s *seenCheck) inRuns(k seenKey) (bool, error) {
	for _, c := range s.curs {
		_, chunk := c.Seek(k[:])
		i, err := chunkIndex(chunk, k)
		if err != nil {
			return false, fmt.Errorf("reading seen set: %w", err)
		}
		if i >= 0 {
			return true, nil
		}
	}
	return false, nil
}

func (s *seenCheck) close() {
	if s.tx != nil {
		s.tx.Rollback()
	}
}
