package sitemap

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// parseText reads the plain text form of a sitemap: one URL per line, lines
// ending with LF or CRLF. Blank lines are skipped, and so are lines that are
// not absolute http or https URLs, or that are longer than in can buffer
// (the protocol allows 2,048 characters). A document with lines but no URL
// among them is not a sitemap.
func parseText(in *bufio.Reader) (Result, error) {
	var res Result
	lines := 0
	for lineNo := 1; ; lineNo++ {
		line, err := in.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) {
			line = nil // too long for a URL: skip the rest of it
			_, err = in.ReadSlice('\n')
		}
		if err != nil && err != io.EOF {
			// A line cut short by an error may be a shorter URL.
			return res, fmt.Errorf("read sitemap text at line %d: %w", lineNo, err)
		}
		if s := bytes.TrimSpace(line); len(s) > 0 {
			lines++
			if u := string(s); validURL(u) {
				if res.count() >= MaxEntries {
					return res, fmt.Errorf("read sitemap text at line %d: more than %d entries: %w", lineNo, MaxEntries, ErrTooMany)
				}
				res.URLs = append(res.URLs, Entry{URL: u})
			}
		}
		if err == io.EOF {
			if lines > 0 && len(res.URLs) == 0 {
				return res, fmt.Errorf("read sitemap text: %d lines, none a URL: %w", lines, ErrNotSitemap)
			}
			return res, nil
		}
	}
}
