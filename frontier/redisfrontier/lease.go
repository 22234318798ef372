package redisfrontier

import (
	"context"
	"fmt"
	"time"

	"github.com/crawl-go/crawl/frontier"
)

// reclaimBatch is the most expired leases one call of Next re-queues; the
// next calls take the rest.
const reclaimBatch = 100

// Next implements frontier.Frontier. Before leasing, it re-queues the items
// whose lease ran out, so that the items of a process that died are handed
// out again without a background goroutine. While the items it could hand
// out are held back by leases (of this or other processes) it waits,
// asking the server again every Options.Poll, or at once when an item is
// added or a lease ended through this Frontier, or when the earliest lease
// runs out.
func (f *Frontier) Next(ctx context.Context) (frontier.Item, error) {
	for {
		if err := ctx.Err(); err != nil {
			return frontier.Item{}, err
		}
		wake, err := f.check()
		if err != nil {
			return frontier.Item{}, err
		}
		tok := f.token()
		var res []any
		var taken time.Time
		err = f.retry(ctx, time.Time{}, func(ctx context.Context) error {
			// A retry after a reply lost on the way leases another
			// item: the first one's lease runs out and it is handed
			// out again.
			taken = time.Now()
			var err error
			res, err = nextScript.Run(ctx, f.client, f.keys, f.prefix, f.lease.Milliseconds(), tok, reclaimBatch).Slice()
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return frontier.Item{}, ctx.Err()
			}
			return frontier.Item{}, f.fail("leasing from frontier", err)
		}
		wait := f.poll
		switch code, _ := res[0].(int64); code {
		case 0:
			return frontier.Item{}, frontier.ErrDone
		case 1:
			s, _ := res[1].(string)
			it, err := decode(s)
			if err != nil {
				return frontier.Item{}, err
			}
			f.mu.Lock()
			if f.held != nil { // else Close released the others; this one will run out
				f.held[it.URL] = append(f.held[it.URL], heldLease{tok, taken.Add(f.lease)})
			}
			f.mu.Unlock()
			return it, nil
		case 2:
			if ms, _ := res[1].(int64); time.Duration(ms)*time.Millisecond < wait {
				wait = time.Duration(ms+1) * time.Millisecond
			}
		default:
			return frontier.Item{}, fmt.Errorf("redisfrontier: unexpected reply %v", res)
		}
		t := time.NewTimer(wait)
		select {
		case <-wake:
		case <-t.C:
		case <-f.done:
			t.Stop()
			return frontier.Item{}, frontier.ErrClosed
		case <-ctx.Done():
			t.Stop()
			return frontier.Item{}, ctx.Err()
		}
		t.Stop()
	}
}

// Done implements frontier.Frontier. If the item's lease ran out before
// Done (the fetch took longer than Options.Lease), the item was queued
// again and may have been handed out again, here or in another process:
// Done then does nothing and returns nil, the item is not counted done
// twice, and the lease of whoever holds it now is left alone. It returns
// an error wrapping ErrNotLeased for an item this Frontier did not hand
// out, or already marked done.
func (f *Frontier) Done(ctx context.Context, it frontier.Item) error {
	// The oldest token first: if this Frontier holds the URL twice, the
	// older lease is the one that ran out, so the first Done is the one
	// that does nothing.
	l, err := f.takeToken(it.URL)
	if err != nil {
		return err
	}
	// Retried while the lease lasts: the script does nothing once it has
	// ended the lease, so running it twice (a reply lost) is harmless.
	err = f.retry(ctx, l.until, func(ctx context.Context) error {
		return doneScript.Run(ctx, f.client, f.keys, f.prefix, it.URL, l.token).Err()
	})
	f.mu.Lock()
	if !f.closed {
		f.broadcast() // the next level, or ErrDone, may be handed out
	}
	f.mu.Unlock()
	if err != nil {
		// The lease stays, and runs out: the item is handed out again.
		return f.fail(fmt.Sprintf("marking %s done", it.URL), err)
	}
	return nil
}

// Release implements frontier.Frontier. If the item's lease ran out before
// Release, the item was queued again already and Release only forgets the
// URLs of unclaim. It returns an error wrapping ErrNotLeased for an item
// this Frontier did not hand out, or already marked done or released.
func (f *Frontier) Release(ctx context.Context, it frontier.Item, unclaim ...string) error {
	l, err := f.takeToken(it.URL)
	if err != nil {
		return err
	}
	args := make([]any, 0, 3+len(unclaim))
	args = append(args, f.prefix, it.URL, l.token)
	for _, u := range unclaim {
		args = append(args, u)
	}
	// Retried while the lease lasts: a second run requeues nothing (the
	// lease is no longer this one's), and forgets the unclaimed URLs
	// again, which only matters if another process claimed one of them
	// in between (it may then be fetched twice).
	err = f.retry(ctx, l.until, func(ctx context.Context) error {
		return releaseScript.Run(ctx, f.client, f.keys, args...).Err()
	})
	f.mu.Lock()
	if !f.closed {
		f.broadcast()
	}
	f.mu.Unlock()
	if err != nil {
		// The lease stays, and runs out: the item is handed out again.
		return f.fail(fmt.Sprintf("releasing %s", it.URL), err)
	}
	return nil
}

// takeToken removes and returns the oldest lease this Frontier holds for
// url: if it holds the URL twice, the older lease is the one that ran out.
func (f *Frontier) takeToken(url string) (heldLease, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return heldLease{}, frontier.ErrClosed
	}
	tokens := f.held[url]
	if len(tokens) == 0 {
		return heldLease{}, fmt.Errorf("%w for %s", ErrNotLeased, url)
	}
	tok := tokens[0]
	if len(tokens) == 1 {
		delete(f.held, url)
	} else {
		f.held[url] = tokens[1:]
	}
	return tok, nil
}
