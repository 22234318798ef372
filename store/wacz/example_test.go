package wacz_test

import (
	"fmt"

	"github.com/crawl-go/crawl/store/wacz"
)

// A page's title is taken from its first bytes only.
func ExampleTitle() {
	page := []byte("<!DOCTYPE html><html><head><meta charset=utf-8>\n<title>\n  Getting   started\n</title>")
	fmt.Printf("%q\n", wacz.Title(page))
	// Output: "Getting started"
}
