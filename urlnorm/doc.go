// Package urlnorm normalizes URLs so that one resource has one spelling: the
// crawl's dedup key.
//
// Two spellings of the same http or https URL normalize to the same string:
// the scheme and host are lowercased, internationalized host names become
// punycode, default and empty ports are dropped, dot segments are resolved,
// an empty path becomes "/", the fragment and an empty "?" are dropped, and
// percent-encoding is made canonical. Normalization never changes what a
// server receives in a way a server could tell apart: reserved characters
// keep the form they were written in ("/a%2Fb" stays distinct from "/a/b"),
// query parameters keep their order, and userinfo is kept.
//
// The one exception is session ids, which are removed as Heritrix does: a
// site that tracks sessions in its URLs gives every visit a new spelling
// of each page ("/a;jsessionid=...", "?PHPSESSID=...", "?sid=..."), and a
// crawler that kept them would fetch the same pages again and again. The
// rules match whole parameters under the names that session handling uses,
// and, for names that also serve other purposes ("sid", "sessionid"), only
// values that look like random tokens, so that "?sid=3" stays; see
// [Normalizer.Normalize]. A [Normalizer] with KeepSessionIDs keeps them.
//
// [Parse] reads an absolute URL (a seed, a redirect target), [Resolve] reads
// a reference found in a page as a browser would (relative, protocol-relative,
// with stray whitespace), and [Normalize] rewrites an already parsed URL.
// They use the default options; the methods of a [Normalizer] value do the
// same with its options.
// Every function runs for every link of every page, so they avoid regular
// expressions and allocate only when the input is not already canonical.
//
// The package has no state: every function and method is safe for
// concurrent use.
//
// Files:
//
//   - urlnorm.go: Normalizer, Parse, Resolve and the errors they return.
//   - normalize.go: Normalize and the host, path and query rewriting it does.
//   - session.go: the rules that find session ids in paths and queries.
//   - idn.go: the conversion of international host names to punycode.
package urlnorm
