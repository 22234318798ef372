package redisfrontier

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/crawl-go/crawl/frontier"
)

// addBatch is the number of items Add sends in one script call: each item
// is marked seen and queued in one step, but a long Add does not hold the
// server for the whole of it.
const addBatch = 256

// Add implements frontier.Frontier. Each item's URL is marked seen and the
// item queued in one atomic step on the server, so two processes adding the
// same URL at once queue it once. A negative depth is stored as 0.
func (f *Frontier) Add(ctx context.Context, items ...frontier.Item) (int, error) {
	if _, err := f.check(); err != nil {
		return 0, err
	}
	added := 0
	for len(items) > 0 {
		n := min(len(items), addBatch)
		args := make([]any, 0, 1+4*n)
		args = append(args, f.prefix)
		for _, it := range items[:n] {
			args = append(args, it.URL, strconv.Itoa(max(it.Depth, 0)), it.Host, encode(it))
		}
		// Retried: a second run of a batch whose reply was lost queues
		// nothing again (its URLs are seen), only counts them as not
		// new.
		var k int
		err := f.retry(ctx, time.Time{}, func(ctx context.Context) error {
			var err error
			k, err = addScript.Run(ctx, f.client, f.keys, args...).Int()
			return err
		})
		if err != nil {
			return added, f.fail("adding to frontier", err)
		}
		added += k
		items = items[n:]
	}
	if added > 0 {
		f.wakeWaiters()
	}
	return added, nil
}

// AddWithin implements frontier.Shared: Add, but an item is queued only
// while fewer than budget items were ever queued in the crawl (the
// "added" counter, which Add raises too), checked and counted in the same
// step as the item is marked seen and queued, so that processes adding at
// once never queue more than budget together. A duplicate item in one call is
// counted once. The items go in batches, as Add sends them.
func (f *Frontier) AddWithin(ctx context.Context, budget int64, items ...frontier.Item) (added, over int, err error) {
	if _, err := f.check(); err != nil {
		return 0, 0, err
	}
	for len(items) > 0 {
		n := min(len(items), addBatch)
		args := make([]any, 0, 2+4*n)
		args = append(args, f.prefix, budget)
		for _, it := range items[:n] {
			args = append(args, it.URL, strconv.Itoa(max(it.Depth, 0)), it.Host, encode(it))
		}
		var res []int64
		err := f.retry(ctx, time.Time{}, func(ctx context.Context) error {
			var err error
			res, err = addWithinScript.Run(ctx, f.client, f.keys, args...).Int64Slice()
			return err
		})
		if err != nil {
			return added, over, f.fail("adding to frontier within the budget", err)
		}
		if len(res) != 2 {
			return added, over, fmt.Errorf("redisfrontier: unexpected add reply of %d values", len(res))
		}
		added += int(res[0])
		over += int(res[1])
		items = items[n:]
	}
	if added > 0 {
		f.wakeWaiters()
	}
	return added, over, nil
}

// Claim implements frontier.Frontier.
func (f *Frontier) Claim(ctx context.Context, url string) (bool, error) {
	if _, err := f.check(); err != nil {
		return false, err
	}
	n, err := f.client.SAdd(ctx, f.prefix+"seen", url).Result()
	if err != nil {
		return false, f.fail(fmt.Sprintf("claiming %s", url), err)
	}
	return n == 1, nil
}

// wakeWaiters wakes the Next calls waiting for an item, unless f is
// closed.
func (f *Frontier) wakeWaiters() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.broadcast()
	}
}
