// Package warc writes what crawl fetched as WARC 1.1 files (ISO 28500:2017),
// the format web archives replay and exchange, and reads them back.
//
// A [Writer] turns each fetch, an [Exchange], into a 'request' record and a
// 'response' record, or a 'revisit' record when the same payload was
// already archived during the crawl (deduplication by payload digest, the
// identical-payload-digest profile of WARC 1.1 section 6.7.2). Its output
// is a series of files
//
//	DIR/PREFIX-00000.warc.gz
//	DIR/PREFIX-00001.warc.gz    once the first would exceed Options.MaxSize
//	...
//
// each starting with a 'warcinfo' record that names the software and the
// caller's fields. Every record is its own gzip member, the convention of
// the Internet Archive's tools and of warcio: a reader can seek to any
// record (an index stores [Result.Offset] and [Result.Length]), and a file
// cut short by a crash is readable up to its last whole record.
//
// # What the records hold
//
// A request record's block is the HTTP request as sent ([Exchange.Request]).
// A response record's block is the HTTP response, in one of two forms:
//
//   - As received ([Exchange.Response]): status line, header fields and
//     body exactly as they came over the connection, header order, case
//     and repetitions kept, the body still chunked or compressed if it
//     came so. This is what crawl writes, from the bytes its transport
//     captured.
//   - As a head and an entity body ([Exchange.ResponseHead],
//     [Exchange.Body]): the body with any transfer coding removed and its
//     content coding kept. When the head says "Transfer-Encoding:
//     chunked", the writer frames the body again as one chunk and a last
//     chunk, so that the block is a valid HTTP message whose header
//     fields are exactly those received; only the chunk boundaries differ
//     from the wire. (A response that has no body, to a HEAD request or
//     with status 1xx, 204 or 304, gets no framing.)
//
// A 304 Not Modified answer to a conditional request becomes a revisit
// record with the server-not-modified profile (WARC 1.1 section 6.7.3),
// naming the earlier capture by WARC-Refers-To-Target-URI and
// WARC-Refers-To-Date when the caller knows it. A response whose framing
// says it was cut short (fewer bytes than its Content-Length, no last
// chunk) gets WARC-Truncated.
//
// Both records of an exchange carry the URL (WARC-Target-URI), the server's
// address when known (WARC-IP-Address), the time of the fetch (WARC-Date,
// UTC, to the microsecond as WARC 1.1 allows), each other's record ID
// (WARC-Concurrent-To) and the ID of their file's warcinfo record
// (WARC-Warcinfo-ID). A revisit record's block is the response head alone;
// WARC-Refers-To, WARC-Refers-To-Target-URI and WARC-Refers-To-Date name
// the response record that holds the payload.
//
// Digests are SHA-1 in base32 (RFC 4648, upper case), as "sha1:" followed by
// 32 letters and digits, the form of the Internet Archive's tools:
//
//   - WARC-Block-Digest: the digest of the record's whole block, as stored.
//   - WARC-Payload-Digest (response and identical-payload revisit
//     records): the digest of the entity body, which WARC 1.1 section
//     6.3.2 defines as the body with any transfer coding removed and its
//     content coding kept. For a chunked response this is the digest of
//     the body without the chunk framing, so that two responses with the
//     same body have the same payload digest whatever their chunking, as
//     the IIPC clarified (warc-specifications issue 22) and as Heritrix
//     and wget-lua now compute it; several tools, warcio among them, hash
//     the framing too and disagree with the standard there. A gzip-encoded
//     body is digested as the gzip bytes.
//
// # Durability
//
// Records are written whole, one exchange at a time, and handed to the
// operating system when WriteExchange returns: a process killed at any
// moment leaves files whose every complete gzip member is a complete
// record. [Writer.Sync] and [Writer.Close] also fsync, which survives a
// power cut.
//
// [Reader] is a small streaming reader of WARC files, gzip-compressed per
// record or whole, or not compressed, for tests and tools.
//
// Files:
//
//   - writer.go: Options, Writer, Create, Close and Sync; files and rotation.
//   - exchange.go: Exchange, Result and WriteExchange: the records of a fetch.
//   - head.go: the reading of the HTTP heads an exchange holds.
//   - chunked.go: the de-chunker of payload digests.
//   - record.go: the formatting of record headers, dates, IDs and digests.
//   - dedup.go: DedupIndex, the payload-digest index, and MemoryIndex.
//   - reader.go: Reader and Record.
package warc
