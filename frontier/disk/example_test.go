package disk_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/frontier/disk"
)

// A crawl that stops after its first page, and resumes.
func Example() {
	dir, err := os.MkdirTemp("", "crawl-state")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	opts := disk.Options{Path: filepath.Join(dir, "state.db")}
	ctx := context.Background()

	f, err := disk.Open(opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	f.Add(ctx, frontier.Item{URL: "http://example.test/", Host: "example.test"})
	it, _ := f.Next(ctx)
	fmt.Println("fetch", it.URL)
	// Links found in the page go back before the page is done.
	f.Add(ctx,
		frontier.Item{URL: "http://example.test/a", Host: "example.test", Depth: 1, Parent: it.URL},
		frontier.Item{URL: "http://example.test/b", Host: "example.test", Depth: 1, Parent: it.URL})
	f.Done(ctx, it)
	it, _ = f.Next(ctx)
	fmt.Println("fetch", it.URL, "and stop")
	f.Close() // or crash: what was committed is queued again

	f, err = disk.Open(opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	queued, leased, done, _ := f.Stats()
	fmt.Printf("resume: %d queued, %d leased, %d done\n", queued, leased, done)
	for {
		it, err := f.Next(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("fetch", it.URL, "found in", it.Parent)
		f.Done(ctx, it)
	}
	// Output:
	// fetch http://example.test/
	// fetch http://example.test/a and stop
	// resume: 2 queued, 0 leased, 1 done
	// fetch http://example.test/a found in http://example.test/
	// fetch http://example.test/b found in http://example.test/
	// frontier: crawl finished
}

// Inspect reads a frontier that no process has open, for a status display.
func ExampleInspect() {
	dir, _ := os.MkdirTemp("", "inspect")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "state.db")
	f, _ := disk.Open(disk.Options{Path: path})
	ctx := context.Background()
	f.Add(ctx,
		frontier.Item{URL: "https://a.example/", Host: "a.example"},
		frontier.Item{URL: "https://a.example/b", Host: "a.example", Depth: 1},
		frontier.Item{URL: "https://c.example/", Host: "c.example"})
	it, _ := f.Next(ctx)
	f.Done(ctx, it)
	f.Close()

	s, err := disk.Inspect(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Seen, "seen,", s.Done, "done, queued:", s.Queued)
	// Output: 3 seen, 1 done, queued: map[a.example:1 c.example:1]
}
