package disk

import (
	"bytes"
	"context"
	"fmt"
	"math"

	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/frontier/internal/roundrobin"
)

// This file holds the queue: every queued item is on disk (or in a batch
// on its way there); a window of each level's items is also in memory, in
// per-host FIFO queues served round robin as in frontier.Memory. Next
// serves from the window and refills it from disk.

// level holds the queue of one depth.
type level struct {
	queued int // items queued at this depth, in the window or not
	leased int
	// window holds the items in memory, by host, served round robin: the
	// oldest items of each host, in sequence order.
	window roundrobin.Queues[entry, hostMeta]
	// resume is the host part of the queue key where the next refill
	// starts, so that refills go round the hosts too.
	resume []byte
	// stalled is the generation of the pending batch when a refill last
	// found fewer items than it could take: some are in batches not yet
	// committed, and refilling again before they are would find nothing.
	stalled uint64
}

// windowed is the number of items of the level in the window.
func (l *level) windowed() int { return l.window.Len() }

// hostMeta is what the window knows of a host's queue at one depth.
type hostMeta struct {
	lastSeq uint64 // sequence number of the last item loaded or skipped
	// complete reports whether the window holds all the items the host
	// has queued at this depth, so that items added for it can go to the
	// window and keep their order.
	complete bool
}

// hostQueue is the window's queue of one host at one depth.
type hostQueue = roundrobin.Queue[entry, hostMeta]

type entry struct {
	it  frontier.Item
	seq uint64
}

func (f *Frontier) level(depth int) *level {
	for len(f.levels) <= depth {
		f.levels = append(f.levels, &level{})
	}
	return f.levels[depth]
}

// enqueue queues an item that has just been marked seen as the log entry
// seq, which is also its sequence number in the queue. It must be called
// with f.mu held.
func (f *Frontier) enqueue(it frontier.Item, k seenKey, seq uint64) {
	it.Depth = min(max(it.Depth, 0), math.MaxInt32)
	l := f.level(it.Depth)
	host := keyHost(it.Host)
	// One allocation for the key and the value.
	buf := make([]byte, 0, depthLen+1+len(host)+seqLen+16+len(it.URL)+len(it.Parent))
	buf = appendQueueKey(buf, it.Depth, host, seq)
	n := len(buf)
	buf = appendItem(buf, &it)
	f.record(op{kind: opAdd, seen: k, lkey: seqKeyOf(seq), qkey: buf[:n:n], val: buf[n:]})
	onlyOnDisk := l.queued - l.windowed()
	l.queued++
	f.queued++
	q := l.window.Get(host)
	switch {
	case l.windowed() >= f.cacheItems:
		if q != nil {
			q.Meta.complete = false
		}
	case q == nil && onlyOnDisk == 0:
		// Nothing of this depth is only on disk, so nothing of this
		// host is.
		q = l.window.Push(host, entry{it, seq})
		q.Meta = hostMeta{lastSeq: seq, complete: true}
	case q != nil && q.Meta.complete:
		l.window.Push(host, entry{it, seq})
		q.Meta.lastSeq = seq
	}
}

// pop takes the next item of the window round robin over its hosts;
// l.windowed() > 0. A host whose window queue empties is dropped: its next
// items, if any, are loaded from disk.
func (l *level) pop() entry {
	e, q, _ := l.window.Pop()
	l.queued--
	if l.windowed() == 0 {
		// The next refill starts with the host after this one.
		l.resume, _ = after(append([]byte{byte(len(q.Key))}, q.Key...))
	}
	return e
}

// Next implements frontier.Frontier.
func (f *Frontier) Next(ctx context.Context) (frontier.Item, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		// A cancelled caller gets nothing, even when items are queued:
		// an interrupted crawl must not start new work.
		if err := ctx.Err(); err != nil {
			return frontier.Item{}, err
		}
		if err := f.usable(); err != nil {
			return frontier.Item{}, err
		}
		it, ok, err := f.take()
		if err != nil {
			return frontier.Item{}, err
		}
		if ok {
			return it, nil
		}
		if f.queued == 0 && f.leased == 0 {
			return frontier.Item{}, frontier.ErrDone
		}
		if err := f.wait(ctx); err != nil {
			return frontier.Item{}, err
		}
	}
}

