// Package cdxj writes and searches CDXJ indexes of WARC files, the index
// that pywb and ReplayWeb.page read (Webrecorder's CDXJ specification):
// one line per archived response,
//
//	SURT TIMESTAMP {"url":...,"mime":...,"status":...,"digest":...,"length":...,"offset":...,"filename":...}
//
// sorted by the bytes of the lines, so that a URL's captures are found by
// binary search ([Lookup]). A [Writer] sorts any number of lines in
// bounded memory: it sorts runs in memory, spills them to temporary files
// and merges them when it is closed.
package cdxj

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ErrFormat reports a line that is not a CDXJ line.
var ErrFormat = errors.New("cdxj: malformed line")

// SURT returns the searchable form of an http or https URL, the first
// field of a line: without its scheme, its host reversed and comma
// separated with a leading "www." (or www2. ...) dropped, its port when
// not the default, then ")" and the path and the query with its
// parameters sorted, all in lower case. It follows warcio.js's getSurt,
// which ReplayWeb.page searches with: http://www.Example.com:8080/A?b=1&a=2
// is "com,example:8080)/a?a=2&b=1". Other URLs are returned unchanged.
func SURT(rawURL string) string {
	lower := strings.ToLower(rawURL)
	if !strings.HasPrefix(lower, "http:") && !strings.HasPrefix(lower, "https:") {
		return rawURL
	}
	u, err := url.Parse(lower)
	if err != nil {
		return rawURL
	}
	host := u.Hostname()
	if h, ok := strings.CutPrefix(host, "www"); ok {
		i := 0
		for i < len(h) && h[i] >= '0' && h[i] <= '9' {
			i++
		}
		if i < len(h) && h[i] == '.' {
			host = h[i+1:]
		}
	}
	parts := strings.Split(host, ".")
	slices.Reverse(parts)
	var b strings.Builder
	b.WriteString(strings.Join(parts, ","))
	if p := u.Port(); p != "" && !(p == "80" && u.Scheme == "http") && !(p == "443" && u.Scheme == "https") {
		b.WriteString(":" + p)
	}
	b.WriteString(")")
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	if u.RawQuery != "" || u.ForceQuery {
		args := strings.Split(u.RawQuery, "&")
		slices.Sort(args)
		b.WriteString("?" + strings.Join(args, "&"))
	}
	return b.String()
}

// Timestamp formats t as a line's second field: 14 digits, UTC.
func Timestamp(t time.Time) string {
	return t.UTC().Format("20060102150405")
}

// Entry is one line of an index.
type Entry struct {
	// SURT and Timestamp are the line's first two fields; Key sets them
	// from URL and a time.
	SURT      string `json:"-"`
	Timestamp string `json:"-"`
	// URL is the record's WARC-Target-URI.
	URL string `json:"url"`
	// Mime is the response's media type, without parameters, or
	// "warc/revisit" for a revisit record.
	Mime string `json:"mime"`
	// Status is the HTTP status code, as a string (pywb's form).
	Status string `json:"status"`
	// Digest is the record's WARC-Payload-Digest, when it has one.
	Digest string `json:"digest,omitempty"`
	// Length and Offset are the size and offset of the record's gzip
	// member in Filename, as decimal strings.
	Length   string `json:"length"`
	Offset   string `json:"offset"`
	Filename string `json:"filename"`
}

// Key sets e's SURT from its URL and its Timestamp from t.
func (e *Entry) Key(t time.Time) {
	e.SURT, e.Timestamp = SURT(e.URL), Timestamp(t)
}

// AppendLine appends e as a line, with its newline.
func (e *Entry) AppendLine(b []byte) []byte {
	js, _ := json.Marshal(e) // strings only: cannot fail
	b = append(b, e.SURT...)
	b = append(b, ' ')
	b = append(b, e.Timestamp...)
	b = append(b, ' ')
	b = append(b, js...)
	return append(b, '\n')
}

// ParseLine parses one line, with or without its newline.
func ParseLine(line []byte) (Entry, error) {
	var e Entry
	line = bytes.TrimRight(line, "\r\n")
	surt, rest, ok1 := bytes.Cut(line, []byte(" "))
	ts, js, ok2 := bytes.Cut(rest, []byte(" "))
	if !ok1 || !ok2 || len(surt) == 0 || len(ts) < 14 {
		return e, fmt.Errorf("%w: %.80q", ErrFormat, line)
	}
	if err := json.Unmarshal(js, &e); err != nil {
		return e, fmt.Errorf("%w: %.80q: %v", ErrFormat, line, err)
	}
	e.SURT, e.Timestamp = string(surt), string(ts)
	return e, nil
}

// MediaType returns the media type of a Content-Type value, lower case
// and without parameters, as an index stores it.
func MediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}
