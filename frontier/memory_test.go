package frontier_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/frontier/frontiertest"
)

func TestMemory(t *testing.T) {
	frontiertest.Run(t, func(t *testing.T) frontier.Frontier {
		m := frontier.NewMemory()
		t.Cleanup(func() { m.Close() })
		return m
	})
}

func TestMemoryRoundRobin(t *testing.T) {
	ctx := context.Background()
	m := frontier.NewMemory()
	defer m.Close()
	for _, u := range []string{"a/1", "a/2", "a/3", "b/1", "c/1", "b/2"} {
		m.Add(ctx, frontier.Item{URL: "http://" + u, Host: u[:1]})
	}
	var got []string
	for range 6 {
		it, err := m.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, it.URL[len("http://"):])
	}
	want := "[a/1 b/1 c/1 a/2 b/2 a/3]"
	if fmt.Sprint(got) != want {
		t.Fatalf("order = %v; want %s", got, want)
	}
	if q, l := m.Len(); q != 0 || l != 6 {
		t.Fatalf("Len = %d queued, %d leased; want 0, 6", q, l)
	}
}

func TestMemoryDoneWithoutLease(t *testing.T) {
	m := frontier.NewMemory()
	if err := m.Done(context.Background(), frontier.Item{URL: "http://a/"}); err == nil {
		t.Fatal("Done without a lease succeeded")
	}
}

func TestMemoryQueuedByHost(t *testing.T) {
	ctx := context.Background()
	m := frontier.NewMemory()
	defer m.Close()
	m.Add(ctx, frontier.Item{URL: "http://a/1", Host: "a"}, frontier.Item{URL: "http://a/2", Host: "a", Depth: 1},
		frontier.Item{URL: "http://b/1", Host: "b"})
	m.Next(ctx) // a/1, round robin first
	got, _ := m.QueuedByHost(ctx)
	if fmt.Sprint(got) != "map[a:1 b:1]" {
		t.Errorf("QueuedByHost = %v; want a:1 b:1", got)
	}
}
