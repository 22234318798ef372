// Package sitemap reads XML sitemaps and sitemap indexes, gzipped or not, as
// described at sitemaps.org.
//
// [Parse] reads one document, whatever its name or Content-Type says: it
// gunzips input that starts with the gzip magic bytes, reads a <urlset> or a
// <sitemapindex> with a streaming XML decoder, and falls back to the plain
// text form (one URL per line) when the document does not start with "<".
// It is lenient where sitemaps in the wild are sloppy (namespaces missing or
// unexpected, whitespace around URLs, HTML entities, CDATA, other encodings
// than UTF-8 when declared, extension elements such as image: and news:) and
// strict about the resources it spends: at most maxBytes of decompressed
// input, so that a gzip bomb stops at the cap, and at most [MaxEntries]
// entries.
//
// Only absolute http and https URLs are returned; others are skipped
// silently, as one bad line should not cost the rest. The package has no
// state: Parse is safe for concurrent use.
//
// Files:
//
//   - sitemap.go: Entry, Result, the errors, Parse and its input layers
//     (gzip detection, the byte cap, XML or text detection).
//   - xml.go: the XML token loop and lastmod dates.
//   - text.go: the plain text form.
package sitemap
