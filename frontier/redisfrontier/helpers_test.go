package redisfrontier

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/crawl-go/crawl/internal/testredis"
)

// crawlID returns a crawl id no other test uses.
func crawlID(t testing.TB) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	return strings.ReplaceAll(t.Name(), "/", ".") + "-" + hex.EncodeToString(b[:])
}

// open opens a frontier on opts.CrawlID (a new one if empty), closed at the
// end of the test. The first frontier opened on a crawl id deletes the
// crawl's keys at the end of the test.
func open(t testing.TB, opts Options) *Frontier {
	t.Helper()
	ctx := context.Background()
	fresh := opts.CrawlID == ""
	if fresh {
		opts.CrawlID = crawlID(t)
	}
	if opts.URL == "" {
		opts.URL = testredis.URL(t)
	}
	f, err := Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Error(err)
		}
		if !fresh {
			return
		}
		// Runs after the cleanups of the frontiers opened later.
		d, err := Open(ctx, opts)
		if err != nil {
			t.Error(err)
			return
		}
		defer d.Close()
		if err := d.Delete(ctx); err != nil {
			t.Error(err)
		}
	})
	return f
}
