package disk

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/frontier/frontiertest"
)

func TestContract(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"defaults", Options{}},
		// A window of 3 items keeps most of the queue on disk only, and a
		// filter sized for 8 URLs sends most lookups to the disk.
		{"tiny window and filter", Options{CacheItems: 3, ExpectedURLs: 8, BatchDelay: -1}},
		// Items that do not fit in the window can only be refilled once
		// committed: Next must hurry the committer.
		{"commits only when hurried", Options{CacheItems: 3, BatchDelay: time.Hour}},
		// A seen set that is mostly in runs, merged a few keys at a time.
		{"tiny seen set parts", Options{ExpectedURLs: 8, BatchDelay: -1, logMax: 4, chunkKeys: 3, mergeKeys: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frontiertest.Run(t, func(t *testing.T) frontier.Frontier { return openT(t, tc.opts) })
		})
	}
}

func TestRoundRobin(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		cacheItems int
		want       string
	}{
		// Everything fits in the window: served as frontier.Memory does.
		{"in memory", 100, "[a/1 b/1 c/1 a/2 b/2 a/3]"},
		// One item at a time comes from disk, in key order: hosts round
		// robin, each host in order.
		{"from disk", 1, "[a/1 b/1 c/1 a/2 b/2 a/3]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := openT(t, Options{CacheItems: tc.cacheItems, BatchDelay: -1})
			for _, u := range []string{"a/1", "a/2", "a/3", "b/1", "c/1", "b/2"} {
				if _, err := f.Add(ctx, frontier.Item{URL: "http://" + u, Host: u[:1]}); err != nil {
					t.Fatal(err)
				}
			}
			// A refill sees only committed items: a batch still on its
			// way to disk would be loaded by a later refill, out of the
			// round robin's order.
			if err := f.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			var got []string
			for range 6 {
				it, err := f.Next(ctx)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, it.URL[len("http://"):])
			}
			if fmt.Sprint(got) != tc.want {
				t.Fatalf("order = %v; want %s", got, tc.want)
			}
			if q, l, d, err := f.Stats(); q != 0 || l != 6 || d != 0 || err != nil {
				t.Fatalf("Stats = %d queued, %d leased, %d done, %v; want 0, 6, 0, nil", q, l, d, err)
			}
		})
	}
}

// TestWindow crawls levels much larger than the window, over many hosts,
// and checks that every item is handed out once, in level order and in
// order within its host.
func TestWindow(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		opts  Options
		hosts int
	}{
		{"one host", Options{CacheItems: 16}, 1},
		{"few hosts", Options{CacheItems: 16}, 3},
		{"more hosts than the window", Options{CacheItems: 16}, 40},
		{"window of one", Options{CacheItems: 1, BatchDelay: -1}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := openT(t, tc.opts)
			const perLevel = 300
			// Each level is added in two halves: one before the level
			// above is handed out, one while it is.
			var want []string
			add := func(depth, from, to int) {
				var items []frontier.Item
				for i := from; i < to; i++ {
					items = append(items, item(fmt.Sprintf("h%d", i%tc.hosts), fmt.Sprintf("/%d/%d", depth, i), depth))
				}
				n, err := f.Add(ctx, items...)
				if err != nil || n != len(items) {
					t.Fatalf("Add = %d, %v; want %d", n, err, len(items))
				}
				for _, it := range items {
					want = append(want, it.URL)
				}
			}
			add(0, 0, perLevel)
			add(1, 0, perLevel/2)
			last := map[string]int{} // host -> last index handed out at this depth
			depth, handed := 0, 0
			for {
				it, err := f.Next(ctx)
				if errors.Is(err, frontier.ErrDone) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				var d, i int
				fmt.Sscanf(it.URL[len("http://"+it.Host):], "/%d/%d", &d, &i)
				if d != it.Depth || d < depth {
					t.Fatalf("%s at depth %d after depth %d", it.URL, it.Depth, depth)
				}
				if d > depth {
					depth = d
					clear(last)
				}
				if p, ok := last[it.Host]; ok && p >= i {
					t.Fatalf("%s after item %d of its host", it.URL, p)
				}
				last[it.Host] = i
				handed++
				if depth == 0 && handed == perLevel/2 {
					add(1, perLevel/2, perLevel)
				}
				if err := f.Done(ctx, it); err != nil {
					t.Fatal(err)
				}
			}
			if handed != len(want) {
				t.Fatalf("handed out %d items; want %d", handed, len(want))
			}
			if q, l, d, _ := f.Stats(); q != 0 || l != 0 || d != len(want) {
				t.Fatalf("Stats = %d queued, %d leased, %d done; want 0, 0, %d", q, l, d, len(want))
			}
		})
	}
}

