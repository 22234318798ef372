package store

import (
	"path"
	"strings"
)

// This file holds the extensions a saved file gets from its Content-Type.

// Extension returns the file extension, with its dot, that Path adds for
// a Content-Type header value such as "text/html; charset=utf-8", or ""
// for a type not in its table. The table is fixed rather than taken from
// mime.ExtensionsByType, whose answer depends on the system's mime.types
// and comes in no stable order.
func Extension(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "text/html", "application/xhtml+xml":
		return ".html"
	case "text/css":
		return ".css"
	case "text/javascript", "application/javascript", "application/x-javascript":
		return ".js"
	case "application/json", "application/ld+json":
		return ".json"
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/svg+xml":
		return ".svg"
	case "image/avif":
		return ".avif"
	case "image/x-icon", "image/vnd.microsoft.icon":
		return ".ico"
	case "application/pdf":
		return ".pdf"
	case "text/plain":
		return ".txt"
	case "text/csv":
		return ".csv"
	case "text/markdown":
		return ".md"
	case "application/xml", "text/xml", "application/rss+xml", "application/atom+xml":
		return ".xml"
	case "font/woff":
		return ".woff"
	case "font/woff2":
		return ".woff2"
	case "font/ttf":
		return ".ttf"
	case "font/otf":
		return ".otf"
	case "application/wasm":
		return ".wasm"
	case "application/zip":
		return ".zip"
	case "application/gzip":
		return ".gz"
	case "video/mp4":
		return ".mp4"
	case "video/webm":
		return ".webm"
	case "audio/mpeg":
		return ".mp3"
	case "audio/ogg":
		return ".ogg"
	}
	return ""
}

// AdjustExtension returns rel, a path from [Path], with ".html" appended
// when contentType is HTML and the file name does not end in .html or .htm,
// and ".css" when it is CSS and the name does not end in .css, as wget's
// --adjust-extension does: a browser opening the file from disk, or a
// static server, then gives it the right type. "page.php" served as HTML
// becomes "page.php.html", "page.html?x=1" becomes "page.html?x=1.html".
// Other types, and names that already fit, are returned unchanged.
func AdjustExtension(rel, contentType string) string {
	ext := Extension(contentType)
	var ok []string
	switch ext {
	case ".html":
		ok = []string{".html", ".htm"}
	case ".css":
		ok = []string{".css"}
	default:
		return rel
	}
	dir, file := path.Split(rel)
	lower := strings.ToLower(file)
	for _, e := range ok {
		if strings.HasSuffix(lower, e) && len(file) > len(e) {
			return rel
		}
	}
	if len(file)+len(ext) > MaxName {
		return dir + hashName(file+ext, file)
	}
	return dir + file + ext
}
