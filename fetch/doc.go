// Package fetch performs HTTP GETs for the crawl: one retrying client,
// redirects recorded, bodies capped, hashed and buffered without extra
// copies.
//
// A [Fetcher] wraps a single go-retryablehttp client policy around a shared
// [http.Transport]. [Fetcher.Get] retries connection errors, timeouts, 429 and
// 5xx responses (honouring Retry-After, capped), records every redirect hop,
// reads the body itself so that a connection lost mid-body is retried within
// the same attempt budget, and always returns a [Response] describing what
// happened, so that failures can be logged as precisely as successes.
//
// Bodies are read once: each chunk goes into a pooled buffer and into a
// SHA-256 hash in the same pass. Bodies larger than [Options.SpillThreshold]
// are streamed to a temporary file instead; the caller releases a [Body] with
// [Body.Release] or takes its file with [Body.TakeFile].
//
// With [Options.KeepExchange] over a transport made with
// [TransportOptions.Capture], Get also keeps every [Exchange] of its last
// attempt (each redirect hop, the final response whatever its status) as
// the bytes went over the connection, for WARC archives; large responses
// are kept on disk like large bodies.
//
// A spilled body cut off mid-way (an interrupt, a timeout, a lost
// connection) whose response has a validator is not thrown away: the
// retries of the same Get ask for the rest of it with Range and If-Range,
// and a Get that fails leaves it in [Response.Partial], which a later
// fetch continues ([Request.Resume]). A 206 answer is appended only when
// its Content-Range, length and validators fit; anything else starts the
// body over, so a body is never a mix of two versions.
//
// [ErrorKind] maps any error from Get to a short stable label for summaries
// and the manifest.
//
// Files:
//   - fetch.go: Options, Fetcher, Get, Do, Request and Response
//   - call.go: one fetch under way: the retry loop and its hooks
//   - retry.go: the retry and backoff policies and Retry-After parsing
//   - body.go: Body, the pooled single-pass reader and spilling to disk
//   - errors.go: sentinel errors, StatusError and ErrorKind
//   - transport.go: NewTransport, and the dialers of a capturing transport
//   - limitrate.go: LimitRate, one byte rate for every body (--limit-rate)
//   - trace.go: the server's address and the time to the first byte
//   - partial.go: Partial, partial downloads kept and continued (Range,
//     If-Range, Content-Range); transfers.go: Transfers, for progress
//   - capture.go: the connections that record their bytes, and the hops
//     of a Get
//   - raw.go: Raw, the bytes of a response as they went over the wire
//   - heads.go: Exchange, and heads rebuilt when nothing was captured
package fetch
