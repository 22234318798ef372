package redisfrontier_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/frontier/redisfrontier"
)

// This example needs a Redis server, so it is compiled but not run. Every
// process of the crawl runs the same code with the same URL and CrawlID.
func Example() {
	ctx := context.Background()
	f, err := redisfrontier.Open(ctx, redisfrontier.Options{
		URL:     "redis://127.0.0.1:6379/0",
		CrawlID: "example",
		Lease:   2 * time.Minute, // above the longest fetch
	})
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	// Seeds may be added by every process: each is queued once.
	f.Add(ctx, frontier.Item{URL: "http://example.test/", Host: "example.test"})
	for {
		it, err := f.Next(ctx)
		if errors.Is(err, frontier.ErrDone) {
			break // every process of the crawl gets ErrDone
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("fetch", it.URL)
		// The links found in the page go back before the page is done.
		f.Add(ctx, frontier.Item{URL: "http://example.test/a", Host: "example.test", Depth: it.Depth + 1, Parent: it.URL})
		if err := f.Done(ctx, it); err != nil {
			log.Fatal(err)
		}
	}
	s, err := f.Stats(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Done, "pages done over all processes")
}
