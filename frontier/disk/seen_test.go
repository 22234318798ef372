package disk

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/crawl-go/crawl/frontier"
)

// TestSeenSet adds and claims URLs through a seen set whose log, chunks
// and merge steps are tiny, so that most URLs are sorted into runs and
// merged many times, and forgets claims that are in the log, in runs and
// in runs being merged. After each round it checks the runs on disk and
// that exactly the URLs not forgotten are seen, in this process and after
// a reopen.
func TestSeenSet(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"small", Options{logMax: 16, chunkKeys: 3, mergeKeys: 5}},
		{"one key per chunk and step", Options{logMax: 4, chunkKeys: 1, mergeKeys: 1}},
		{"defaults", Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Path = filepath.Join(t.TempDir(), "state.db")
			opts.BatchDelay = -1
			opts.ExpectedURLs = 16
			f := openT(t, opts)
			seen := map[string]bool{}
			var claimed []string
			url := func(i int) string { return fmt.Sprintf("http://h%d/%d", i%5, i) }
			const rounds, perRound = 8, 150
			for r := range rounds {
				// A page of links, some seen before.
				for i := r * perRound; i < (r+1)*perRound; i += 10 {
					var items []frontier.Item
					for j := i; j < i+10; j++ {
						items = append(items, frontier.Item{URL: url(j), Host: fmt.Sprintf("h%d", j%5), Depth: 1})
					}
					items = append(items, frontier.Item{URL: url(i / 2), Depth: 1})
					n, err := f.Add(ctx, items...)
					if err != nil || n != 10 {
						t.Fatalf("Add of 10 new URLs and one seen = %d, %v", n, err)
					}
					for _, it := range items {
						seen[it.URL] = true
					}
					c := fmt.Sprintf("http://r/%d", i)
					if ok, err := f.Claim(ctx, c); !ok || err != nil {
						t.Fatalf("Claim(%s) = %v, %v", c, ok, err)
					}
					seen[c] = true
					claimed = append(claimed, c)
				}
				// Forget claims: the latest (in the log), and older ones
				// (in runs, perhaps being merged).
				it, err := f.Next(ctx)
				if err != nil {
					t.Fatal(err)
				}
				forget := []string{claimed[len(claimed)-1], claimed[len(claimed)/2], claimed[r]}
				if err := f.Release(ctx, it, forget...); err != nil {
					t.Fatal(err)
				}
				for _, u := range forget {
					delete(seen, u)
				}
				if err := f.Flush(ctx); err != nil {
					t.Fatal(err)
				}
				checkRuns(t, f, len(seen))
			}
			// check claims the forgotten URLs again, and returns how
			// many.
			check := func(f *Frontier) int {
				t.Helper()
				again := 0
				for i := range rounds * perRound {
					if n, err := f.Add(ctx, frontier.Item{URL: url(i), Depth: 1}); n != 0 || err != nil {
						t.Fatalf("Add(%s) = %d, %v; want 0: it was seen", url(i), n, err)
					}
				}
				for _, c := range claimed {
					ok, err := f.Claim(ctx, c)
					if err != nil || ok == seen[c] {
						t.Fatalf("Claim(%s) = %v, %v; want %v", c, ok, err, !seen[c])
					}
					if ok {
						again++
					}
				}
				return again
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			g := openT(t, opts)
			checkRuns(t, g, len(seen))
			again := check(g)
			if err := g.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			checkRuns(t, g, len(seen)+again)
		})
	}
}

