// Package frontiertest checks that an implementation of frontier.Frontier
// keeps the interface's contract, so the in-memory, on-disk and shared
// frontiers all behave alike.
package frontiertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crawl-go/crawl/frontier"
)

// Run checks the behaviour every frontier.Frontier must have: atomic
// dedup, Claim, leases and the exact end of a crawl, level order, context
// cancellation, Close, and a concurrent crawl of a generated graph in
// which every item is handed out exactly once. newFrontier returns a new,
// empty frontier each time it is called, and arranges for it to be closed
// (t.Cleanup); tests may also close it themselves.
func Run(t *testing.T, newFrontier func(t *testing.T) frontier.Frontier) {
	ctx := context.Background()
	item := func(host, path string) frontier.Item { return frontier.Item{URL: "http://" + host + path, Host: host} }

	t.Run("dedup", func(t *testing.T) {
		f := newFrontier(t)
		n, err := f.Add(ctx, item("a", "/1"), item("a", "/1"), item("a", "/2"))
		if err != nil || n != 2 {
			t.Fatalf("Add = %d, %v; want 2, nil", n, err)
		}
		n, _ = f.Add(ctx, item("a", "/2"), item("a", "/3"))
		if n != 1 {
			t.Fatalf("second Add = %d; want 1", n)
		}
		if ok, _ := f.Claim(ctx, "http://a/3"); ok {
			t.Error("Claim of a queued URL reported it new")
		}
		if ok, _ := f.Claim(ctx, "http://a/4"); !ok {
			t.Error("Claim of an unseen URL reported it seen")
		}
		if n, _ := f.Add(ctx, item("a", "/4")); n != 0 {
			t.Error("Add queued a claimed URL")
		}
	})

	t.Run("queued by host counts what is queued, not what is leased", func(t *testing.T) {
		f := newFrontier(t)
		hc, ok := f.(frontier.HostCounter)
		if !ok {
			t.Skip("the frontier does not count by host")
		}
		f.Add(ctx, item("a", "/1"), item("a", "/2"), item("b", "/1"))
		it, err := f.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fl, ok := f.(interface{ Flush(context.Context) error }); ok {
			// A frontier that batches its writes counts what it wrote.
			if err := fl.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string]int64{"a": 2, "b": 1}
		if want[it.Host]--; want[it.Host] == 0 {
			delete(want, it.Host)
		}
		got, err := hc.QueuedByHost(ctx)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("QueuedByHost = %v, %v with %s leased; want %v", got, err, it.URL, want)
		}
	})

	t.Run("empty frontier is done", func(t *testing.T) {
		f := newFrontier(t)
		if _, err := f.Next(ctx); !errors.Is(err, frontier.ErrDone) {
			t.Fatalf("Next on empty frontier = %v; want frontier.ErrDone", err)
		}
	})

	t.Run("not done while leased", func(t *testing.T) {
		f := newFrontier(t)
		f.Add(ctx, item("a", "/1"))
		it, err := f.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan error, 1)
		go func() {
			_, err := f.Next(ctx)
			got <- err
		}()
		select {
		case err := <-got:
			t.Fatalf("Next returned %v while an item was leased", err)
		case <-time.After(20 * time.Millisecond):
		}
		if err := f.Done(ctx, it); err != nil {
			t.Fatal(err)
		}
		if err := <-got; !errors.Is(err, frontier.ErrDone) {
			t.Fatalf("Next after the last Done = %v; want frontier.ErrDone", err)
		}
	})

	t.Run("links added before done wake a waiting Next", func(t *testing.T) {
		f := newFrontier(t)
		f.Add(ctx, item("a", "/1"))
		parent, _ := f.Next(ctx)
		got := make(chan frontier.Item, 1)
		go func() {
			it, err := f.Next(ctx)
			if err != nil {
				t.Error(err)
			}
			got <- it
		}()
		f.Add(ctx, frontier.Item{URL: "http://a/child", Host: "a", Depth: 1, Parent: parent.URL})
		f.Done(ctx, parent)
		if it := <-got; it.URL != "http://a/child" || it.Depth != 1 || it.Parent != "http://a/1" {
			t.Fatalf("Next = %+v", it)
		}
	})

	t.Run("cancelled Next", func(t *testing.T) {
		f := newFrontier(t)
		f.Add(ctx, item("a", "/1"))
		f.Next(ctx)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := f.Next(cctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Next with a cancelled context = %v", err)
		}
	})

	t.Run("cancelled Next takes nothing although items are queued", func(t *testing.T) {
		f := newFrontier(t)
		f.Add(ctx, item("a", "/1"), item("a", "/2"))
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if it, err := f.Next(cctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Next with a cancelled context = %+v, %v; want context.Canceled", it, err)
		}
		if c, err := f.Counts(ctx); err != nil || c != (frontier.Counts{Queued: 2}) {
			t.Fatalf("Counts = %+v, %v; want 2 queued, none leased", c, err)
		}
	})

	t.Run("release queues the item again", func(t *testing.T) {
		f := newFrontier(t)
		f.Add(ctx, item("a", "/1"), item("b", "/1"))
		first, err := f.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := f.Counts(ctx); c != (frontier.Counts{Queued: 1, Leased: 1}) {
			t.Fatalf("Counts with one leased = %+v", c)
		}
		if err := f.Release(ctx, first); err != nil {
			t.Fatal(err)
		}
		if c, _ := f.Counts(ctx); c != (frontier.Counts{Queued: 2}) {
			t.Fatalf("Counts after Release = %+v; want 2 queued", c)
		}
		if err := f.Done(ctx, first); err == nil {
			t.Error("Done of a released item succeeded")
		}
		got := map[string]int{}
		for range 2 {
			it, err := f.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got[it.URL]++
			if err := f.Done(ctx, it); err != nil {
				t.Fatal(err)
			}
		}
		if got[first.URL] != 1 || len(got) != 2 {
			t.Fatalf("handed out after Release: %v", got)
		}
		if _, err := f.Next(ctx); !errors.Is(err, frontier.ErrDone) {
			t.Fatalf("Next after every Done = %v; want frontier.ErrDone", err)
		}
	})

	t.Run("release forgets the claims it names", func(t *testing.T) {
		f := newFrontier(t)
		f.Add(ctx, item("a", "/from"))
		it, _ := f.Next(ctx)
		for _, u := range []string{"http://a/to", "http://a/kept"} {
			if ok, err := f.Claim(ctx, u); !ok || err != nil {
				t.Fatalf("Claim(%s) = %v, %v", u, ok, err)
			}
		}
		if err := f.Release(ctx, it, "http://a/to"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := f.Claim(ctx, "http://a/to"); !ok {
			t.Error("a URL released with its item is still seen")
		}
		if ok, _ := f.Claim(ctx, "http://a/kept"); ok {
			t.Error("a claim not named by Release was forgotten")
		}
		if n, _ := f.Add(ctx, item("a", "/from")); n != 0 {
			t.Error("the released item itself is no longer seen")
		}
	})

	t.Run("release without a lease fails", func(t *testing.T) {
		f := newFrontier(t)
		if err := f.Release(ctx, item("a", "/1")); err == nil {
			t.Fatal("Release of an item never handed out succeeded")
		}
	})

	t.Run("close wakes Next", func(t *testing.T) {
		f := newFrontier(t)
		f.Add(ctx, item("a", "/1"))
		f.Next(ctx)
		got := make(chan error, 1)
		go func() {
			_, err := f.Next(ctx)
			got <- err
		}()
		f.Close()
		if err := <-got; !errors.Is(err, frontier.ErrClosed) {
			t.Fatalf("Next after Close = %v; want frontier.ErrClosed", err)
		}
	})

	t.Run("concurrent crawl of a generated graph ends exactly", func(t *testing.T) {
		// 2,000 nodes over 5 hosts, each linking to 3 others: every node is
		// handed out exactly once and every worker sees frontier.ErrDone.
		const nodes, workers = 2000, 8
		f := newFrontier(t)
		url := func(i int) frontier.Item {
			h := fmt.Sprintf("h%d", i%5)
			return frontier.Item{URL: fmt.Sprintf("http://%s/%d", h, i), Host: h}
		}
		f.Add(ctx, url(0))
		var handed [nodes]atomic.Int32
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					it, err := f.Next(ctx)
					if errors.Is(err, frontier.ErrDone) {
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					var i int
					fmt.Sscanf(it.URL[len("http://h0/"):], "%d", &i)
					handed[i].Add(1)
					f.Add(ctx, url((i*7+1)%nodes), url((i*13+5)%nodes), url((i+1)%nodes))
					f.Done(ctx, it)
				}
			}()
		}
		wg.Wait()
		for i := range handed {
			if n := handed[i].Load(); n != 1 {
				t.Fatalf("node %d handed out %d times", i, n)
			}
		}
	})

	t.Run("level order", func(t *testing.T) {
		// A deeper item is not handed out while a shallower one is leased, so
		// a short path found late still gives a URL its smallest depth.
		ctx := context.Background()
		m := newFrontier(t)
		defer m.Close()
		m.Add(ctx, frontier.Item{URL: "http://a/slow", Host: "a", Depth: 1}, frontier.Item{URL: "http://a/fast", Host: "a", Depth: 1})
		slow, _ := m.Next(ctx)
		fast, _ := m.Next(ctx)
		// fast finishes first and links to x at depth 2.
		m.Add(ctx, frontier.Item{URL: "http://a/x", Host: "a", Depth: 2, Parent: fast.URL})
		m.Done(ctx, fast)
		got := make(chan frontier.Item, 1)
		go func() {
			it, _ := m.Next(ctx)
			got <- it
		}()
		select {
		case it := <-got:
			t.Fatalf("Next handed out %s while depth 1 was leased", it.URL)
		case <-time.After(20 * time.Millisecond):
		}
		m.Add(ctx, frontier.Item{URL: "http://a/y", Host: "a", Depth: 2, Parent: slow.URL})
		m.Done(ctx, slow)
		if it := <-got; it.URL != "http://a/x" {
			t.Fatalf("Next = %s; want http://a/x", it.URL)
		}

	})
}
