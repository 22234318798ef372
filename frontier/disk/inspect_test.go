package disk

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"path/filepath"
	"strings"
	"testing"
)

func TestInspectAndQueuedByHost(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	if _, err := Inspect(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Inspect of no database: %v; want fs.ErrNotExist", err)
	}
	long := strings.Repeat("h", 300) + ".test"
	f, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	f.Add(ctx, item("a.test", "/1", 0), item("a.test", "/2", 1), item("a.test", "/3", 2),
		item("b.test:8080", "/1", 1), item(long, "/1", 0))
	f.Claim(ctx, "http://c.test/redirected")
	it, err := f.Next(ctx) // leased: not queued, although still on disk
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"a.test": 3, "b.test:8080": 1, long: 1}
	want[it.Host]--
	maps.DeleteFunc(want, func(_ string, n int64) bool { return n == 0 })
	got, err := f.QueuedByHost(ctx)
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("QueuedByHost = %v, %v; want %v", got, err, want)
	}
	if _, err := Inspect(path); !errors.Is(err, ErrLocked) {
		t.Errorf("Inspect of an open database: %v; want ErrLocked", err)
	}
	if err := f.Done(ctx, it); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.QueuedByHost(ctx); err == nil {
		t.Error("QueuedByHost of a closed frontier succeeded")
	}
	s, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(s.Queued, want) || s.Seen != 6 || s.Done != 1 {
		t.Errorf("Inspect = %+v; want queued %v, 6 seen, 1 done", s, want)
	}
	// Inspect changes nothing: the database opens as it was.
	f = openT(t, Options{Path: path})
	if q, l, d, _ := f.Stats(); q != 4 || l != 0 || d != 1 {
		t.Errorf("after Inspect: %d queued, %d leased, %d done; want 4, 0, 1", q, l, d)
	}
}
