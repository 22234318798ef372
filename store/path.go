package store

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/crawl-go/crawl/internal/pct"
)

const (
	// MaxName is the longest path component Path returns, in bytes: the
	// limit of ext4, XFS, btrfs, APFS and tmpfs.
	MaxName = 255
	// MaxPath is the longest path Path returns, in bytes. Linux's PATH_MAX
	// is 4096 bytes with the final NUL, for the whole absolute path: this
	// leaves 295 bytes for the output directory and its "/". Path also
	// leaves room in the folder of every path it returns for a file name
	// of MaxName bytes, so that what a Store does to the file name (its
	// temporary names, the suffixes "~file" and "~2") and [AdjustExtension]
	// or a Content-Disposition name, which keep the file name within
	// MaxName, keep the path within MaxPath too. Only a "~dir" suffix on a
	// folder taken by a file can lengthen it, by 4 bytes per such folder.
	MaxPath = 3800
	// IndexName is the file name of a URL whose path ends in a slash.
	IndexName = "index.html"
	// emptyName spells an empty segment (from "//" in a URL path, or an
	// empty host). It is unambiguous because every other % in a name
	// starts a %XX escape.
	emptyName = "%"
	// hashLen is the number of hex digits of SHA-256 in a shortened name.
	hashLen = 16
	// maxExt is the longest extension a shortened name keeps.
	maxExt = 16
)

// Path maps a URL to the slash-separated path, relative to the output
// directory, under which its body is saved: HOST[_PORT]/PATH[?QUERY][.EXT].
//
// The host folder is the host name in lowercase without IPv6 brackets,
// with "_PORT" appended when the URL has a port other than its scheme's
// default. A leading dot of the host is escaped, so the folder is never
// hidden and never clashes with the .crawl work directory.
//
// Each segment of u.EscapedPath() is percent-decoded and then escaped for
// the file system, so that a URL path /a%20b/c.html is saved as "a b/c.html":
//
//   - "%" becomes %25, and "?" (which separates the query in a file name)
//     becomes %3F;
//   - "/" (from %2F), NUL, bytes 0x01-0x1F, 0x7F and bytes that are not
//     valid UTF-8 become %XX with uppercase hex;
//   - a segment that is exactly "." or ".." becomes %2E or %2E%2E;
//   - an empty segment (from "//") becomes a lone "%";
//   - every other byte, spaces and non-ASCII letters included, is kept.
//
// A path that ends in "/" (the empty path included) gets the file name
// index.html. A query is appended to the file name wget-style as
// "?QUERY", with "%", "/", control bytes and invalid UTF-8 of u.RawQuery
// escaped as above. When the file name (before the query) has no
// extension, one is appended from contentType's media type (see
// [Extension]), after the query: /search?q=1 served as text/html is saved
// as "search?q=1.html".
//
// Splitting a name at its first "?" and decoding every %XX (and a lone %
// as an empty segment) gives back the URL's path and query, except
// in these cases, where the manifest is the only record of the URL:
// index.html for a trailing slash, an added extension, a shortened name,
// and a name a Store changed to resolve a conflict.
//
// Long names are shortened so that any URL, however long, can be saved on
// the common file systems:
//
//   - a component longer than [MaxName] bytes is cut on a UTF-8 and escape
//     boundary and given the suffix "~" and 16 hex digits of the SHA-256
//     of the whole component, before its extension (of up to 16 bytes)
//     when it has one;
//   - when the folders of the path are too long to leave room for a file
//     name of MaxName bytes within [MaxPath], the path keeps the host
//     folder and the longest run of leading folders that leaves that room,
//     and the rest of the path, query included, becomes one file name:
//     the last component cut, "~", 16 hex digits of the SHA-256 of all
//     that was folded, and the extension.
//
// Every hash covers all of what it replaces, so the same URL always gets
// the same path, and shortening gives two URLs one path only on a 64-bit
// hash collision or for a URL that spells out another's shortened name
// (and a Store keeps even those apart: see [Store]). Shortened names
// cannot be turned back into the URL: the manifest, which records the
// path a Store returned, has it.
//
// Path never fails, whatever u holds: the result never starts with "/",
// has no empty, "." or ".." component and no NUL, so joined to the output
// directory it always stays inside it.
func Path(u *url.URL, contentType string) string {
	return PathOptions{}.Path(u, contentType)
}

