// Package robots fetches, caches and applies each host's robots.txt, as RFC
// 9309 says.
//
// A [Cache] holds one entry per scheme://host:port for the life of a crawl.
// [Cache.Check] fetches a host's /robots.txt the first time one of its URLs is
// checked (concurrent callers for the same host wait for that one fetch) and
// then answers from memory with a [Decision]: allowed or not, why not, and the
// host's Crawl-delay. [Cache.Sitemaps] returns the Sitemap lines of the same
// file so that the crawl can queue them.
//
// What a fetch returns decides the policy, as RFC 9309 section 2.3.1 says:
//
//   - 2xx: the body is parsed (at most [ParseLimit] bytes of it).
//   - 3xx: the redirects were not followed to the end (the [Fetcher] gives up
//     after five hops), so the file is "unavailable": everything is allowed.
//   - 4xx, including 401 and 403: "unavailable": everything is allowed.
//   - 5xx, a network error, or anything else: "unreachable": everything on
//     the host is disallowed, and a later Check refetches once a backoff
//     (doubling from [Options.RetryMin] up to [Options.RetryMax]) has run
//     out. If the host had served a robots.txt before, its rules stay in
//     force meanwhile, as section 2.4 allows.
//
// A fetched robots.txt is used for [Options.MaxAge] (24 hours by default, the
// most section 2.4 recommends) and then fetched again on the next Check.
//
// Parsing and matching are this package's own: github.com/temoto/robotstxt,
// the obvious candidate, lets the first of two equally long rules win instead
// of Allow, does not anchor wildcard patterns at the start of the path,
// compares percent-encoding byte for byte, matches user-agent lines by
// prefix, fails a whole file on one bad line, and never applies the /robots.txt
// exemption. [Parse] reads a file for one product token, keeping only the
// rules of the group that applies to it, so that a cache entry costs only
// those rules and the Sitemap URLs, never the whole file.
//
// Files:
//
//   - cache.go: Options, Fetcher, Cache, Check and Sitemaps; fetch status
//     handling and backoff.
//   - parse.go: Parse, Rules and Decision; lines, groups and product tokens.
//   - match.go: percent-encoding made canonical and the * and $ pattern
//     matcher.
package robots
