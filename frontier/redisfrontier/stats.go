package redisfrontier

import (
	"context"
	"fmt"
	"strings"

	"github.com/crawl-go/crawl/frontier"
)

// Stats is a snapshot of a crawl's frontier, taken in one step.
type Stats struct {
	// Queued is the number of items queued for each host, over all depths.
	Queued map[string]int64
	// Leased is the number of items handed out and not yet done, over all
	// processes, including leases that ran out and are not re-queued yet.
	Leased int64
	// Done is the number of items marked done, each counted once.
	Done int64
	// Reclaimed is the number of leases that ran out and whose items were
	// queued again: a measure of the work done twice.
	Reclaimed int64
	// Seen is the number of URLs added or claimed.
	Seen int64
}

// Stats returns a snapshot of the crawl's frontier, as shared by all its
// processes. It takes time in the number of hosts queued.
func (f *Frontier) Stats(ctx context.Context) (Stats, error) {
	if _, err := f.check(); err != nil {
		return Stats{}, err
	}
	res, err := statsScript.Run(ctx, f.client, f.keys, f.prefix).Slice()
	if err != nil {
		return Stats{}, f.fail("reading stats", err)
	}
	if len(res) < 4 || len(res)%2 != 0 {
		return Stats{}, fmt.Errorf("redisfrontier: unexpected stats reply of %d values", len(res))
	}
	num := func(v any) int64 { n, _ := v.(int64); return n }
	s := Stats{
		Queued:    make(map[string]int64),
		Leased:    num(res[0]),
		Done:      num(res[1]),
		Reclaimed: num(res[2]),
		Seen:      num(res[3]),
	}
	for i := 4; i < len(res); i += 2 {
		h, _ := res[i].(string)
		s.Queued[h] += num(res[i+1])
	}
	return s, nil
}

// Counts implements frontier.Frontier: the queued and leased items of the
// whole shared crawl.
func (f *Frontier) Counts(ctx context.Context) (frontier.Counts, error) {
	if _, err := f.check(); err != nil {
		return frontier.Counts{}, err
	}
	res, err := countsScript.Run(ctx, f.client, f.keys, f.prefix).Int64Slice()
	if err != nil {
		return frontier.Counts{}, f.fail("counting items", err)
	}
	if len(res) != 2 {
		return frontier.Counts{}, fmt.Errorf("redisfrontier: unexpected counts reply of %d values", len(res))
	}
	return frontier.Counts{Queued: int(res[0]), Leased: int(res[1])}, nil
}

// Delete removes every key of the crawl from Redis: its seen set, queues,
// leases and counters. It is meant for a crawl that no process is using;
// keys written by other processes while it runs may survive it. The
// Frontier stays open, on an empty crawl.
func (f *Frontier) Delete(ctx context.Context) error {
	if _, err := f.check(); err != nil {
		return err
	}
	iter := f.client.Scan(ctx, 0, globEscape(f.prefix)+"*", 500).Iterator()
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := f.client.Unlink(ctx, batch...).Err()
		batch = batch[:0]
		return err
	}
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := flush(); err != nil {
				return f.fail("deleting crawl", err)
			}
		}
	}
	if err := iter.Err(); err != nil {
		return f.fail("listing crawl keys", err)
	}
	if err := flush(); err != nil {
		return f.fail("deleting crawl", err)
	}
	f.mu.Lock()
	clear(f.held)
	f.mu.Unlock()
	return nil
}

// globEscape escapes the characters special in a SCAN MATCH pattern.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// QueuedByHost counts the queued items of each host of the shared crawl.
func (f *Frontier) QueuedByHost(ctx context.Context) (map[string]int64, error) {
	s, err := f.Stats(ctx)
	if err != nil {
		return nil, err
	}
	return s.Queued, nil
}