// PathOptions says how [PathOptions.Path] lays out the mirror. The zero
// value is [Path]'s layout: a folder per host.
type PathOptions struct {
	// NoHostDirs leaves the host folder out, as wget's -nH: the URL's path
	// starts at the top of the output directory, and the URLs of two hosts
	// with the same path take the conflict suffixes of [Store] ("~2").
	NoHostDirs bool
	// NoDirs saves every file at the top of the output directory, under
	// the last segment of the URL's path (with its query and extension,
	// index.html for a path ending in "/"), as wget's -nd; it implies
	// NoHostDirs. URLs with the same file name take the conflict suffixes
	// of [Store]: index.html, index~2.html...
	NoDirs bool
}

// Path maps a URL to the path its body is saved under, as [Path] does,
// laid out as o says. Without the host folder, a top-level name that
// crawl uses itself ([ManifestName], [RecordsName], a name starting with
// [WorkDir]; compared without regard to case) has its first byte escaped
// as %XX ("%6Danifest.jsonl", "%2Ecrawl"), so that a URL never takes the
// place of the manifest or the work directory; decoding gives the URL's
// name back as for any other escape.
func (o PathOptions) Path(u *url.URL, contentType string) string {
	parts := make([]string, 0, 8)
	hosts := !o.NoHostDirs && !o.NoDirs
	if hosts {
		parts = append(parts, hostFolder(u))
	}

	p := strings.TrimPrefix(u.EscapedPath(), "/")
	var segs []string
	if p != "" {
		segs = strings.Split(p, "/")
	}
	file := IndexName
	if n := len(segs); n > 0 {
		if !o.NoDirs {
			for _, s := range segs[:n-1] {
				parts = append(parts, escapeSegment(s))
			}
		}
		if segs[n-1] != "" {
			file = escapeSegment(segs[n-1])
		}
	}

	hasExt := extIndex(file) > 0
	if u.RawQuery != "" || u.ForceQuery {
		file += "?" + escapeQuery(u.RawQuery)
	}
	if !hasExt {
		file += Extension(contentType)
	}
	parts = append(parts, file)
	if !hosts {
		parts[0] = escapeTop(parts[0])
	}
	for i, part := range parts {
		parts[i] = shorten(part)
	}
	return joinBounded(parts)
}

// escapeTop escapes the first byte of a top-level name that crawl's own
// files use.
func escapeTop(name string) string {
	if strings.EqualFold(name, ManifestName) || strings.EqualFold(name, RecordsName) ||
		len(name) >= len(WorkDir) && strings.EqualFold(name[:len(WorkDir)], WorkDir) {
		return "%" + string(upperHex[name[0]>>4]) + string(upperHex[name[0]&0xf]) + name[1:]
	}
	return name
}

// hostFolder returns the escaped host folder of u, before shortening.
func hostFolder(u *url.URL) string {
	host := u.Hostname()
	if utf8.ValidString(host) {
		host = strings.ToLower(host)
	} else {
		host = asciiLower(host)
	}
	// u.Host is stored decoded, so it is escaped without decoding first.
	h := escapeBytes(host, true)
	switch {
	case h == "":
		h = emptyName
	case h[0] == '.':
		h = "%2E" + h[1:]
	}
	if port := u.Port(); port != "" && !isDefaultPort(u.Scheme, port) {
		h += "_" + port
	}
	return h
}

