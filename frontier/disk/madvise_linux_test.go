package disk

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/crawl-go/crawl/frontier"
)

// TestCommitUnmapsPages checks that after a commit none of the database
// file's pages is resident in the process, though the crawl before it and
// a lookup after it read some.
func TestCommitUnmapsPages(t *testing.T) {
	ctx := context.Background()
	f := openT(t, Options{CacheItems: 64, logMax: 256})
	for i := range 400 {
		var page []frontier.Item
		for j := range 100 {
			page = append(page, item(fmt.Sprintf("h%d", j%7), fmt.Sprintf("/%d/%d", i, j), 1))
		}
		if _, err := f.Add(ctx, page...); err != nil {
			t.Fatal(err)
		}
	}
	for range 5000 {
		it, err := f.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Done(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	st, err := os.Stat(f.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	before := mappedKB(t, f.db.Path())
	// A URL seen long ago is looked up in the runs.
	if n, err := f.Add(ctx, item("h0", "/0/0", 1)); n != 0 || err != nil {
		t.Fatalf("Add of a seen URL = %d, %v", n, err)
	}
	read := mappedKB(t, f.db.Path())
	if _, err := f.Claim(ctx, "http://r/1"); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	after := mappedKB(t, f.db.Path())
	t.Logf("file %d kB; resident after a commit %d kB, after a lookup %d kB, after the next commit %d kB", st.Size()>>10, before, read, after)
	if st.Size() < 1<<20 {
		t.Fatalf("file of %d bytes: too small to tell", st.Size())
	}
	if before > 0 || after > 0 || read == 0 {
		t.Fatalf("resident after a commit %d kB, after a lookup %d kB, after the next commit %d kB; want 0, more, 0", before, read, after)
	}
}

// TestOpenUnmapsPages checks that Open, which reads the whole seen set and
// queue, leaves none of the file's pages resident.
func TestOpenUnmapsPages(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	f := openT(t, Options{Path: path, logMax: 256})
	for i := range 400 {
		var page []frontier.Item
		for j := range 100 {
			page = append(page, item(fmt.Sprintf("h%d", j%7), fmt.Sprintf("/%d/%d", i, j), 1))
		}
		if _, err := f.Add(ctx, page...); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f = openT(t, Options{Path: path, logMax: 256})
	if q, _, _, _ := f.Stats(); q != 40_000 {
		t.Fatalf("%d items queued after reopening; want 40,000", q)
	}
	if kb := mappedKB(t, path); kb > 0 {
		t.Fatalf("%d kB of the file resident after Open; want 0", kb)
	}
}

// mappedKB returns the resident size of this process's mapping of path.
func mappedKB(t *testing.T, path string) int {
	t.Helper()
	file, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer file.Close()
	s := bufio.NewScanner(file)
	in, found, kb := false, false, 0
	for s.Scan() {
		fields := strings.Fields(s.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-"):
			in = fields[len(fields)-1] == path
			found = found || in
		case in && len(fields) == 3 && fields[0] == "Rss:":
			n, _ := strconv.Atoi(fields[1])
			kb += n
		}
	}
	if !found {
		t.Fatalf("%s is not mapped", path)
	}
	return kb
}
