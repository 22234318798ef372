package disk

import (
	"context"
	"fmt"
	"math"

	"github.com/bits-and-blooms/bloom/v3"

	"github.com/crawl-go/crawl/frontier"
)

// This file holds the seen set in memory: Add, Claim, the log of the URLs
// seen lately, and the Bloom filter in front of the disk.

// Add implements frontier.Frontier. The items are marked seen and queued
// at once for the calls that follow, and on disk with the batch they are
// committed in; Add does not wait for that commit (see Flush). It waits
// only while more than 1,024 operations are waiting for the disk, never
// for consumers.
func (f *Frontier) Add(ctx context.Context, items ...frontier.Item) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("adding to frontier: %w", err)
	}
	// The keys are hashed before taking the lock, which the parsers
	// share.
	var one [1]seenKey
	keys := one[:0]
	if len(items) > 1 {
		keys = make([]seenKey, 0, len(items))
	}
	for i := range items {
		keys = append(keys, keyOf(items[i].URL))
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
		k := keys[i]
		seen, err := f.isSeen(k, &s)
		if err != nil {
			return added, fmt.Errorf("adding %s to frontier: %w", items[i].URL, err)
		}
		if seen {
			continue
		}
		f.seq++
		f.markSeen(k, f.seq, &s)
		f.enqueue(items[i], k, f.seq)
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
	f.seq++
	f.markSeen(k, f.seq, &s)
	f.record(op{kind: opClaim, seen: k, lkey: seqKeyOf(f.seq)})
	return true, nil
}

// unclaim forgets URLs marked seen by Claim. It must be called with f.mu
// held. The Bloom filter keeps them: a URL it has seen is looked up.
func (f *Frontier) unclaim(urls []string) {
	for _, u := range urls {
		k := keyOf(u)
		// A URL not in the log is in a run; seq 0 is no log entry.
		seq := f.log[k]
		delete(f.log, k)
		f.pending.unseen[k] = struct{}{}
		f.record(op{kind: opUnclaim, seen: k, lkey: seqKeyOf(seq)})
		f.seen--
	}
}

// isSeen reports whether k is in the seen set. A URL the Bloom filter has
// not seen is new; for the others, which are mostly URLs seen before and
// about 1% of new ones, the log in memory, the URLs forgotten since the
// last commit, and then the runs on disk decide. It must be called with
// f.mu held: the check and the markSeen that follows it are one step.
func (f *Frontier) isSeen(k seenKey, s *seenCheck) (bool, error) {
	// The log holds every URL marked seen and not sorted into a run, its
	// entry committed or not. It is asked first: most links are to URLs
	// seen lately, which the log answers with one look-up where the
	// Bloom filter would read several places in memory to say "maybe".
	if _, ok := f.log[k]; ok {
		return true, nil
	}
	if !f.bloom.Test(k[:]) {
		return false, nil
	}
	// A URL forgotten may still be in a run on disk.
	for _, b := range []*batch{f.pending, f.committing} {
		if b == nil {
			continue
		}
		if _, ok := b.unseen[k]; ok {
			return false, nil
		}
	}
	if _, err := s.begin(f.db); err != nil {
		return false, err
	}
	return s.inRuns(k)
}

// markSeen adds k to the seen set, as the log entry seq. The caller
// records the operation that writes it. It must be called with f.mu held.
func (f *Frontier) markSeen(k seenKey, seq uint64, s *seenCheck) {
	f.log[k] = seq
	delete(f.pending.unseen, k)
	f.seen++
	if f.seen > f.bloomCap {
		f.growBloom(s)
	}
	f.bloom.Add(k[:])
}

// forgetLog drops from the log in memory the entries up to seq, which a
// commit has sorted into a run. It must be called with f.mu held.
func (f *Frontier) forgetLog(seq uint64) {
	// A new map: maps do not shrink.
	log := make(map[seenKey]uint64)
	for k, s := range f.log {
		if s > seq {
			log[k] = s
		}
	}
	f.log = log
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
	// The runs as of s.tx, and the log in memory: together they hold
	// every URL seen, whatever was committed since s.tx began, because
	// the log in memory loses entries only when f.mu is free.
	tx, err := s.begin(f.db)
	if err == nil {
		err = forEachSeen(tx, s.runs, func(k seenKey) { b.Add(k[:]) })
	}
	if err != nil {
		f.bloomCap = n // do not try again at every URL
		return
	}
	for k := range f.log {
		b.Add(k[:])
	}
	f.bloom, f.bloomCap = b, n
}
