package disk

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/crawl-go/crawl/frontier"
)

// TestReopen checks what a reopened database holds, after Close and after
// a crash: the state as of the last commit, with leases ended.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// end ends the first frontier and returns the database to reopen.
		end func(t *testing.T, f *Frontier, path string) string
		// lost reports whether the operations after the last Flush are
		// lost.
		lost bool
	}{
		{"close", func(t *testing.T, f *Frontier, path string) string {
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			return path
		}, false},
		{"crash after a commit", func(t *testing.T, f *Frontier, path string) string {
			if err := f.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			crashed := filepath.Join(t.TempDir(), "crashed.db")
			copyFile(t, path, crashed)
			return crashed
		}, false},
		{"crash before a commit", func(t *testing.T, f *Frontier, path string) string {
			crashed := filepath.Join(t.TempDir(), "crashed.db")
			copyFile(t, path, crashed)
			return crashed
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			// An hour's BatchDelay: only Flush and Close commit.
			f := openT(t, Options{Path: path, BatchDelay: time.Hour, CacheItems: 2})
			add := func(items ...frontier.Item) {
				t.Helper()
				if n, err := f.Add(ctx, items...); n != len(items) || err != nil {
					t.Fatalf("Add = %d, %v; want %d", n, err, len(items))
				}
			}
			next := func(want string) frontier.Item {
				t.Helper()
				it, err := f.Next(ctx)
				if err != nil || it.URL != want {
					t.Fatalf("Next = %s, %v; want %s", it.URL, err, want)
				}
				return it
			}
			done := func(it frontier.Item) {
				t.Helper()
				if err := f.Done(ctx, it); err != nil {
					t.Fatal(err)
				}
			}

			// Committed by the Flush below: a seed done, its links of
			// which one is done, one leased and the rest queued, and a
			// claim.
			add(item("a", "/", 0))
			root := next("http://a/")
			add(item("a", "/1", 1), item("b", "/1", 1), item("a", "/2", 1), item("c", "/1", 1), item("b", "/2", 1))
			done(root)
			a1 := next("http://a/1")
			b1 := next("http://b/1")
			add(item("a", "/deep", 2))
			done(a1)
			if ok, err := f.Claim(ctx, "http://r/1"); !ok || err != nil {
				t.Fatalf("Claim = %v, %v", ok, err)
			}
			if err := f.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			// Not committed before a crash: b1 done, another claim and
			// link.
			done(b1)
			add(item("d", "/1", 1))
			f.Claim(ctx, "http://r/2")

			wantQueued := []string{"http://a/2", "http://b/2", "http://c/1", "http://d/1", "http://a/deep"}
			wantSeen := []string{"http://a/", "http://a/1", "http://b/1", "http://r/1", "http://r/2", "http://d/1"}
			wantDone := 3
			if tc.lost {
				wantQueued = []string{"http://a/2", "http://b/1", "http://b/2", "http://c/1", "http://a/deep"}
				wantSeen = wantSeen[:4]
				wantDone = 2
			}

			g := openT(t, Options{Path: tc.end(t, f, path), CacheItems: 2})
			if q, l, d, err := g.Stats(); q != len(wantQueued) || l != 0 || d != wantDone || err != nil {
				t.Fatalf("Stats = %d queued, %d leased, %d done, %v; want %d, 0, %d, nil", q, l, d, err, len(wantQueued), wantDone)
			}
			for _, u := range wantSeen {
				if ok, err := g.Claim(ctx, u); ok || err != nil {
					t.Errorf("Claim(%s) = %v, %v; want false: it was seen", u, ok, err)
				}
			}
			if tc.lost {
				for _, u := range []string{"http://d/1", "http://r/2"} {
					if ok, err := g.Claim(ctx, u); !ok || err != nil {
						t.Errorf("Claim(%s) = %v, %v; want true: it was lost", u, ok, err)
					}
				}
			}
			got := drain(t, g)
			// The level order holds; within depth 1 the order is the
			// refill's.
			if got[len(got)-1] != "http://a/deep" {
				t.Errorf("last handed out %s; want http://a/deep", got[len(got)-1])
			}
			slices.Sort(got)
			slices.Sort(wantQueued)
			if !slices.Equal(got, wantQueued) {
				t.Fatalf("queued after reopening = %v; want %v", got, wantQueued)
			}
		})
	}
}
