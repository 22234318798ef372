// Package crawl is the engine of the crawl command: it wires the frontier,
// the fetch, parse and store stages into one pipeline and runs it until
// nothing is queued and nothing is in flight.
//
// The stages and the channels between them:
//
//	frontier --Next--> fetch pool --parsed--> parse pool --stored--> store pool
//	 ^  ^              (Workers,    chan      (Parsers,    chan      (Writers:
//	 |  |               I/O bound)             CPU bound)             files, manifest)
//	 |  |                                          |                     |
//	 |  +----- Add: the links found (never blocks) +                     |
//	 +------------ Done: the file and the manifest line are written -----+
//
// The fetch workers receive from the frontier and send to the parse channel;
// when the last fetch worker returns, the parse channel is closed. The parse
// workers range over it, add the links they find to the frontier, and send
// to the store channel, which is closed when the last parse worker returns.
// The store workers range over it and end a URL's lease in the frontier
// once its file and manifest line are written. No stage ever waits on an
// earlier one except by receiving, and the frontier's Add never blocks, so
// the loop back from parse to the frontier cannot deadlock; the frontier
// reports the end of the crawl when nothing is queued and nothing is leased.
//
// Files:
//
//   - crawler.go: Config, New, Run (the wiring) and admission to the
//     frontier;
//   - fetchstage.go, parsestage.go, storestage.go: one stage each;
//   - politeness.go: robots.txt, Crawl-delay and sitemaps;
//   - redirect.go: what the fetcher may follow;
//   - manifest.go: manifest lines, skipped URLs, and resuming without
//     repeating a line;
//   - archive.go: the WARC files;
//   - stats.go: counters and the summary.
package crawl

// Version is crawl's version, sent in the User-Agent.
const Version = "0.1.0"
