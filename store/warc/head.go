package warc

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// This file holds the reading of HTTP heads for the records of an
// exchange: where a head ends, its status and the fields the records need.

// readHead returns the HTTP head at the start of r: up to and including
// its empty line.
func readHead(r io.ReaderAt, n int64) ([]byte, error) {
	buf := make([]byte, min(n, 16<<10))
	for {
		m, err := r.ReadAt(buf, 0)
		if m < len(buf) {
			if err == nil || err == io.EOF {
				err = ErrShortBody
			}
			return nil, fmt.Errorf("read response head: %w", err)
		}
		if end := headEnd(buf); end >= 0 {
			return buf[:end], nil
		}
		if int64(len(buf)) == n || len(buf) >= maxResponseHead {
			return nil, fmt.Errorf("response head does not end with an empty line within %d bytes", len(buf))
		}
		buf = make([]byte, min(n, int64(2*len(buf)), maxResponseHead))
	}
}

// headEnd returns the length of the HTTP head at the start of b, up to and
// including its empty line (CRLF or a bare LF), or -1 when b holds no
// whole head.
func headEnd(b []byte) int {
	for i := bytes.IndexByte(b, '\n'); i >= 0; {
		switch {
		case i+1 < len(b) && b[i+1] == '\n':
			return i + 2
		case i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n':
			return i + 3
		}
		j := bytes.IndexByte(b[i+1:], '\n')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return -1
}

// countingWriter counts what goes through it.
type countingWriter struct {
	w io.Writer
	n *int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	*c.n += int64(len(b))
	return c.w.Write(b)
}

// headInfo is what the writer needs of an HTTP response head.
type headInfo struct {
	status      int
	chunked     bool   // the transfer coding is chunked
	length      int64  // the Content-Length, or -1 when there is none
	contentType string // the Content-Type field's value
}

// parseHead checks an HTTP response head and returns what the writer needs
// of it. It accepts bare LF line ends, as HTTP clients do, but the head
// must end with its empty line and hold no other.
func parseHead(head []byte) (headInfo, error) {
	h := headInfo{length: -1}
	line, rest, ok := bytes.Cut(head, []byte("\n"))
	if !ok || !bytes.HasPrefix(line, []byte("HTTP/")) {
		return h, fmt.Errorf("response head does not start with a status line")
	}
	// "HTTP/1.1 200 OK": the code is the second word.
	_, code, _ := bytes.Cut(bytes.TrimRight(line, "\r"), []byte(" "))
	code, _, _ = bytes.Cut(code, []byte(" "))
	status, err := strconv.Atoi(string(code))
	if err != nil || status < 100 || status > 999 {
		return h, fmt.Errorf("bad status line %q", line)
	}
	h.status = status
	var codings []string
	haveLength, haveType := false, false
	for {
		line, rest, ok = bytes.Cut(rest, []byte("\n"))
		if !ok {
			return h, fmt.Errorf("response head does not end with an empty line")
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		v := strings.TrimSpace(string(value))
		switch {
		case strings.EqualFold(string(name), "Transfer-Encoding"):
			for c := range strings.SplitSeq(v, ",") {
				if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
					codings = append(codings, c)
				}
			}
		case strings.EqualFold(string(name), "Content-Length") && !haveLength:
			haveLength = true
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
				h.length = n
			}
		case strings.EqualFold(string(name), "Content-Type") && !haveType:
			haveType = true
			h.contentType = v
		}
	}
	if len(rest) > 0 {
		return h, fmt.Errorf("response head has %d bytes after its empty line", len(rest))
	}
	switch {
	case len(codings) == 0:
	case len(codings) == 1 && codings[0] == "chunked":
		h.chunked = true
		h.length = -1 // chunked framing wins (RFC 9112 section 6.3)
	default:
		return h, fmt.Errorf("unsupported transfer coding %q", strings.Join(codings, ", "))
	}
	return h, nil
}

// requestMethod returns the method of an HTTP request: its first word.
func requestMethod(req []byte) string {
	m, _, _ := bytes.Cut(req, []byte(" "))
	return string(m)
}

// hasBody reports whether a response to method with status has a body at
// all (RFC 9112 section 6.3): responses to HEAD, 1xx, 204 and 304
// responses have none, even when their header says chunked.
func hasBody(method string, status int) bool {
	return method != "HEAD" && status >= 200 && status != 204 && status != 304
}
