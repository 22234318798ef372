package redisfrontier

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/crawl-go/crawl/frontier"
)

// TestKeepSettings checks that the first frontier of a crawl stores its
// settings and every later one gets them back, unchanged.
func TestKeepSettings(t *testing.T) {
	ctx := context.Background()
	a := open(t, Options{})
	b := open(t, Options{CrawlID: idOf(a)})
	if got, err := a.Settings(ctx); err != nil || got != nil {
		t.Fatalf("Settings of a new crawl = %q, %v; want nil", got, err)
	}
	kept, stored, err := a.KeepSettings(ctx, []byte("first"))
	if err != nil || !stored || string(kept) != "first" {
		t.Fatalf("the first KeepSettings = %q, %v, %v; want first, true", kept, stored, err)
	}
	kept, stored, err = b.KeepSettings(ctx, []byte("second"))
	if err != nil || stored || string(kept) != "first" {
		t.Fatalf("a later KeepSettings = %q, %v, %v; want first, false", kept, stored, err)
	}
	if got, err := b.Settings(ctx); err != nil || string(got) != "first" {
		t.Fatalf("Settings = %q, %v; want first", got, err)
	}
}

// TestAddWithin checks that frontiers adding at once within one budget
// queue no more than the budget together, that Add's items count, and
// that URLs seen before are not refused.
func TestAddWithin(t *testing.T) {
	ctx := context.Background()
	a := open(t, Options{})
	id := idOf(a)
	if _, err := a.Add(ctx, frontier.Item{URL: "http://h/seed", Host: "h"}); err != nil {
		t.Fatal(err)
	}
	const budget = 10
	var mu sync.Mutex
	added, over := 0, 0
	var wg sync.WaitGroup
	for p := range 4 {
		f := open(t, Options{CrawlID: id})
		wg.Go(func() {
			for i := range 20 {
				n, o, err := f.AddWithin(ctx, budget, frontier.Item{URL: fmt.Sprintf("http://h/%d/%d", p, i), Host: "h", Depth: 1})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				added, over = added+n, over+o
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if added != budget-1 || over != 80-(budget-1) {
		t.Errorf("added %d and refused %d of 80 within a budget of %d with a seed; want %d and %d", added, over, budget, budget-1, 80-(budget-1))
	}
	n, o, err := a.AddWithin(ctx, budget, frontier.Item{URL: "http://h/seed", Host: "h"})
	if err != nil || n != 0 || o != 0 {
		t.Errorf("AddWithin of a URL seen before = %d, %d, %v; want 0, 0", n, o, err)
	}
}

// idOf returns the crawl id of f, to open another frontier on its crawl.
func idOf(f *Frontier) string {
	return strings.TrimSuffix(strings.TrimPrefix(f.KeyPrefix(), "crawl:{"), "}:")
}
