package store

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/crawl-go/crawl/outcome"
)

// ManifestVersion is the schema version of Record, written as its "v".
//
// Version 2 added run, etag, last_modified and update, for re-crawls into
// the same directory (--update); a version 1 line reads as run 1.
// Version 3 added title, ip, ttfb_ms, headers (with --save-headers) and
// output (with -O); a line of an earlier version reads with them empty.
const ManifestVersion = 3

// Values of Record.Update.
const (
	UpdateNew         = "new"          // no earlier run had the URL
	UpdateChanged     = "changed"      // a new body, different from the earlier one
	UpdateUnchanged   = "unchanged"    // a new body, identical to the earlier one
	UpdateNotModified = "not_modified" // 304: the earlier file is kept, no body came
	UpdateRemoved     = "removed"      // 404 or 410 for a URL an earlier run saved
)

// Record is one line of DIR/manifest.jsonl: the outcome of one URL in one
// run. A directory crawled again with --update holds one line per URL and
// run; the line of the highest run is the current one.
type Record struct {
	V           int          `json:"v"`             // schema version, ManifestVersion
	Run         int          `json:"run,omitempty"` // 1 for the first crawl into DIR, +1 for each --update; 0 reads as 1
	URL         string       `json:"url"`
	FinalURL    string       `json:"final_url,omitempty"`
	Status      int          `json:"status"` // HTTP status of the final response, 0 if none
	ContentType string       `json:"content_type,omitempty"`
	Bytes       int64        `json:"bytes"`
	SHA256      string       `json:"sha256,omitempty"` // hex
	Path        string       `json:"path,omitempty"`   // relative to DIR, slash-separated
	Depth       int          `json:"depth"`
	Parent      string       `json:"parent,omitempty"`
	Redirects   []string     `json:"redirects,omitempty"`
	Error       string       `json:"error,omitempty"`
	ErrorKind   outcome.Kind `json:"error_kind,omitempty"` // empty on success
	Attempts    int          `json:"attempts"`
	DurationMS  int64        `json:"duration_ms"`
	FetchedAt   time.Time    `json:"fetched_at"`
	// ETag and LastModified are the validators of the response, sent
	// back by the next --update run.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Update says, in a --update run, how the URL compares with the
	// earlier run: one of the Update constants.
	Update string `json:"update,omitempty"`
	// Title is the <title> of an HTML body, as found in its first 32 KiB
	// (entities decoded, white space collapsed).
	Title string `json:"title,omitempty"`
	// IP is the address of the server the final response came from:
	// the proxy's, through a proxy.
	IP string `json:"ip,omitempty"`
	// TTFBMS is the time from the start of the final request (connecting
	// included, when it needed a new connection) to the first byte of
	// its response, in milliseconds rounded up: at least 1 when a
	// response came.
	TTFBMS int64 `json:"ttfb_ms,omitempty"`
	// Headers are the final response's header fields, with
	// --save-headers: each name, in Go's canonical case, with its values
	// in the order they came.
	Headers map[string][]string `json:"headers,omitempty"`
	// Output is the file -O wrote the body to, an absolute path, or "-"
	// for the standard output; Path is then empty.
	Output string `json:"output,omitempty"`
}

// RunNumber returns r.Run, or 1 for a line written before runs were
// numbered.
func (r *Record) RunNumber() int { return max(r.Run, 1) }

// ManifestWriter writes Records as JSON Lines. It is a JSONLWriter that
// only takes Records, with the same guarantees: one Write call per line,
// safe for concurrent use.
type ManifestWriter struct {
	l *JSONLWriter
}

// NewManifestWriter returns a ManifestWriter that writes to w. Close
// closes w if it is an io.Closer.
func NewManifestWriter(w io.Writer) *ManifestWriter {
	return &ManifestWriter{l: NewJSONLWriter(w)}
}

// OpenManifest opens DIR/manifest.jsonl for appending as OpenJSONL does.
// The ManifestWriter must be closed.
func (s *Store) OpenManifest() (*ManifestWriter, error) {
	l, err := s.OpenJSONL(ManifestName)
	if err != nil {
		return nil, err
	}
	return &ManifestWriter{l: l}, nil
}

// Write writes r as one line. A zero r.V is written as ManifestVersion;
// r itself is not modified.
func (m *ManifestWriter) Write(r *Record) error { return m.l.Write(r) }

// Sync makes the lines written so far durable (JSONLWriter.Sync).
func (m *ManifestWriter) Sync() error { return m.l.Sync() }

