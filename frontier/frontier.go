// Package frontier holds the crawl's queue of URLs to fetch and the set of
// URLs already seen, behind an interface so that the queue can live in
// memory, on disk, or in a server shared by several processes.
//
// The frontier also decides when a crawl is over. An item handed out by Next
// is leased until Done is called for it; the crawl is finished exactly when
// nothing is queued and nothing is leased. Callers keep one rule to make that
// exact: the links found in an item are added before the item is marked done.
package frontier

import (
	"context"
	"errors"
)

// ErrDone is returned by Next when nothing is queued and nothing is leased:
// no item can ever be added again, so the crawl is over.
var ErrDone = errors.New("frontier: crawl finished")

// ErrClosed is returned by every method of a closed frontier.
var ErrClosed = errors.New("frontier: closed")

// Item is a URL waiting to be fetched, with how it was found.
type Item struct {
	// URL is the absolute, normalized URL: the key the frontier deduplicates on.
	URL string
	// Host is the URL's host[:port]; items are queued per host so that one
	// busy host does not hold up the others.
	Host string
	// Depth is the number of links followed from a seed (seeds are 0).
	Depth int
	// Parent is the URL of the page the link was found in; empty for seeds.
	Parent string
	// Requisite reports whether the link was found as something needed to
	// display its parent (an image, stylesheet, script or frame) rather than
	// as a link to navigate to.
	Requisite bool
}

// Counts is a snapshot of a frontier's queue.
type Counts struct {
	Queued int // items waiting to be handed out
	Leased int // items handed out and neither done nor released
}

// Frontier is the crawl's queue and seen set. Implementations are safe for
// concurrent use. Add never waits for consumers, so the stage that discovers
// links can always hand them back without deadlocking the pipeline.
type Frontier interface {
	// Add queues the items whose URL this crawl has not seen, marking them
	// seen in the same step (there is no check-then-set window), and
	// reports how many were new.
	Add(ctx context.Context, items ...Item) (added int, err error)
	// Claim marks url seen without queuing it, and reports whether it was
	// new. The crawl uses it for the final URL of a redirect, whose body it
	// already has.
	Claim(ctx context.Context, url string) (bool, error)
	// Next waits for a queued item and leases it to the caller. Items are
	// handed out level by level: none is handed out while an item of a
	// smaller depth is queued or leased, so every URL is reached by a
	// shortest path and a depth limit fetches the same set whatever the
	// timing. It returns ErrDone when nothing is queued and nothing is
	// leased, and ctx.Err() when ctx ends first.
	Next(ctx context.Context) (Item, error)
	// Done ends the lease of an item returned by Next. The item's links
	// must have been added before.
	Done(ctx context.Context, it Item) error
	// Release ends the lease of an item returned by Next without marking
	// it done: the item is queued again, to be handed out again by a
	// later Next (in this process, after a restart, or in another
	// process). A crawl releases what it could not finish, so that an
	// interrupted crawl loses nothing. unclaim lists URLs that were
	// claimed with Claim on the item's behalf (the targets of redirects
	// it was following) and whose bodies were not kept: they are
	// forgotten, so that the item's next fetch can claim them again.
	Release(ctx context.Context, it Item, unclaim ...string) error
	// Counts reports how many items are queued and how many are leased.
	Counts(ctx context.Context) (Counts, error)
	// Close releases the frontier's resources. Waiting Next calls return
	// ErrClosed.
	Close() error
}

// HostCounter is implemented by frontiers that can count their queued
// items by host (all of this module's), for a status display; leased
// items are not queued. It may take time in the number of items queued.
type HostCounter interface {
	QueuedByHost(ctx context.Context) (map[string]int64, error)
}

// Shared is implemented by frontiers that several processes share
// (redisfrontier). Besides the queue, such a frontier keeps what defines
// the crawl, written by its first process, so that a later process can
// check that it runs the same crawl rather than mix other rules into it.
type Shared interface {
	Frontier
	// Name names the shared crawl for messages: its name and where it is
	// kept, without credentials.
	Name() string
	// Settings returns the crawl's settings as KeepSettings stored them,
	// or nil when none are stored.
	Settings(ctx context.Context) ([]byte, error)
	// KeepSettings stores data as the crawl's settings unless some are
	// stored already, in one atomic step, and returns the settings stored:
	// data itself, with stored true, for the first process of a crawl.
	KeepSettings(ctx context.Context, data []byte) (kept []byte, stored bool, err error)
	// AddWithin adds items as Add does, but queues a new URL only while
	// fewer than budget items were ever queued in the whole crawl, by every
	// process over all its runs (the items of Add count too): the crawl's
	// budget. It reports how many items it queued, and how many new ones
	// it refused for the budget (those are not marked seen).
	AddWithin(ctx context.Context, budget int64, items ...Item) (added, over int, err error)
}
