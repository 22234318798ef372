package disk

import (
	"bytes"
	"encoding/binary"
	"errors"
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
}

// scanUnmap is how many bytes of keys and values a scan reads between two
// unmaps: a few pages more, for the kernel's fault-around.
const scanUnmap = 4 << 20

func (s *scanning) read(n int) {
	if s.unread += n; s.unread >= scanUnmap {
		unmapPages(s.tx.DB().Info().Data, s.tx.Size())
		s.unread = 0
	}
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
