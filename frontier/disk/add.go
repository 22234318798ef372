package disk

import (
	"context"
	"fmt"
	"math"

	"github.com/bits-and-blooms/bloom/v3"
	bolt "go.etcd.io/bbolt"

	"github.com/crawl-go/crawl/frontier"
)

// This file holds the seen set: Add, Claim, and the Bloom filter in front
// of the disk.

// Add implements frontier.Frontier. The items are marked seen and queued
// at once for the calls that follow, and on disk with the batch they are
// committed in; Add does not wait for that commit (see Flush). It waits
// only while more than 4,096 operations are waiting for the disk, never
// for consumers.
func (f *Frontier) Add(ctx context.Context, items ...frontier.Item) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("adding to frontier: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.waitRoom(ctx); err != nil {
		return 0, fmt.Errorf("adding to frontier: %w", err)
	}
	var s seenCheck
	defer s.close()
	added := 0
	for i := range items {
		k := keyOf(items[i].URL)
		seen, err := f.isSeen(k, &s)
		if err != nil {
			return added, fmt.Errorf("adding %s to frontier: %w", items[i].URL, err)
		}
		if seen {
			continue
		}
		f.markSeen(k, &s)
		f.enqueue(items[i], k)
		added++
	}
	if added > 0 {
		f.broadcast()
	}
	return added, nil
}

// Claim implements frontier.Frontier. Like Add, it does not wait for the
// commit.
func (f *Frontier) Claim(ctx context.Context, url string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("claiming in frontier: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.waitRoom(ctx); err != nil {
		return false, fmt.Errorf("claiming in frontier: %w", err)
	}
	var s seenCheck
	defer s.close()
	k := keyOf(url)
	seen, err := f.isSeen(k, &s)
	if err != nil {
		return false, fmt.Errorf("claiming %s in frontier: %w", url, err)
	}
	if seen {
		return false, nil
	}
	f.markSeen(k, &s)
	f.record(op{kind: opClaim, seen: k})
	return true, nil
}

// unclaim forgets URLs marked seen by Claim. It must be called with f.mu
// held. The Bloom filter keeps them: a URL it has seen is looked up.
func (f *Frontier) unclaim(urls []string) {
	for _, u := range urls {
		k := keyOf(u)
		f.pending.unseen[k] = struct{}{}
		delete(f.pending.seen, k)
		f.record(op{kind: opUnclaim, seen: k})
		f.seen--
	}
}

// seenCheck is the read transaction shared by the lookups of one call,
// begun at the first lookup that needs the disk.
type seenCheck struct {
	tx *bolt.Tx
}

// begin returns the transaction, beginning it if needed. A call holds at
// most one read transaction: a second one could wait for a commit that
// waits for the first to end.
func (s *seenCheck) begin(db *bolt.DB) (*bolt.Tx, error) {
	if s.tx == nil {
		tx, err := db.Begin(false)
		if err != nil {
			return nil, fmt.Errorf("reading seen set: %w", err)
		}
		s.tx = tx
	}
	return s.tx, nil
}

func (s *seenCheck) close() {
	if s.tx != nil {
		s.tx.Rollback()
	}
}

// isSeen reports whether k is in the seen set. A URL the Bloom filter has
// not seen is new; for the others, which are mostly URLs seen before and
// about 1% of new ones, the batches not yet committed and then the disk
// decide. It must be called with f.mu held: the check and the markSeen
// that follows it are one step.
func (f *Frontier) isSeen(k seenKey, s *seenCheck) (bool, error) {
	if !f.bloom.Test(k[:]) {
		return false, nil
	}
	// The latest state wins: the pending batch, the batch being
	// committed, then the disk.
	for _, b := range []*batch{f.pending, f.committing} {
		if b == nil {
			continue
		}
		if _, ok := b.seen[k]; ok {
			return true, nil
		}
		if _, ok := b.unseen[k]; ok {
			return false, nil
		}
	}
	tx, err := s.begin(f.db)
	if err != nil {
		return false, err
	}
	return tx.Bucket(bucketSeen).Get(k[:]) != nil, nil
}

// markSeen adds k to the seen set. The caller records the operation that
// writes it. It must be called with f.mu held.
func (f *Frontier) markSeen(k seenKey, s *seenCheck) {
	f.pending.seen[k] = struct{}{}
	delete(f.pending.unseen, k)
	f.seen++
	if f.seen > f.bloomCap {
		f.growBloom(s)
	}
	f.bloom.Add(k[:])
}

func (f *Frontier) newBloom(n uint) {
	f.bloomCap = n
	f.bloom = bloom.NewWithEstimates(n, bloomFP)
}

// growBloom replaces the Bloom filter, whose false positive rate is rising
// above bloomFP, with one four times larger. It reads the seen set from
// disk and adds the batches not yet committed: a pause of about a second
// per ten million URLs, taken each time the seen set quadruples. If the
// disk cannot be read, the old filter stays: it is slower, not wrong.
func (f *Frontier) growBloom(s *seenCheck) {
	n := uint(min(uint64(f.seen)*4, math.MaxUint32))
	b := bloom.NewWithEstimates(n, bloomFP)
	tx, err := s.begin(f.db)
	if err == nil {
		err = tx.Bucket(bucketSeen).ForEach(func(k, _ []byte) error {
			b.Add(k)
			return nil
		})
	}
	if err != nil {
		f.bloomCap = n // do not try again at every URL
		return
	}
	for _, batch := range []*batch{f.committing, f.pending} {
		if batch == nil {
			continue
		}
		for k := range batch.seen {
			b.Add(k[:])
		}
	}
	f.bloom, f.bloomCap = b, n
}
