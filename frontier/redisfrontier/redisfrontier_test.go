package redisfrontier

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/frontier/frontiertest"
)

func TestContract(t *testing.T) {
	frontiertest.Run(t, func(t *testing.T) frontier.Frontier {
		return open(t, Options{})
	})
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		opts Options
	}{
		{"empty crawl id", Options{URL: "redis://127.0.0.1:1/0"}},
		{"brace in crawl id", Options{URL: "redis://127.0.0.1:1/0", CrawlID: "a{b"}},
		{"bad url", Options{URL: "http://x", CrawlID: "a"}},
		{"negative lease", Options{URL: "redis://127.0.0.1:1/0", CrawlID: "a", Lease: -time.Second}},
		{"negative poll", Options{URL: "redis://127.0.0.1:1/0", CrawlID: "a", Poll: -time.Second}},
		{"no server", Options{URL: "redis://127.0.0.1:1/0?max_retries=-1", CrawlID: "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Open(ctx, tt.opts)
			if err == nil {
				f.Close()
				t.Fatal("Open succeeded")
			}
		})
	}
}

// TestThreeProcesses drains a generated graph with three frontiers on one
// crawl, as three processes would: every URL is handed out exactly once
// and every worker of every frontier sees ErrDone.
func TestThreeProcesses(t *testing.T) {
	const nodes, perProcess = 600, 3
	ctx := context.Background()
	first := open(t, Options{Poll: 5 * time.Millisecond})
	fs := []*Frontier{first}
	for range 2 {
		fs = append(fs, open(t, Options{CrawlID: first.prefix[len("crawl:{") : len(first.prefix)-2], Poll: 5 * time.Millisecond}))
	}
	item := func(i, depth int, parent string) frontier.Item {
		h := fmt.Sprintf("h%d", i%4)
		return frontier.Item{URL: fmt.Sprintf("http://%s/%d", h, i), Host: h, Depth: depth, Parent: parent}
	}
	if _, err := first.Add(ctx, item(0, 0, "")); err != nil {
		t.Fatal(err)
	}
	var handed [nodes]atomic.Int32
	var ended atomic.Int32
	var wg sync.WaitGroup
	for _, f := range fs {
		for range perProcess {
			wg.Go(func() {
				for {
					it, err := f.Next(ctx)
					if errors.Is(err, frontier.ErrDone) {
						ended.Add(1)
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					var i int
					fmt.Sscanf(it.URL[len("http://h0/"):], "%d", &i)
					handed[i].Add(1)
					if _, err := f.Add(ctx, item((i*7+1)%nodes, it.Depth+1, it.URL), item((i*13+5)%nodes, it.Depth+1, it.URL), item((i+1)%nodes, it.Depth+1, it.URL)); err != nil {
						t.Error(err)
					}
					if err := f.Done(ctx, it); err != nil {
						t.Error(err)
					}
				}
			})
		}
	}
	wg.Wait()
	if n := ended.Load(); n != 3*perProcess {
		t.Errorf("%d workers saw ErrDone; want %d", n, 3*perProcess)
	}
	for i := range handed {
		if n := handed[i].Load(); n != 1 {
			t.Fatalf("node %d handed out %d times", i, n)
		}
	}
	s, err := fs[1].Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Done != nodes || s.Seen != nodes || s.Leased != 0 || len(s.Queued) != 0 || s.Reclaimed != 0 {
		t.Errorf("Stats = %+v; want %d done and seen, nothing else", s, nodes)
	}
}

// TestLeaseExpiry has one frontier take items and die without calling
// Done: another frontier gets them back once their lease runs out.
func TestLeaseExpiry(t *testing.T) {
	ctx := context.Background()
	const lease = 200 * time.Millisecond
	dead := open(t, Options{Lease: lease, Poll: 10 * time.Millisecond})
	id := dead.prefix[len("crawl:{") : len(dead.prefix)-2]
	alive := open(t, Options{CrawlID: id, Lease: lease, Poll: 10 * time.Millisecond})

	var items []frontier.Item
	for i := range 5 {
		items = append(items, frontier.Item{URL: fmt.Sprintf("http://a/%d", i), Host: "a"})
	}
	items = append(items, frontier.Item{URL: "http://b/deep", Host: "b", Depth: 1})
	if n, err := dead.Add(ctx, items...); err != nil || n != len(items) {
		t.Fatalf("Add = %d, %v", n, err)
	}
	var taken []frontier.Item
	for range 3 {
		it, err := dead.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		taken = append(taken, it)
	}
	// The dead frontier's process is gone: it never calls Done again.

	start := time.Now()
	got := map[string]int{}
	var order []string
	for {
		it, err := alive.Next(ctx)
		if errors.Is(err, frontier.ErrDone) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[it.URL]++
		order = append(order, it.URL)
		if err := alive.Done(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	if time.Since(start) < lease/2 {
		t.Errorf("ErrDone after %v, before the leases ran out", time.Since(start))
	}
	for _, it := range items {
		if got[it.URL] != 1 {
			t.Errorf("%s handed out %d times to the live frontier", it.URL, got[it.URL])
		}
	}
	if order[len(order)-1] != "http://b/deep" {
		t.Errorf("order %v: the deeper item was handed out before the depth 0 leases ended", order)
	}

	// The slow process comes back: its Done does nothing, and counts nothing.
	for _, it := range taken {
		if err := dead.Done(ctx, it); err != nil {
			t.Errorf("late Done(%s) = %v; want nil", it.URL, err)
		}
	}
	s, err := alive.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Done != int64(len(items)) || s.Reclaimed != int64(len(taken)) || s.Leased != 0 {
		t.Errorf("Stats = %+v; want %d done, %d reclaimed, 0 leased", s, len(items), len(taken))
	}
}

// TestLateDoneAfterRelease checks that the first holder of a lease that ran
// out does not end the lease of the new holder.
func TestLateDoneAfterRelease(t *testing.T) {
	ctx := context.Background()
	slow := open(t, Options{Lease: 100 * time.Millisecond, Poll: 10 * time.Millisecond})
	id := slow.prefix[len("crawl:{") : len(slow.prefix)-2]
	other := open(t, Options{CrawlID: id, Lease: time.Minute, Poll: 10 * time.Millisecond})
	slow.Add(ctx, frontier.Item{URL: "http://a/1", Host: "a"})
	first, err := slow.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second, err := other.Next(ctx) // waits for the lease to run out
	if err != nil || second.URL != first.URL {
		t.Fatalf("Next = %v, %v; want %s again", second, err, first.URL)
	}
	if err := slow.Done(ctx, first); err != nil {
		t.Fatal(err)
	}
	if s, _ := other.Stats(ctx); s.Leased != 1 || s.Done != 0 {
		t.Fatalf("after the late Done: Stats = %+v; want the new lease kept", s)
	}
	if err := slow.Done(ctx, first); !errors.Is(err, ErrNotLeased) {
		t.Errorf("second Done = %v; want ErrNotLeased", err)
	}
	if err := other.Done(ctx, second); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Next(ctx); !errors.Is(err, frontier.ErrDone) {
		t.Fatalf("Next = %v; want ErrDone", err)
	}
}

// TestCloseReleasesLeases checks that items leased and not done are queued
// again when their frontier closes, without waiting for the lease.
func TestCloseReleasesLeases(t *testing.T) {
	ctx := context.Background()
	a := open(t, Options{})
	id := a.prefix[len("crawl:{") : len(a.prefix)-2]
	b := open(t, Options{CrawlID: id})
	a.Add(ctx, frontier.Item{URL: "http://a/1", Host: "a"}, frontier.Item{URL: "http://a/2", Host: "a"})
	it, err := a.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// Lease is a minute: the item is back only if Close released it.
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for range 2 {
		got, err := b.Next(cctx)
		if err != nil {
			t.Fatal(err)
		}
		b.Done(ctx, got)
		if got.URL == it.URL {
			return
		}
	}
	t.Fatalf("%s not handed out again after Close", it.URL)
}

func TestStats(t *testing.T) {
	ctx := context.Background()
	f := open(t, Options{})
	f.Add(ctx,
		frontier.Item{URL: "http://a/1", Host: "a"},
		frontier.Item{URL: "http://a/2", Host: "a"},
		frontier.Item{URL: "http://b/1", Host: "b"},
		frontier.Item{URL: "http://a/3", Host: "a", Depth: 1},
		frontier.Item{URL: "http://c/1", Host: "c", Depth: 2},
	)
	f.Claim(ctx, "http://d/redirected")
	step := func() {
		t.Helper()
		it, err := f.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Done(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		steps int // items taken and done before the snapshot
		lease bool
		want  Stats
	}{
		{"fresh", 0, false, Stats{Queued: map[string]int64{"a": 3, "b": 1, "c": 1}, Seen: 6}},
		{"one leased", 0, true, Stats{Queued: map[string]int64{"a": 2, "b": 1, "c": 1}, Leased: 1, Seen: 6}},
		{"two done", 1, false, Stats{Queued: map[string]int64{"a": 2, "c": 1}, Done: 2, Seen: 6}},
		{"four done", 2, false, Stats{Queued: map[string]int64{"c": 1}, Done: 4, Seen: 6}},
		{"all done", 1, false, Stats{Queued: map[string]int64{}, Done: 5, Seen: 6}},
	}
	var leased *frontier.Item
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if leased != nil {
				f.Done(ctx, *leased)
				leased = nil
			}
			for range tt.steps {
				step()
			}
			if tt.lease {
				it, err := f.Next(ctx)
				if err != nil {
					t.Fatal(err)
				}
				leased = &it
			}
			got, err := f.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Stats = %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestItemRoundTrip(t *testing.T) {
	ctx := context.Background()
	f := open(t, Options{})
	want := frontier.Item{URL: "http://a/<x> \"y\":9:\xff\n", Host: "a:8080", Depth: 3, Parent: "http://a/p", Requisite: true}
	f.Add(ctx, want, frontier.Item{URL: "http://a/neg", Host: "", Depth: -2})
	for _, w := range []frontier.Item{{URL: "http://a/neg"}, want} {
		got, err := f.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != w {
			t.Errorf("Next = %+v; want %+v", got, w)
		}
		if err := f.Done(ctx, got); err != nil {
			t.Fatal(err)
		}
		if s, _ := f.Stats(ctx); s.Leased != 0 {
			t.Errorf("Done(%q) left the lease: %+v", got.URL, s)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	tests := []string{"", "x", "3:ab", "1:a1:b", "1:a1:b1:x0:1:0", "1:a1:b1:00:1:0extra", "-1:a"}
	for _, s := range tests {
		t.Run(s, func(t *testing.T) {
			if it, err := decode(s); err == nil {
				t.Errorf("decode(%q) = %+v, nil; want an error", s, it)
			}
		})
	}
}

func FuzzEncode(f *testing.F) {
	f.Add("http://a/1", "a", 2, "http://a/", true)
	f.Add("", "", 0, "", false)
	f.Fuzz(func(t *testing.T, url, host string, depth int, parent string, req bool) {
		it := frontier.Item{URL: url, Host: host, Depth: max(depth, 0), Parent: parent, Requisite: req}
		got, err := decode(encode(it))
		if err != nil || got != it {
			t.Fatalf("decode(encode(%+v)) = %+v, %v", it, got, err)
		}
	})
}