// Close closes the underlying writer if it is an io.Closer.
func (m *ManifestWriter) Close() error { return m.l.Close() }

// ReadManifest calls fn with each Record of a manifest read from r, in
// order, and stops at the first error fn returns, which it returns as it
// is. Each call gets a new Record, which fn may keep. Blank lines and
// fields unknown to this version are ignored.
//
// A last line that has no newline and is not valid JSON is skipped
// without error: it is the trace of a crawl killed while writing it.
// Any other malformed line is an error that gives its line number.
func ReadManifest(r io.Reader, fn func(*Record) error) error {
	return readLines(r, func(n int, line []byte, complete bool) error {
		rec := new(Record)
		if err := json.Unmarshal(line, rec); err != nil {
			if !complete {
				return nil
			}
			return fmt.Errorf("reading manifest line %d: %w", n, err)
		}
		return fn(rec)
	})
}

// appendRecord appends r as JSON to b, byte for byte as json.Marshal
// would, except that a zero V is written as ManifestVersion.
func appendRecord(b []byte, r *Record) ([]byte, error) {
	v := r.V
	if v == 0 {
		v = ManifestVersion
	}
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, int64(v), 10)
	if r.Run != 0 {
		b = append(b, `,"run":`...)
		b = strconv.AppendInt(b, int64(r.Run), 10)
	}
	b = append(b, `,"url":`...)
	b = appendString(b, r.URL)
	b = appendOptString(b, `,"final_url":`, r.FinalURL)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = appendOptString(b, `,"content_type":`, r.ContentType)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, r.Bytes, 10)
	b = appendOptString(b, `,"sha256":`, r.SHA256)
	b = appendOptString(b, `,"path":`, r.Path)
	b = append(b, `,"depth":`...)
	b = strconv.AppendInt(b, int64(r.Depth), 10)
	b = appendOptString(b, `,"parent":`, r.Parent)
	if len(r.Redirects) > 0 {
		b = append(b, `,"redirects":[`...)
		for i, s := range r.Redirects {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		b = append(b, ']')
	}
	b = appendOptString(b, `,"error":`, r.Error)
	b = appendOptString(b, `,"error_kind":`, string(r.ErrorKind))
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(r.Attempts), 10)
	b = append(b, `,"duration_ms":`...)
	b = strconv.AppendInt(b, r.DurationMS, 10)
	b = append(b, `,"fetched_at":"`...)
	b, err := r.FetchedAt.AppendText(b)
	if err != nil {
		return b, fmt.Errorf("encoding fetched_at: %w", err)
	}
	b = append(b, '"')
	b = appendOptString(b, `,"etag":`, r.ETag)
	b = appendOptString(b, `,"last_modified":`, r.LastModified)
	b = appendOptString(b, `,"update":`, r.Update)
	b = appendOptString(b, `,"title":`, r.Title)
	b = appendOptString(b, `,"ip":`, r.IP)
	if r.TTFBMS != 0 {
		b = append(b, `,"ttfb_ms":`...)
		b = strconv.AppendInt(b, r.TTFBMS, 10)
	}
	if len(r.Headers) > 0 {
		b = appendHeaders(append(b, `,"headers":`...), r.Headers)
	}
	b = appendOptString(b, `,"output":`, r.Output)
	return append(b, '}'), nil
}

// appendHeaders appends h as encoding/json writes a map of string lists:
// the names sorted, a nil list as null.
func appendHeaders(b []byte, h map[string][]string) []byte {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	b = append(b, '{')
	for i, k := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, k), ':')
		vs := h[k]
		if vs == nil {
			b = append(b, "null"...)
			continue
		}
		b = append(b, '[')
		for j, v := range vs {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, v)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendOptString(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendString(append(b, key...), s)
}

// appendString appends s as a JSON string with the escaping of
// encoding/json: quotes, backslashes and control bytes, <, > and & (as
// \u003c and so on), U+2028 and U+2029, and invalid UTF-8 as \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', lowerHex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const lowerHex = "0123456789abcdef"

// Saved maps each URL of a manifest to its line that names the URL's file
// now. Add the lines in the order of the manifest: a URL's latest line
// with a path wins, so a file kept by a later failure (a 500, a 404
// without --prune) is still found, and a URL whose file was pruned
// (update "removed" without a path) is forgotten.
type Saved map[string]*Record

// Add folds the next line of the manifest into s.
func (s Saved) Add(r *Record) {
	switch {
	case r.Path != "":
		s[r.URL] = r
	case r.Update == UpdateRemoved:
		delete(s, r.URL)
	}
}