// take leases the next item if the level rule allows one. It must be called
// with f.mu held.
func (f *Frontier) take() (frontier.Item, bool, error) {
	for d, l := range f.levels {
		if l.queued == 0 {
			if l.leased > 0 {
				// Deeper items wait until this level is finished: its
				// links may reach them by a shorter path.
				return frontier.Item{}, false, nil
			}
			continue
		}
		uncommitted := len(f.pending.ops) > 0 || f.committing != nil
		low := l.windowed() == 0 || l.windowed() < f.cacheItems/2 && l.queued > l.windowed()
		if low && (!uncommitted || l.stalled <= f.committed) {
			if err := f.refill(d, l); err != nil {
				f.err = err
				return frontier.Item{}, false, err
			}
			if l.windowed() < min(l.queued, f.cacheItems) {
				l.stalled = f.pending.gen
			}
		}
		if l.windowed() == 0 {
			if !uncommitted {
				f.err = fmt.Errorf("%d items queued at depth %d, none on disk: %w", l.queued, d, errCorrupt)
				return frontier.Item{}, false, f.err
			}
			// They are all in batches not yet committed.
			signal(f.hurry)
			return frontier.Item{}, false, nil
		}
		e := l.pop()
		f.queued--
		l.leased++
		f.leased++
		f.leases[e.it.URL] = &lease{key: queueKey(d, keyHost(e.it.Host), e.seq), depth: d}
		return e.it, true, nil
	}
	return frontier.Item{}, false, nil
}

// refill loads items of depth d from disk into the window, up to
// CacheItems. It goes round the level's hosts from where the last refill
// stopped, taking up to perHost items of each per round, so that the
// window holds many hosts. It must be called with f.mu held.
func (f *Frontier) refill(d int, l *level) error {
	room := f.cacheItems - l.windowed()
	if room <= 0 {
		return nil
	}
	tx, err := f.db.Begin(false)
	if err != nil {
		return fmt.Errorf("reading queue at depth %d: %w", d, err)
	}
	defer tx.Rollback()
	c := tx.Bucket(bucketQueue).Cursor()
	prefix := depthPrefix(d)
	// inLevel keeps the cursor's key if it is of depth d.
	inLevel := func(k, v []byte) ([]byte, []byte) {
		if !bytes.HasPrefix(k, prefix) {
			return nil, nil
		}
		return k, v
	}
	seek := func(k []byte) ([]byte, []byte) { return inLevel(c.Seek(k)) }
	// nextHost seeks to the first key after the host of hostPrefix.
	nextHost := func(hostPrefix []byte) ([]byte, []byte) {
		k, ok := after(hostPrefix)
		if !ok {
			return nil, nil
		}
		return seek(k)
	}
	for room > 0 {
		loaded := 0
		// A round: from resume to the end of the level, then from the
		// start of the level to resume.
		k, v := seek(append(prefix, l.resume...))
		wrapped := len(l.resume) == 0
		for room > 0 {
			if k == nil {
				if wrapped {
					break
				}
				wrapped = true
				k, v = seek(prefix)
				continue
			}
			_, hostPart, seq, err := splitKey(k)
			if err != nil {
				return err
			}
			if wrapped && len(l.resume) > 0 && bytes.Compare(hostPart, l.resume) >= 0 {
				break // round the level
			}
			hostPrefix := k[:len(k)-seqLen]
			q := l.window.Get(string(hostPart[1:]))
			switch {
			case q != nil && q.Meta.complete:
				k, v = nextHost(hostPrefix)
				continue
			case q != nil && seq <= q.Meta.lastSeq:
				// Skip what the window holds of the host.
				k, v = seek(queueKey(d, q.Key, q.Meta.lastSeq+1))
				if k == nil || !bytes.HasPrefix(k, hostPrefix) {
					q.Meta.complete = true
					continue
				}
			}
			var n int
			k, v, n, err = f.loadHost(c, d, l, q, hostPrefix, k, v, room)
			if err != nil {
				return fmt.Errorf("reading queue at depth %d: %w", d, err)
			}
			k, v = inLevel(k, v)
			room -= n
			loaded += n
			if room == 0 {
				// The next refill starts with the next host.
				l.resume = nil
				if next, ok := after(hostPart); ok {
					l.resume = next
				}
			}
			if k != nil && bytes.HasPrefix(k, hostPrefix) {
				k, v = nextHost(hostPrefix)
			}
		}
		if loaded == 0 {
			break
		}
	}
	return nil
}