func isDefaultPort(scheme, port string) bool {
	switch strings.ToLower(scheme) {
	case "http", "ws":
		return port == "80"
	case "https", "wss":
		return port == "443"
	}
	return false
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// escapeSegment percent-decodes one segment of an escaped URL path (a %
// not followed by two hex digits is kept as a literal %) and escapes the
// result for the file system as described on [Path].
func escapeSegment(seg string) string {
	switch dec := unescape(seg); dec {
	case "":
		return emptyName
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	default:
		return escapeBytes(dec, true)
	}
}

// escapeQuery escapes a raw query for the file system: only %, /,
// control bytes and invalid UTF-8 are escaped, so decoding every %XX
// gives back the raw query.
func escapeQuery(q string) string {
	return escapeBytes(q, false)
}

// unescape decodes %XX escapes; malformed ones are kept as they are.
func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && pct.IsHex(s[i+1]) && pct.IsHex(s[i+2]) {
			b = append(b, pct.Unhex(s[i+1])<<4|pct.Unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// escapeBytes escapes %, /, control bytes and invalid UTF-8 as %XX, and
// also ? when question is set (in a path segment, where ? would be taken
// for the start of the query).
func escapeBytes(s string, question bool) string {
	var b []byte // allocated at the first byte that needs escaping
	for i := 0; i < len(s); {
		c := s[i]
		size := 1
		esc := c < 0x20 || c == 0x7f || c == '%' || c == '/' || (question && c == '?')
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			esc = r == utf8.RuneError && size == 1
		}
		if esc && b == nil {
			b = make([]byte, 0, len(s)+8)
			b = append(b, s[:i]...)
		}
		switch {
		case esc:
			b = append(b, '%', upperHex[c>>4], upperHex[c&0xf])
		case b != nil:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	if b == nil {
		return s
	}
	return string(b)
}

const upperHex = "0123456789ABCDEF"

// extIndex returns the index of the dot that starts name's extension, or
// -1: the last dot, if it is neither the first nor the last byte.
func extIndex(name string) int {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || i == len(name)-1 {
		return -1
	}
	return i
}

// shorten returns name unchanged if it fits in MaxName bytes, and
// otherwise a hashed name of the same stem and extension.
func shorten(name string) string {
	if len(name) <= MaxName {
		return name
	}
	return hashName(name, name)
}

// hashName returns name, cut to fit, followed by "~", hashLen hex digits
// of the SHA-256 of key, and name's extension if it has a short one.
func hashName(name, key string) string {
	ext := ""
	if i := extIndex(name); i > 0 && len(name)-i <= maxExt {
		ext = name[i:]
		name = name[:i]
	}
	sum := sha256.Sum256([]byte(key))
	keep := MaxName - 1 - hashLen - len(ext)
	return name[:cutPoint(name, keep)] + "~" + hex.EncodeToString(sum[:hashLen/2]) + ext
}

// cutPoint returns the largest n <= max such that s[:n] ends neither
// inside a UTF-8 sequence nor inside a %XX escape.
func cutPoint(s string, max int) int {
	if len(s) <= max {
		return len(s)
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	switch {
	case n >= 1 && s[n-1] == '%':
		n--
	case n >= 2 && s[n-2] == '%':
		n -= 2
	}
	return n
}

// joinBounded joins parts, each at most MaxName bytes, with "/", folding
// trailing components into one hashed file name when the folders leave
// no room for a file name of MaxName bytes within MaxPath.
func joinBounded(parts []string) string {
	folders := len(parts) - 1 // the slashes
	for _, p := range parts[:len(parts)-1] {
		folders += len(p)
	}
	if folders+MaxName <= MaxPath {
		return strings.Join(parts, "/")
	}
	// Keep the longest prefix of folders that leaves room for one more
	// component of MaxName bytes; the first folder (the host's, at most
	// MaxName bytes) is always kept.
	k, n := 1, len(parts[0])
	for k < len(parts)-1 && n+1+len(parts[k])+1+MaxName <= MaxPath {
		n += 1 + len(parts[k])
		k++
	}
	last := parts[len(parts)-1]
	folded := hashName(last, strings.Join(parts[k:], "/"))
	return strings.Join(append(parts[:k:k], folded), "/")
}
