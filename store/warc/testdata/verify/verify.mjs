// verify.mjs reads WARC files with warcio.js, an implementation independent
// of crawl's Go writer, and prints a JSON summary on stdout: per record its
// type, IDs, offsets, and whether the block and payload digests that
// warcio's parsing yields match the record's header. TestIndependentReader
// in store/warc compares the summary with what it wrote.
//
// Usage: node verify.mjs FILE.warc.gz...
// Exit status: 0 when every file parsed and every digest matched, 1 when
// some check failed (the summary says which), 2 on a usage error.
//
// Each file is parsed three times, because warcio.js hands out a record's
// bytes only once and in one form:
//   1. parseHttp: false: the whole block, raw, for WARC-Block-Digest, and
//      the offset and length of every record (its gzip member);
//   2. parseHttp: true: warcio splits off the HTTP head; the rest, with any
//      chunked transfer coding removed by warcio's own de-chunker, is the
//      payload of WARC-Payload-Digest (WARC 1.1 section 6.3.2: the entity
//      body, content coding kept);
//   3. parseHttp: true: the content fully decoded by warcio (transfer and
//      content codings removed), whose SHA-1 the Go test compares with the
//      plain text it wrote.

import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { basename } from "node:path";
import { AsyncIterReader, WARCParser } from "warcio";

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// base32 encodes bytes per RFC 4648 without padding (a SHA-1 needs none).
function base32(bytes) {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) {
    out += B32[(value << (5 - bits)) & 31];
  }
  return out;
}

function sha1(bytes) {
  return "sha1:" + base32(createHash("sha1").update(bytes).digest());
}

function sha1hex(bytes) {
  return createHash("sha1").update(bytes).digest("hex");
}

// parse yields [parser, record] for every record of path.
async function* parse(path, parseHttp) {
  const parser = new WARCParser(createReadStream(path), { parseHttp });
  for await (const record of parser) {
    yield [parser, record];
  }
}

async function verifyFile(path, problems) {
  const records = [];

  // Pass 1: raw blocks, offsets and lengths.
  for await (const [parser, record] of parse(path, false)) {
    const block = await record.readFully(false);
    const h = (name) => record.warcHeader(name) ?? null;
    const r = {
      type: record.warcType,
      id: h("WARC-Record-ID"),
      date: h("WARC-Date"),
      targetURI: h("WARC-Target-URI"),
      concurrentTo: h("WARC-Concurrent-To"),
      refersTo: h("WARC-Refers-To"),
      refersToTargetURI: h("WARC-Refers-To-Target-URI"),
      refersToDate: h("WARC-Refers-To-Date"),
      profile: h("WARC-Profile"),
      warcinfoID: h("WARC-Warcinfo-ID"),
      filename: h("WARC-Filename"),
      payloadDigest: h("WARC-Payload-Digest"),
      contentLength: Number(h("Content-Length")),
      blockLength: block.length,
      blockDigestOK: h("WARC-Block-Digest") === sha1(block),
      offset: parser.offset,
    };
    records.push(r);
    // recordLength is only known once the record has been read.
    r.length = parser.recordLength;
    if (!r.blockDigestOK) {
      problems.push(`${path}: ${r.id}: block digest mismatch`);
    }
    if (r.blockLength !== r.contentLength) {
      problems.push(`${path}: ${r.id}: block of ${r.blockLength} bytes, Content-Length ${r.contentLength}`);
    }
  }

  // Pass 2: payloads as warcio separates them from the HTTP head.
  let i = 0;
  for await (const [, record] of parse(path, true)) {
    const r = records[i++];
    if (!r || r.id !== record.warcHeader("WARC-Record-ID")) {
      problems.push(`${path}: record ${i - 1} differs between passes`);
      continue;
    }
    if (!record.httpHeaders) {
      continue;
    }
    r.httpStatus = record.httpHeaders.statusCode ?? null;
    const raw = await record.readFully(false);
    const chunked = record.httpHeaders.headers.get("Transfer-Encoding") === "chunked";
    let payload = raw;
    if (chunked) {
      const dechunker = new AsyncIterReader([raw], null, true);
      payload = await dechunker.readFully();
      if (dechunker.errored) {
        problems.push(`${path}: ${r.id}: bad chunked framing`);
      }
    }
    r.chunked = chunked;
    r.payloadLength = payload.length;
    if (r.type === "response") {
      r.payloadDigestOK = r.payloadDigest === sha1(payload);
      if (!r.payloadDigestOK) {
        problems.push(`${path}: ${r.id}: payload digest mismatch`);
      }
    }
    if (r.type === "revisit" && payload.length !== 0) {
      problems.push(`${path}: ${r.id}: revisit with a payload of ${payload.length} bytes`);
    }
  }

  // Pass 3: content decoded by warcio (chunks and gzip undone).
  i = 0;
  for await (const [, record] of parse(path, true)) {
    const r = records[i++];
    if (r && r.type === "response") {
      r.contentSHA1 = sha1hex(await record.readFully(true));
    }
  }

  // Every record is its own gzip member: the members tile the file.
  let end = 0;
  for (const r of records) {
    if (r.offset !== end) {
      problems.push(`${path}: ${r.id}: at offset ${r.offset}, previous record ended at ${end}`);
    }
    end = r.offset + r.length;
  }
  const size = statSync(path).size;
  if (end !== size) {
    problems.push(`${path}: records end at ${end}, file has ${size} bytes`);
  }
  if (records.length === 0 || records[0].type !== "warcinfo") {
    problems.push(`${path}: does not start with a warcinfo record`);
  } else if (records[0].filename !== basename(path)) {
    problems.push(`${path}: warcinfo names ${records[0].filename}`);
  }
  return { file: basename(path), size, records };
}

async function main(paths) {
  if (paths.length === 0) {
    console.error("usage: node verify.mjs FILE.warc.gz...");
    return 2;
  }
  const problems = [];
  const files = [];
  for (const path of paths) {
    try {
      files.push(await verifyFile(path, problems));
    } catch (e) {
      problems.push(`${path}: ${e.stack ?? e}`);
    }
  }

  // Cross-file checks: pairs and revisits.
  const all = files.flatMap((f) => f.records);
  const byID = new Map(all.map((r) => [r.id, r]));
  const counts = {};
  for (const r of all) {
    counts[r.type] = (counts[r.type] ?? 0) + 1;
    if (r.concurrentTo && byID.get(r.concurrentTo)?.concurrentTo !== r.id) {
      problems.push(`${r.id}: WARC-Concurrent-To ${r.concurrentTo} does not point back`);
    }
    if (r.type === "revisit" && r.profile?.endsWith("/revisit/server-not-modified")) {
      // A 304 answer: it refers to an earlier capture, maybe in another
      // crawl's files, by URI and date only.
      if (r.httpStatus !== 304 || r.payloadDigest) {
        problems.push(`${r.id}: server-not-modified revisit of status ${r.httpStatus} with payload digest ${r.payloadDigest}`);
      }
    } else if (r.type === "revisit") {
      const orig = byID.get(r.refersTo);
      if (!orig || orig.type !== "response") {
        problems.push(`${r.id}: refers to ${r.refersTo}, not a response record`);
      } else if (
        orig.payloadDigest !== r.payloadDigest ||
        orig.targetURI !== r.refersToTargetURI ||
        orig.date !== r.refersToDate
      ) {
        problems.push(`${r.id}: does not match the record it refers to`);
      }
    }
  }
  console.log(JSON.stringify({ warcio: "ok", counts, problems, files }, null, 1));
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
