// Package store writes what crawl fetched to disk: the URL-to-path mapping
// of the mirror, atomic file writes confined to the output directory, and
// the JSONL manifest.
//
// An output directory DIR looks like this:
//
//	DIR/
//	  127.0.0.1_18080/     one folder per host (Path)
//	    index.html
//	    a b/c.html         from /a%20b/c.html
//	    search?q=1.html    from /search?q=1 served as text/html
//	  manifest.jsonl       one Record per URL (ManifestWriter, ReadManifest)
//	  records.jsonl        scraped data (JSONLWriter)
//	  .crawl/tmp/          temporary files, renamed into place when complete
//
// Files:
//
//   - path.go: Path and Extension, the pure mapping from a URL to a file name.
//   - store.go: Store, which writes files atomically through an os.Root and
//     resolves conflicts between names.
//   - sync_linux.go, sync_other.go: the end-of-run sync of Store.Close.
//   - jsonl.go: JSONLWriter, one Write call per line, and the line reader.
//   - manifest.go: Record, ManifestWriter and ReadManifest.
package store
