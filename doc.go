// Package crawl is the engine of the crawl command: it wires the frontier,
// the fetch, parse and store stages into one pipeline and runs it until
// nothing is queued and nothing is in flight.
//
// The stages and the channels between them:
//
//	frontier --Next--> fetch stage --parsed--> parse stage --stored--> store stage
//	 ^  ^  ^           (Workers,      chan     (Parsers,      chan     (Writers:
//	 |  |  |            I/O bound)              CPU bound)             files, manifest)
//	 |  |  |                |                      |                     |
//	 |  |  +-- admitter <---+ redirect targets     |                     |
//	 |  +----- admitter <-- links, sitemaps -------+                     |
//	 +-------- Done (or Release): the file and the line are written -----+
//
// Who sends, who receives, who closes: the fetch workers receive from the
// frontier (Next) and send to parsed; when the last fetch worker returns,
// Crawler.run closes parsed. The parse workers range over parsed, hand the
// links they find to the admitter (which adds them to the frontier) and
// send to stored, which run closes when the last parse worker returns. The
// store workers range over stored and end each URL's lease in the frontier
// once its file and manifest line are written (Done), or give it back
// unfinished on an interrupt (Release). No stage waits on an earlier one
// except by receiving, and the frontier's Add never blocks, so the loop
// back from parse to the frontier cannot deadlock; the frontier reports
// the end of the crawl when nothing is queued and nothing is leased.
//
// Where to look:
//
//   - Why was a URL not fetched? The admitter (admit.go): scope, traps,
//     the page budget, sitemaps and redirects; and robots.txt
//     (politeness.go).
//   - What happens on Ctrl-C? Crawler.run (crawler.go): intake ends, no
//     request starts, requests in flight get the grace period, and the
//     store stage releases what was abandoned.
//   - Where does a 304's body come from? sourceOf (parsestage.go): the
//     file the earlier run saved; saveActionOf (storestage.go) keeps it.
//   - What does running again do? openState (state.go) decides the Plan.
//   - Where is a download cut off kept, and continued? storeStage.keepPartial
//     (storestage.go) keeps it; with Config.Continue fetchStage.partial
//     (fetchstage.go) hands it to the fetcher, and fromEarlier fetches
//     again a URL that failed with one.
//
// Files:
//
//   - config.go: Config, its defaults and what goes together;
//   - crawler.go: New, Run and run (the wiring), the first fatal error;
//   - job.go: the job that travels through the stages;
//   - admit.go: the admitter, the only way into the frontier;
//   - fetchstage.go, parsestage.go, storestage.go: one stage each;
//     recrawl.go: what the store stage records of a re-crawled URL;
//   - errors.go: the engine's errors and their manifest labels;
//   - politeness.go: robots.txt and Crawl-delay;
//   - recorder.go: manifest lines; history.go: what earlier runs recorded;
//   - state.go, settings.go: resume, fresh starts, reruns and re-crawls;
//   - outputs.go: the output directory and its files; archive.go: WARC,
//     CDXJ and WACZ;
//   - stats.go: counters and the summary.
package crawl

// Version is crawl's version, sent in the User-Agent.
const Version = "0.1.0"
