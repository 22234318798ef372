// Package disk is a frontier.Frontier kept in a bbolt database file, so
// that a crawl can resume after its process ends, even by kill -9, and so
// that its memory does not grow with the number of URLs it discovers.
//
// # Durability
//
// Add, Claim and Done take effect at once for the calls that follow, and
// are written to disk in batches: one goroutine commits the operations
// buffered since its last commit in one bbolt transaction (two fsyncs,
// whatever the number of operations), BatchDelay after the first of them,
// or as soon as 1,024 are buffered, or when Flush or Close asks. Next
// writes nothing. Batches are committed in the order the operations were
// made, and each is all or nothing, so after a crash the database holds
// the operations made up to some instant: all of those of the last batch
// committed and before, none after. What is lost is the work of the last
// BatchDelay plus the time of one commit, and never more than about 2,000
// operations (the batch being written and the one waiting); nothing made
// before a call of Flush returned is lost.
//
// Reopened, the database queues every item that was queued or leased:
// leases do not survive. Release is therefore a change in memory only
// (the item never left the queue on disk), except for the claims it
// forgets, which leave the seen set with the next batch. Every URL marked
// done stays seen and is not handed out again, and every URL added or
// claimed stays seen.
//
// For a crawl that keeps the frontier's rule (a page's links are added
// before the page is marked done), that means:
//
//   - No URL is lost. A page's Done is committed with or after the Adds of
//     its links, so if the Done survived, the links did; if it did not,
//     the page is queued again and its links are found again.
//   - Work is repeated, never skipped: a page whose Done was lost, or that
//     was leased at the crash, is fetched again, and so may have two lines
//     in the manifest.
//   - One gap: a redirect target claimed by a fetch whose Done was lost
//     stays claimed, so the repeated fetch does not follow the redirect
//     again. If the crash came after the Claim was committed and before
//     the body was stored, that body is not fetched again. Claim does not
//     say which lease it belongs to, so the frontier cannot undo the
//     claim with the lease.
//
// # Memory
//
// The seen set and the queue are on disk. In memory there are:
//
//   - a Bloom filter in front of the seen set, 1.2 bytes per URL seen at a
//     1% false positive rate: a URL it has not seen is new without a disk
//     lookup; for the others (the URLs seen before, and 1% of new ones) a
//     lookup decides. It is sized by Options.ExpectedURLs, resized to
//     twice the seen set on Open, and grown fourfold whenever the seen set
//     outgrows it;
//   - the URLs seen lately, up to 16,384 of them, in a map from their
//     hash to their place in the log (see Layout), and their hashes again
//     for the committer: about 1 MB;
//   - up to Options.CacheItems queued items of each depth that has queued
//     items (about 200 bytes each for typical URLs); in a crawl that is
//     two depths, the current one and the next;
//   - one entry per leased item, and the operations not yet committed: at
//     most 1,024 of them, after which Add and Claim wait for the disk.
//
// A commit reads and writes a number of pages that grows with its
// operations, not with the number of URLs: the ends of the queue's runs of
// keys, the ends of the log, a step of a merge of runs and of the deletion
// of merged runs (see Layout). (A seen set keyed by hashes in a B-tree
// rewrites a leaf per URL added, all over the tree, and each commit then
// holds thousands of them in memory.) Measured by BenchmarkCrawlMemory in
// cmd/crawl, a whole crawl peaks at about 42 MB resident with 100,000 URLs
// discovered and 51 MB with 1,000,000.
//
// The database file is mapped into memory. The pages a crawl reads count
// in the process's resident size, as file cache the kernel can reclaim,
// not as heap; on Linux, each commit then unmaps them all
// (madvise(MADV_DONTNEED): they stay in the page cache), and so do the
// scans of Open every 4 MB, so that the resident size of the file is
// what was read since the last commit, not most of the file. The
// freelist is written with each commit, so that Open need not read every
// page to rebuild it.
//
// # Order
//
// Items are handed out level by level exactly as frontier.Memory does:
// the number of items queued and leased at each depth is kept in memory.
// Within a level, Next serves the items in memory round robin over their
// hosts, and each host in its order of addition. The window is refilled
// from disk going round the level's hosts in key order, taking up to
// CacheItems/256 items of each per round; a host's new items go straight
// to the window while the window holds all of that host's queued items.
// With more hosts in a level than fit in the window, hosts are thus served
// a window at a time rather than one item each.
//
// # Layout
//
// The database has four buckets. "meta" holds the layout version, the
// count of items done and the list of live runs. "queue" holds every item
// queued or leased, keyed by depth, host and a sequence number, with a
// compact binary value (the URL, the parent and the flags). The seen set,
// a 16-byte hash of each URL seen, is a log-structured merge tree of two
// kinds of parts:
//
//   - "log" holds the URLs seen lately, in the order they were seen,
//     keyed by a sequence number: a commit appends to its end;
//   - "runs" holds sorted runs, each a nested bucket of chunks of packed
//     hashes, keyed by the last hash of each. When the log holds 16,384
//     hashes, the commit that fills it sorts them into a new run (from
//     memory: it reads no page of the log); their log entries are then
//     obsolete, and deleted a few per commit. Two adjacent runs within a
//     factor of two in size are merged, a step per commit, so that there
//     are about log2(URLs/16,384) runs, each at least twice as large as
//     the next newer one; the runs merged are deleted a few chunks per
//     commit. A lookup reads a chunk of each run, oldest (largest) first,
//     until one holds the hash.
//
// Each URL seen is in exactly one place: a live entry of the log, or one
// live run. keys.go describes the encodings, seen.go the log and the
// runs. Layout 1, whose seen set was one bucket keyed by hash, is
// migrated by Open: its keys become one run.
//
// # Files
//
//   - disk.go: Options, Open, Close, Stats, Flush.
//   - load.go: what Open reads of a database, and the migration from
//     layout 1.
//   - add.go: Add, Claim, the seen set in memory and the Bloom filter.
//   - seen.go: the seen set on disk: the log, and its freezing into runs.
//   - merge.go: merging runs a step per commit, removing keys, dead runs.
//   - runs.go: a run's chunks: writing, reading in order, lookups.
//   - queue.go: the levels, the window and its refills, Next, Done.
//   - commit.go: the batches and the goroutine that commits them.
//   - madvise_linux.go: unmapping the pages read.
//   - keys.go: the encoding of keys and values.
package disk
