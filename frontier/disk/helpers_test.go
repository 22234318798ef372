package disk

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/crawl-go/crawl/frontier"
)

// openT opens a frontier in opts.Path, or in a new temporary directory if
// opts.Path is empty, and closes it when the test ends.
func openT(t testing.TB, opts Options) *Frontier {
	t.Helper()
	if opts.Path == "" {
		opts.Path = filepath.Join(t.TempDir(), "state.db")
	}
	f, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func item(host, path string, depth int) frontier.Item {
	return frontier.Item{URL: "http://" + host + path, Host: host, Depth: depth}
}

// copyFile copies a database that may be open, as a crash would leave it.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// contents is what a closed database holds.
type contents struct {
	seen  map[seenKey]bool
	done  uint64
	queue []frontier.Item // in key order
}

// dump reads a database that no process has open.
func dump(t *testing.T, path string) contents {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := contents{seen: make(map[seenKey]bool)}
	err = db.View(func(tx *bolt.Tx) error {
		runs, err := liveRuns(tx)
		if err != nil {
			return err
		}
		err = forEachSeen(tx, runs, func(k seenKey) {
			if c.seen[k] {
				t.Errorf("%x twice in the seen set", k)
			}
			c.seen[k] = true
		})
		if err != nil {
			return err
		}
		if v := tx.Bucket(bucketMeta).Get(keyDone); v != nil {
			c.done = binary.BigEndian.Uint64(v)
		}
		return tx.Bucket(bucketQueue).ForEach(func(k, v []byte) error {
			depth, hostPart, _, err := splitKey(k)
			if err != nil {
				return err
			}
			it := frontier.Item{Depth: depth, Host: string(hostPart[1:])}
			if err := decodeItem(v, &it); err != nil {
				return err
			}
			c.queue = append(c.queue, it)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// drain hands out and ends every item queued in f, checking the level
// order, and returns their URLs in the order handed out.
func drain(t *testing.T, f frontier.Frontier) []string {
	t.Helper()
	ctx := context.Background()
	var urls []string
	depth := 0
	for {
		it, err := f.Next(ctx)
		if errors.Is(err, frontier.ErrDone) {
			return urls
		}
		if err != nil {
			t.Fatal(err)
		}
		if it.Depth < depth {
			t.Fatalf("%s at depth %d handed out after depth %d", it.URL, it.Depth, depth)
		}
		depth = it.Depth
		urls = append(urls, it.URL)
		if err := f.Done(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
}