// loadHost loads up to perHost items of one host and depth into the window,
// starting at k, and returns the cursor's position after them and how many
// it loaded. The host's queue is marked complete when the host has no more
// items. Leased items, which stay on disk until their Done is committed,
// are skipped.
func (f *Frontier) loadHost(c interface{ Next() ([]byte, []byte) }, d int, l *level, q *hostQueue, hostPrefix, k, v []byte, room int) ([]byte, []byte, int, error) {
	n := 0
	for n < min(f.perHost, room) {
		_, hostPart, seq, err := splitKey(k)
		if err != nil {
			return nil, nil, n, err
		}
		it := frontier.Item{Depth: d}
		if err := decodeItem(v, &it); err != nil {
			return nil, nil, n, err
		}
		switch leased := f.leases[it.URL] != nil; {
		case leased && q != nil:
			q.Meta.lastSeq = seq
		case !leased:
			host := string(hostPart[1:])
			if len(hostPart) > 1 && it.Host == "" {
				it.Host = host // else the value holds a long host
			}
			q = l.window.Push(host, entry{it, seq})
			q.Meta.lastSeq = seq
			n++
		}
		k, v = c.Next()
		if k == nil || !bytes.HasPrefix(k, hostPrefix) {
			if q != nil {
				q.Meta.complete = true
			}
			break
		}
	}
	return k, v, n, nil
}

// Done implements frontier.Frontier. The item leaves the queue on disk, and
// is counted done, with the batch the call is committed in;
// until then a crash queues it again. Done returns an error wrapping
// ErrNotLeased if the item is not leased.
func (f *Frontier) Done(_ context.Context, it frontier.Item) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.usable(); err != nil {
		return err
	}
	ls := f.leases[it.URL]
	if ls == nil || ls.done {
		return fmt.Errorf("ending the lease of %s: %w", it.URL, ErrNotLeased)
	}
	ls.done = true
	f.record(op{kind: opDone, qkey: ls.key})
	f.pending.done = append(f.pending.done, it.URL)
	l := f.levels[ls.depth]
	l.leased--
	f.leased--
	f.done++
	if l.leased == 0 {
		f.broadcast() // the next level, or ErrDone, may now be handed out
	}
	return nil
}

// Release implements frontier.Frontier. The item never left the queue on
// disk; it goes back to the window if its host has items there, in order,
// and is otherwise loaded by a later refill. The URLs of unclaim leave the
// seen set with the next batch. Release returns an error wrapping
// ErrNotLeased if the item is not leased.
func (f *Frontier) Release(ctx context.Context, it frontier.Item, unclaim ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.usable(); err != nil {
		return err
	}
	ls := f.leases[it.URL]
	if ls == nil || ls.done {
		return fmt.Errorf("releasing the lease of %s: %w", it.URL, ErrNotLeased)
	}
	delete(f.leases, it.URL)
	_, hostPart, seq, err := splitKey(ls.key)
	if err != nil {
		return fmt.Errorf("releasing the lease of %s: %w", it.URL, err)
	}
	l := f.levels[ls.depth]
	onlyOnDisk := l.queued - l.windowed()
	l.leased--
	f.leased--
	l.queued++
	f.queued++
	host := string(hostPart[1:])
	e := entry{it, seq}
	switch q := l.window.Get(host); {
	case q != nil:
		// Back in sequence order.
		l.window.Insert(q, e, func(o entry) bool { return o.seq >= seq })
		q.Meta.lastSeq = max(q.Meta.lastSeq, seq)
	case onlyOnDisk == 0 && l.windowed() < f.cacheItems:
		// Everything of this depth is in the window, so the host has
		// nothing else queued.
		q = l.window.Push(host, e)
		q.Meta = hostMeta{lastSeq: seq, complete: true}
	}
	if len(unclaim) > 0 {
		f.unclaim(unclaim)
	}
	f.broadcast()
	return nil
}

// Counts implements frontier.Frontier.
func (f *Frontier) Counts(context.Context) (frontier.Counts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.usable(); err != nil {
		return frontier.Counts{}, err
	}
	return frontier.Counts{Queued: f.queued, Leased: f.leased}, nil
}
