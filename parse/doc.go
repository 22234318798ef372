// Package parse finds the links in fetched pages and stylesheets, and
// extracts data with CSS selectors.
//
// Link finding is on the crawl's hot path, so [HTML] does not build a DOM: it
// streams the page through golang.org/x/net/html's Tokenizer, looks at the
// attributes of the few tags that carry links, and resolves and normalizes
// each link with package urlnorm. [CSS] is a byte scanner for url(...) and
// @import in stylesheets, also used for <style> elements and style
// attributes. Both deduplicate the links of one document and cap their
// number at [MaxLinks].
//
// [RewriteHTML] and [RewriteCSS] rewrite those same links in place, for an
// offline mirror: they share HTML's table of link attributes and CSS's
// scanner, and change only the bytes of the references they replace.
//
// Data extraction is off the hot path and only runs when the user asked for
// it: [Extract] parses the page into a DOM with goquery and evaluates the
// [Field]s that [ParseField] compiled from --select flags.
//
// [Classify] and [ClassifyBody] tell which of these applies to a response.
//
// Nothing here keeps state between calls: every function is safe for
// concurrent use, and a [Field] may be shared between goroutines.
//
// Files:
//
//   - link.go: Link, Kind, Options and the per-document collector that
//     resolves, deduplicates and caps links.
//   - html.go: HTML, the tokenizer scan, the per-tag table of link
//     attributes and the allocation-free splitting of a tag's attributes.
//   - attr.go: srcset, rel and meta refresh attribute values.
//   - css.go: CSS and the stylesheet scanner.
//   - rewrite.go: Ref, RewriteHTML and RewriteCSS, and the encoding of a
//     replacement for its context.
//   - classify.go: Type, Classify and ClassifyBody.
//   - extract.go: Field, ParseField and Extract.
package parse