// TestLogTrim checks that the log entries sorted into a run are deleted a
// few per commit, and are not seen twice meanwhile, in this process or
// after a reopen.
func TestLogTrim(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	opts := Options{Path: path, BatchDelay: time.Hour, logMax: 64, chunkKeys: 5, mergeKeys: 1}
	f := openT(t, opts)
	var items []frontier.Item
	for i := range 70 {
		items = append(items, item("a", fmt.Sprintf("/%d", i), 1))
	}
	commit := func(f *Frontier, items ...frontier.Item) {
		t.Helper()
		if n, err := f.Add(ctx, items...); n != len(items) || err != nil {
			t.Fatalf("Add = %d, %v; want %d", n, err, len(items))
		}
		if err := f.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// 60 keys in the log; then 10 more fill it: the commit sorts the 70
	// into a run and deletes 2×10+1 of their log entries.
	commit(f, items[:60]...)
	commit(f, items[60:]...)
	if got := logEntries(t, f); got != 49 {
		t.Fatalf("%d log entries after the freeze; want the 49 not deleted yet", got)
	}
	checkRuns(t, f, 70)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f = openT(t, opts)
	checkRuns(t, f, 70)
	if n, err := f.Add(ctx, items...); n != 0 || err != nil {
		t.Fatalf("Add of seen items after reopening = %d, %v", n, err)
	}
	// Commits that log nothing delete one entry each.
	for i := range 49 {
		it, err := f.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Done(ctx, it); err != nil {
			t.Fatal(err)
		}
		if err := f.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := logEntries(t, f); got != 49-i-1 {
			t.Fatalf("%d log entries after %d commits; want %d", got, i+1, 49-i-1)
		}
	}
	checkRuns(t, f, 70)
}

// logEntries returns the number of entries in the log, obsolete or not.
func logEntries(t *testing.T, f *Frontier) int {
	t.Helper()
	n := 0
	err := f.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketLog).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkRuns checks the seen set on disk, as of the last commit: it holds
// want keys, each once (the log's obsolete entries aside); the runs are sorted, their chunks bounded by their
// keys and their sizes as listed; there are about log2 of the seen set's
// size over logMax of them; the only runs not listed are the output of the
// merge under way and the dead ones. The committer must be idle.
func checkRuns(t *testing.T, f *Frontier, want int) {
	t.Helper()
	err := f.db.View(func(tx *bolt.Tx) error {
		runs, err := liveRuns(tx)
		if err != nil {
			return err
		}
		total := 0
		all := map[seenKey]bool{}
		rb := tx.Bucket(bucketRuns)
		for _, r := range runs {
			b := rb.Bucket(runName(r.id))
			if b == nil {
				return fmt.Errorf("run %d listed and missing", r.id)
			}
			var prev []byte
			n := 0
			err := b.ForEach(func(bound, chunk []byte) error {
				if len(chunk) == 0 || len(chunk)%seenKeyLen != 0 {
					return fmt.Errorf("run %d: chunk of %d bytes", r.id, len(chunk))
				}
				if last := chunk[len(chunk)-seenKeyLen:]; bytes.Compare(bound, last) < 0 {
					return fmt.Errorf("run %d: chunk key %x below its last key %x", r.id, bound, last)
				}
				for ; len(chunk) > 0; chunk = chunk[seenKeyLen:] {
					k := chunk[:seenKeyLen]
					if prev != nil && bytes.Compare(prev, k) >= 0 {
						return fmt.Errorf("run %d: %x after %x", r.id, k, prev)
					}
					if all[seenKey(k)] {
						return fmt.Errorf("run %d: %x in another run", r.id, k)
					}
					all[seenKey(k)] = true
					prev = k
					n++
				}
				return nil
			})
			if err != nil {
				return err
			}
			if uint64(n) != r.n {
				return fmt.Errorf("run %d holds %d keys; listed with %d", r.id, n, r.n)
			}
			total += n
		}
		frozen, err := frozenSeq(tx)
		if err != nil {
			return err
		}
		err = tx.Bucket(bucketLog).ForEach(func(k, v []byte) error {
			if binary.BigEndian.Uint64(k) <= frozen {
				return nil // obsolete: sorted into a run
			}
			if all[seenKey(v)] {
				return fmt.Errorf("%x in the log and in a run", v)
			}
			all[seenKey(v)] = true
			total++
			return nil
		})
		if err != nil {
			return err
		}
		if total != want {
			return fmt.Errorf("seen set holds %d keys; want %d", total, want)
		}
		// Runs double in size from the newest to the oldest, but for
		// the pair being merged; each run holds up to logMax keys more
		// than a power of two times logMax, for the keys forgotten.
		logMax := f.disk.logMax
		if limit := bits.Len(uint(want/logMax)) + 2; len(runs) > limit {
			return fmt.Errorf("%d runs for %d keys sorted by %d", len(runs), want, logMax)
		}
		return rb.ForEachBucket(func(k []byte) error {
			id := binary.BigEndian.Uint64(k)
			for _, r := range runs {
				if r.id == id {
					return nil
				}
			}
			if m := f.disk.merge; m != nil && m.out == id || slices.Contains(f.disk.dead, id) {
				return nil
			}
			return fmt.Errorf("run %d neither live, nor being merged into, nor dead", id)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMigrateV1 opens a database of layout 1, written here as that layout
// was: its seen set becomes a run, its count of states done the count of
// items done, and its queue is handed out as before.
func TestMigrateV1(t *testing.T) {
	ctx := context.Background()
	for _, mergeKeys := range []int{1, 3, 1000} {
		t.Run(fmt.Sprint("merge keys ", mergeKeys), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			queued := []frontier.Item{item("a", "/q1", 1), item("b", "/q2", 1), item("a", "/q3", 2)}
			states := map[string]byte{"http://a/": 'd', "http://a/d": 'd', "http://r/c": 'c'}
			for _, it := range queued {
				states[it.URL] = 'q'
			}
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(func(tx *bolt.Tx) error {
				meta, _ := tx.CreateBucket(bucketMeta)
				seen, _ := tx.CreateBucket(bucketSeenV1)
				queue, _ := tx.CreateBucket(bucketQueue)
				meta.Put(keyVersion, []byte{1})
				for u, s := range states {
					k := keyOf(u)
					seen.Put(k[:], []byte{s})
				}
				for i, it := range queued {
					queue.Put(queueKey(it.Depth, it.Host, uint64(i+1)), appendItem(nil, &it))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			db.Close()

			f := openT(t, Options{Path: path, chunkKeys: 2, mergeKeys: mergeKeys})
			if q, l, d, err := f.Stats(); q != 3 || l != 0 || d != 2 || err != nil {
				t.Fatalf("Stats = %d queued, %d leased, %d done, %v; want 3, 0, 2, nil", q, l, d, err)
			}
			checkRuns(t, f, len(states))
			for u := range states {
				if ok, err := f.Claim(ctx, u); ok || err != nil {
					t.Errorf("Claim(%s) = %v, %v; want false: it was seen", u, ok, err)
				}
			}
			if n, err := f.Add(ctx, item("a", "/new", 1)); n != 1 || err != nil {
				t.Fatalf("Add of a new URL = %d, %v", n, err)
			}
			got := drain(t, f)
			want := []string{"http://a/q1", "http://b/q2", "http://a/new", "http://a/q3"}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("handed out %v; want %v", got, want)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			c := dump(t, path)
			if len(c.seen) != len(states)+1 || c.done != 6 || len(c.queue) != 0 {
				t.Fatalf("after the migration and the crawl: %d seen, %d done, %d queued; want %d, 6, 0", len(c.seen), c.done, len(c.queue), len(states)+1)
			}
		})
	}
}
