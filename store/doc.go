// Package store writes what crawl fetched to disk: the URL-to-path mapping
// of the mirror, atomic file writes confined to the output directory, and
// the JSONL manifest.
//
// An output directory DIR looks like this:
//
//	DIR/
//	  127.0.0.1_18080/     one folder per host (Path; PathOptions for none)
//	    index.html
//	    a b/c.html         from /a%20b/c.html
//	    search?q=1.html    from /search?q=1 served as text/html
//	  manifest.jsonl       one Record per URL (ManifestWriter, ReadManifest)
//	  records.jsonl        scraped data (JSONLWriter)
//	  .crawl/tmp/          temporary files, renamed into place when complete
//
// Files:
//
//   - path.go: Path, the pure mapping from a URL to a file name (long
//     names shortened with a hash), and PathOptions for the layouts of
//     wget's -nH and -nd; ext.go: Extension and
//     AdjustExtension, from the Content-Type.
//   - disposition.go: DispositionName and WithName, for
//     Content-Disposition names made safe.
//   - store.go: Store, Open, Put and PutFile: atomic writes through an
//     os.Root; dircache.go keeps folder sub-roots open.
//   - names.go: the conflict rules (~file, ~dir, ~2) when a name is taken,
//     and Options.NoClobber.
//   - durable.go, sync_linux.go, sync_other.go: fsync with Options.Fsync,
//     and the end-of-run sync of Close.
//   - keep.go: Keep, Replace, Remove and ReadFile, for re-crawls that keep
//     each URL's name.
//   - original.go: the bodies as fetched of files rewritten by link
//     conversion, and ReadAsFetched.
//   - jsonl.go: JSONLWriter, one Write call per line, and the line reader.
//   - manifest.go: Record, ManifestWriter, ReadManifest and Saved.
package store
