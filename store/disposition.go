package store

import (
	"mime"
	"path"
	"strings"
)

// DispositionName returns the file name that a Content-Disposition header
// value suggests ("attachment; filename=report.pdf", or the RFC 6266
// filename* form, which mime.ParseMediaType decodes), made safe as a single
// file name: anything before the last / or \ is dropped, a leading dot is
// escaped so the file is not hidden, control bytes, % and invalid UTF-8
// are escaped as in Path, and the name is bounded to MaxName bytes. It
// returns "" when the header gives no usable name. A server chooses this
// name, so the crawl uses it only when asked to (--content-disposition),
// and only as the last component of the URL's own folder.
func DispositionName(header string) string {
	_, params, err := mime.ParseMediaType(header)
	if err != nil {
		return ""
	}
	name := params["filename"]
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return ""
	}
	name = escapeBytes(name, true)
	if strings.HasPrefix(name, ".") {
		name = "%2E" + name[1:]
	}
	return shorten(name)
}

// WithName returns rel, a path from Path, with its last component
// replaced by name (from DispositionName).
func WithName(rel, name string) string {
	return path.Join(path.Dir(rel), name)
}
