package disk

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/crawl-go/crawl/frontier"
)

// TestRelease releases items with a window much smaller than the queue, in
// every position a released item can go back to (a host with items in the
// window, a host with none, a host whose items are only on disk), and
// checks that every item is then handed out exactly once, in this process
// and after a reopen.
func TestRelease(t *testing.T) {
	for _, tt := range []struct {
		name   string
		reopen bool
	}{{"in one process", false}, {"after a reopen", true}} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "state.db")
			f, err := Open(Options{Path: path, CacheItems: 4})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { f.Close() }()
			const perHost = 10
			var all []frontier.Item
			for _, h := range []string{"a", "b", "c"} {
				for i := range perHost {
					all = append(all, item(h, fmt.Sprintf("/%d", i), 0))
				}
			}
			if n, err := f.Add(ctx, all...); n != len(all) || err != nil {
				t.Fatalf("Add = %d, %v", n, err)
			}
			// Lease six, finish two, release four in an order unlike
			// the order they were handed out in.
			var leased []frontier.Item
			for range 6 {
				it, err := f.Next(ctx)
				if err != nil {
					t.Fatal(err)
				}
				leased = append(leased, it)
			}
			done := map[string]bool{}
			for _, it := range leased[:2] {
				if err := f.Done(ctx, it); err != nil {
					t.Fatal(err)
				}
				done[it.URL] = true
			}
			for _, i := range []int{5, 2, 4, 3} {
				if err := f.Release(ctx, leased[i]); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.Release(ctx, leased[2]); !errors.Is(err, ErrNotLeased) {
				t.Errorf("second Release = %v; want ErrNotLeased", err)
			}
			if c, _ := f.Counts(ctx); c != (frontier.Counts{Queued: len(all) - 2}) {
				t.Fatalf("Counts = %+v; want %d queued", c, len(all)-2)
			}
			if tt.reopen {
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
				if f, err = Open(Options{Path: path, CacheItems: 4}); err != nil {
					t.Fatal(err)
				}
			}
			handed := map[string]int{}
			for {
				it, err := f.Next(ctx)
				if errors.Is(err, frontier.ErrDone) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				handed[it.URL]++
				if err := f.Done(ctx, it); err != nil {
					t.Fatal(err)
				}
			}
			for _, it := range all {
				want := 1
				if done[it.URL] {
					want = 0
				}
				if handed[it.URL] != want {
					t.Errorf("%s handed out %d times; want %d", it.URL, handed[it.URL], want)
				}
			}
		})
	}
}

// TestReleaseUnclaimSurvivesReopen checks that a claim forgotten by Release
// is forgotten on disk too, and that one not named stays.
func TestReleaseUnclaimSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	f, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	f.Add(ctx, item("a", "/from", 0))
	it, _ := f.Next(ctx)
	f.Claim(ctx, "http://a/to")
	f.Claim(ctx, "http://a/kept")
	if err := f.Release(ctx, it, "http://a/to"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f, err = Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if ok, _ := f.Claim(ctx, "http://a/to"); !ok {
		t.Error("the released claim is still seen after a reopen")
	}
	if ok, _ := f.Claim(ctx, "http://a/kept"); ok {
		t.Error("the kept claim was forgotten after a reopen")
	}
	if c, _ := f.Counts(ctx); c.Queued != 1 {
		t.Errorf("Counts = %+v; want the released item queued", c)
	}
}
