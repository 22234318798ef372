package disk

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// This file holds the group commit: operations are buffered in a batch in
// the order they are made, and one goroutine writes each batch in one
// transaction, batches in order.

// queueFill is the queue bucket's bbolt.Bucket.FillPercent.
const queueFill = 0.9

type opKind uint8

const (
	opAdd     opKind = iota // mark seen as queued, put the item in the queue
	opClaim                 // mark seen as claimed
	opDone                  // delete the item from the queue, mark seen as done
	opUnclaim               // forget a claimed URL: delete it from the seen set
)

type op struct {
	kind opKind
	seen seenKey
	qkey []byte // opAdd, opDone
	val  []byte // opAdd
}

// batch is operations committed together, in one transaction.
type batch struct {
	gen  uint64 // batches are numbered from 1, in commit order
	ops  []op
	seen map[seenKey]struct{} // URLs marked seen by ops
	// unseen holds the URLs whose last op in the batch forgets them; a
	// key is in seen or unseen, never both.
	unseen map[seenKey]struct{}
	done   []string // URLs whose lease ends when the batch is committed
}

func newBatch(gen uint64) *batch {
	return &batch{gen: gen, seen: make(map[seenKey]struct{}), unseen: make(map[seenKey]struct{})}
}

// apply writes the batch's operations in order.
func (b *batch) apply(tx *bolt.Tx) error {
	seen, queue := tx.Bucket(bucketSeen), tx.Bucket(bucketQueue)
	// Items are appended to the end of their host's run of keys: pages
	// split full rather than half full.
	queue.FillPercent = queueFill
	state := [...][]byte{opAdd: {stateQueued}, opClaim: {stateClaimed}, opDone: {stateDone}}
	for i := range b.ops {
		o := &b.ops[i] // bbolt keeps keys and values until the commit
		var err error
		switch o.kind {
		case opAdd:
			err = queue.Put(o.qkey, o.val)
		case opDone:
			err = queue.Delete(o.qkey)
		case opUnclaim:
			err = seen.Delete(o.seen[:])
			if err != nil {
				return err
			}
			continue
		}
		if err == nil {
			err = seen.Put(o.seen[:], state[o.kind])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// record appends an operation to the pending batch. It must be called with
// f.mu held.
func (f *Frontier) record(o op) {
	b := f.pending
	if len(b.ops) == 0 {
		signal(f.kick)
	}
	b.ops = append(b.ops, o)
	if len(b.ops) == batchOps {
		signal(f.hurry)
	}
}

// waitRoom waits while too many operations are buffered: the disk is
// slower than the crawl. It must be called with f.mu held.
func (f *Frontier) waitRoom(ctx context.Context) error {
	for len(f.pending.ops) >= maxPending {
		if err := f.usable(); err != nil {
			return err
		}
		signal(f.hurry)
		if err := f.wait(ctx); err != nil {
			return err
		}
	}
	return f.usable()
}

// commitLoop is the committer: it commits the pending batch BatchDelay
// after its first operation, or sooner when hurried, until Close. Then it
// commits what is left and returns.
func (f *Frontier) commitLoop() {
	defer close(f.stopped)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-f.kick:
		case <-f.quit:
			f.commit()
			return
		}
		if f.delay > 0 {
			timer.Reset(f.delay)
			select {
			case <-timer.C:
			case <-f.hurry:
			case <-f.quit:
			}
			timer.Stop()
		}
		f.commit()
	}
}

// commit writes the pending batch, if it holds anything, and wakes the
// calls waiting for it.
func (f *Frontier) commit() {
	f.mu.Lock()
	b := f.pending
	if len(b.ops) == 0 {
		f.mu.Unlock()
		return
	}
	f.pending = newBatch(b.gen + 1)
	if f.err != nil {
		// An earlier batch failed: writing a later one could commit a
		// Done without the Adds before it.
		f.committed = b.gen
		f.broadcast()
		f.mu.Unlock()
		return
	}
	f.committing = b
	f.mu.Unlock()

	err := f.db.Update(b.apply)

	f.mu.Lock()
	defer f.mu.Unlock()
	f.committing = nil
	f.committed = b.gen
	if err != nil {
		f.err = fmt.Errorf("committing %d frontier operations: %w", len(b.ops), err)
	}
	for _, url := range b.done {
		delete(f.leases, url)
	}
	f.broadcast()
}
