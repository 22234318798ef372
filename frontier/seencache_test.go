package frontier_test

import (
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/crawl-go/crawl/frontier"
)

func TestSeenCache(t *testing.T) {
	c := frontier.NewSeenCache(4)
	if c.Seen("http://a/") {
		t.Fatal("an empty cache has seen http://a/")
	}
	if c.Seen("") {
		t.Fatal(`an empty slot reads as having seen ""`)
	}
	c.Put("http://a/")
	if !c.Seen("http://a/") {
		t.Fatal("http://a/ not seen after Put")
	}
	if c.Seen("http://a") || c.Seen("http://a/x") {
		t.Fatal("a URL never put is seen")
	}
	c.Forget("http://a/", "http://never/")
	if c.Seen("http://a/") {
		t.Fatal("http://a/ still seen after Forget")
	}

	// More URLs than slots: the table stays bounded, and whatever it
	// still holds was put.
	for i := range 100 {
		c.Put("http://b/" + strconv.Itoa(i))
	}
	held := 0
	for i := range 100 {
		if c.Seen("http://b/" + strconv.Itoa(i)) {
			held++
		}
	}
	if held == 0 || held > 4 {
		t.Fatalf("a 4-slot cache holds %d of 100 URLs put, want 1 to 4", held)
	}
}

func TestSeenCacheNil(t *testing.T) {
	var c *frontier.SeenCache
	c.Put("http://a/")
	c.Forget("http://a/")
	if c.Seen("http://a/") {
		t.Fatal("a nil cache has seen a URL")
	}
}

func TestSeenCacheConcurrent(t *testing.T) {
	c := frontier.NewSeenCache(64)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				u := fmt.Sprintf("http://h%d/%d", w, i%100)
				c.Put(u)
				c.Seen(u)
				if i%10 == 0 {
					c.Forget(u)
				}
			}
		})
	}
	wg.Wait()
}

// A crawl asks the frontier only about links the cache has not seen.
func ExampleSeenCache() {
	known := frontier.NewSeenCache(1024)
	for _, link := range []string{"http://example.com/", "http://example.com/a", "http://example.com/"} {
		if known.Seen(link) {
			fmt.Println("seen before:", link)
			continue
		}
		fmt.Println("ask the frontier:", link)
		known.Put(link) // new or not, the frontier has seen it now
	}
	// Output:
	// ask the frontier: http://example.com/
	// ask the frontier: http://example.com/a
	// seen before: http://example.com/
}
