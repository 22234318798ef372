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
	opAdd     opKind = iota // log seen, put the item in the queue
	opClaim                 // log seen
	opDone                  // delete the item from the queue, count it done
	opUnclaim               // forget a claimed URL: delete it from the log or its run
)

type op struct {
	kind opKind
	seen seenKey // opAdd, opClaim, opUnclaim
	lkey seqKey  // the key of seen in the log: opAdd, opClaim, opUnclaim
	qkey []byte  // opAdd, opDone
	val  []byte  // opAdd
}

// batch is operations committed together, in one transaction.
type batch struct {
	gen uint64 // batches are numbered from 1, in commit order
	ops []op
	// unseen holds the URLs forgotten by ops, which the disk may still
	// hold; a URL marked seen again leaves it.
	unseen map[seenKey]struct{}
	done   []string // URLs whose lease ends when the batch is committed
}

func newBatch(gen uint64) *batch {
	return &batch{gen: gen, unseen: make(map[seenKey]struct{})}
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

	// Only the committer uses f.disk: no lock is needed.
	var frozen uint64
	err := f.db.Update(func(tx *bolt.Tx) error {
		var err error
		frozen, err = f.disk.apply(tx, b)
		return err
	})
	if err == nil {
		f.unmap()
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	f.committing = nil
	f.committed = b.gen
	if err != nil {
		f.err = fmt.Errorf("committing %d frontier operations: %w", len(b.ops), err)
	}
	if frozen > 0 {
		f.forgetLog(frozen)
	}
	for _, url := range b.done {
		delete(f.leases, url)
	}
	f.broadcast()
}

// unmap drops the pages of the database file that this process has mapped
// in, as read by this commit and by the lookups and refills since the last
// one, from its resident size (see unmapPages). A commit reads pages all
// over the file: the queue's ends, the log, runs; and the kernel maps up
// to 16 pages around each page read. Without this, the resident size
// grows towards the size of the file; with it, it stays near what one
// commit reads. The read transaction holds bbolt's mapping in place.
func (f *Frontier) unmap() {
	tx, err := f.db.Begin(false)
	if err != nil {
		return
	}
	defer tx.Rollback()
	unmapPages(f.db.Info().Data, tx.Size())
}
