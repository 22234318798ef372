// Package redisfrontier is a frontier.Frontier kept in Redis, so that
// several crawl processes, on one machine or many, share one crawl, and so
// that a crawl survives the crash of any of them.
//
// Every process opens the same server and crawl id (the command line's
// --state redis://HOST:PORT/DB --crawl-id NAME). Each operation is one Lua
// script, run atomically by the server: Add marks a URL seen and queues it
// in one step, Next re-queues the expired leases and leases the next item
// in one step, Done ends a lease in one step. The processes keep no state
// of the crawl between calls except the tokens of the leases they hold.
// The server needs to be Redis 5 or later.
//
// # Order
//
// Items are handed out level by level over all processes, as
// frontier.Memory does within one: no item is handed out while an item of
// a smaller depth is queued or leased anywhere. Within a level, hosts are
// served round robin, and each host's items in the order they were added.
// A Next that must wait for leases held elsewhere asks the server again
// every Options.Poll; Adds and Dones made through the same Frontier wake
// it at once, and it wakes when the earliest lease runs out.
//
// # Delivery
//
// Delivery is at least once. An item handed out by Next is leased for
// Options.Lease, measured with the server's clock (TIME), so the machines'
// clocks do not matter. If Done does not come in time (the process died,
// or a fetch took longer than the lease), the next call of Next in any
// process puts the item back at the front of its host's queue, and it is
// handed out again; no background goroutine is needed. A Done that comes
// after its lease ran out does nothing: it neither counts the item done
// twice nor ends the lease of the process that has the item now. The page
// may then be fetched twice, which the crawl's store tolerates since its
// writes are idempotent; the page's links are deduplicated by the seen
// set. While no lease runs out, every URL is handed out exactly once, and
// Next returns frontier.ErrDone in every process exactly when nothing is
// queued and nothing is leased.
//
// Close puts the items its Frontier leased and did not mark done back in
// their queues, so that a crawl stopped early resumes without waiting for
// their leases.
//
// # Keys
//
// All keys of a crawl start with "crawl:{NAME}:", whose hash tag keeps them
// in one slot of a cluster:
//
//	seen           set     every URL added or claimed
//	q:DEPTH:HOST   list    the items queued for HOST at DEPTH, encoded
//	rr:DEPTH       list    the hosts with items queued at DEPTH, in
//	                       round-robin order (a host is in it exactly
//	                       when its queue is not empty)
//	queued         hash    DEPTH -> number of items queued
//	leased         hash    DEPTH -> number of items leased
//	depths         zset    the depths with items queued or leased,
//	                       scored by depth
//	leases         zset    leased URL -> deadline, in ms since the epoch
//	lease          hash    leased URL -> encoded item, to re-queue it
//	owner          hash    leased URL -> token of the lease
//	stats          hash    "done", "reclaimed" and "added" (items ever
//	                       queued: the budget of AddWithin) counters
//	settings       string  what defines the crawl, as its first process
//	                       stored it (KeepSettings): its caller's bytes
//
// An item is stored as its URL, host, depth, parent and requisite flag
// ("1" or "0"), each written as its length in bytes, a colon and its
// bytes: "12:http://a/x/11:a0:0:1:0". Delete removes every key of a crawl.
//
// # Files
//
//   - redisfrontier.go: Options, Open, Close and the item encoding.
//   - scripts.go: the Lua scripts, where the frontier's logic lives.
//   - add.go: Add and Claim.
//   - lease.go: Next and Done.
//   - stats.go: Stats and Delete.
//   - settings.go: the crawl's name and settings (frontier.Shared).
package redisfrontier
