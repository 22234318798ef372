package frontier_test

import (
	"context"
	"fmt"

	"github.com/crawl-go/crawl/frontier"
)

func ExampleMemory() {
	ctx := context.Background()
	f := frontier.NewMemory()
	defer f.Close()
	f.Add(ctx, frontier.Item{URL: "http://example.test/", Host: "example.test"})
	for {
		it, err := f.Next(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("fetch", it.URL, "at depth", it.Depth)
		if it.Depth == 0 {
			// Links found in the page go back before the page is done.
			n, _ := f.Add(ctx,
				frontier.Item{URL: "http://example.test/a", Host: "example.test", Depth: 1, Parent: it.URL},
				frontier.Item{URL: "http://example.test/", Host: "example.test", Depth: 1, Parent: it.URL})
			fmt.Println("queued", n, "new")
		}
		f.Done(ctx, it)
	}
	// Output:
	// fetch http://example.test/ at depth 0
	// queued 1 new
	// fetch http://example.test/a at depth 1
	// frontier: crawl finished
}