func TestBloomFalsePositivesAndGrowth(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	// A small log: most URLs are in runs.
	f := openT(t, Options{Path: path, ExpectedURLs: 4, BatchDelay: -1, logMax: 50, chunkKeys: 7})
	const n = 2000
	var items []frontier.Item
	for i := range n {
		items = append(items, item(fmt.Sprintf("h%d", i%3), fmt.Sprintf("/%d", i), 0))
	}
	// Add in small calls, with commits between, so that lookups go to the
	// log in memory and to runs on disk.
	for i := 0; i < n; i += 7 {
		got, err := f.Add(ctx, items[i:min(i+7, n)]...)
		if err != nil || got != min(7, n-i) {
			t.Fatalf("Add of new items = %d, %v", got, err)
		}
		if i%70 == 0 {
			if got, err := f.Add(ctx, items[:i+1]...); got != 0 || err != nil {
				t.Fatalf("Add of seen items = %d, %v", got, err)
			}
		}
	}
	if f.bloomCap < n {
		t.Errorf("Bloom filter sized for %d URLs after %d", f.bloomCap, n)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f = openT(t, Options{Path: path, ExpectedURLs: 4, logMax: 50, chunkKeys: 7})
	if f.bloomCap < 2*n {
		t.Errorf("reopened Bloom filter sized for %d URLs; want %d", f.bloomCap, 2*n)
	}
	if got, err := f.Add(ctx, items...); got != 0 || err != nil {
		t.Fatalf("Add of seen items after reopening = %d, %v", got, err)
	}
	if got, err := f.Add(ctx, item("new", "/", 0)); got != 1 || err != nil {
		t.Fatalf("Add of a new item after reopening = %d, %v", got, err)
	}
}

func TestLongHost(t *testing.T) {
	ctx := context.Background()
	long := string(slices.Repeat([]byte("x"), 300))
	path := filepath.Join(t.TempDir(), "state.db")
	f := openT(t, Options{Path: path, CacheItems: 1})
	want := []frontier.Item{
		{URL: "http://" + long + "/1", Host: long, Parent: "http://p/", Requisite: true},
		{URL: "http://" + long + "/2", Host: long},
		{URL: "http://" + long + "y/1", Host: long + "y"},
	}
	if _, err := f.Add(ctx, want...); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f = openT(t, Options{Path: path, CacheItems: 1})
	var got []frontier.Item
	for range want {
		it, err := f.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, it)
	}
	slices.SortFunc(got, func(a, b frontier.Item) int { return cmpString(a.URL, b.URL) })
	if !slices.Equal(got, want) {
		t.Fatalf("items = %+v; want %+v", got, want)
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("done without a lease", func(t *testing.T) {
		f := openT(t, Options{})
		f.Add(ctx, item("a", "/", 0))
		if err := f.Done(ctx, item("a", "/", 0)); !errors.Is(err, ErrNotLeased) {
			t.Fatalf("Done of a queued item = %v; want ErrNotLeased", err)
		}
		it, _ := f.Next(ctx)
		if err := f.Done(ctx, it); err != nil {
			t.Fatal(err)
		}
		if err := f.Done(ctx, it); !errors.Is(err, ErrNotLeased) {
			t.Fatalf("second Done = %v; want ErrNotLeased", err)
		}
	})
	t.Run("locked", func(t *testing.T) {
		f := openT(t, Options{})
		if g, err := Open(Options{Path: f.db.Path()}); !errors.Is(err, ErrLocked) {
			if g != nil {
				g.Close()
			}
			t.Fatalf("second Open = %v; want ErrLocked", err)
		}
	})
	t.Run("closed", func(t *testing.T) {
		f := openT(t, Options{})
		f.Add(ctx, item("a", "/1", 0), item("a", "/2", 0))
		it, _ := f.Next(ctx)
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		_, _, _, statsErr := f.Stats()
		_, addErr := f.Add(ctx, item("a", "/3", 0))
		_, claimErr := f.Claim(ctx, "http://a/4")
		_, nextErr := f.Next(ctx)
		for name, err := range map[string]error{
			"Add":   addErr,
			"Claim": claimErr,
			"Next":  nextErr,
			"Done":  f.Done(ctx, it),
			"Flush": f.Flush(ctx),
			"Stats": statsErr,
		} {
			if !errors.Is(err, frontier.ErrClosed) {
				t.Errorf("%s after Close = %v; want frontier.ErrClosed", name, err)
			}
		}
		if err := f.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
	})
	t.Run("not a frontier", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.db")
		f := openT(t, Options{Path: path})
		f.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyVersion, []byte{99}) })
		f.Close()
		if _, err := Open(Options{Path: path}); !errors.Is(err, errCorrupt) {
			t.Fatalf("Open of another layout = %v; want errCorrupt", err)
		}
	})
}
