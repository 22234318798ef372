package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	crawl "github.com/crawl-go/crawl"
)

// maxLineLen bounds a line of a URL list; a longer line is reported as a
// bad URL and skipped.
const maxLineLen = 64 << 10

// readURLList reads a URL list: one URL per line, blank lines and lines
// starting with # skipped, surrounding white space trimmed. Every other
// line becomes a seed whose Source is name:line, so that a line which is
// not a valid URL is reported with its number by the crawl, and the rest
// go on.
func readURLList(r io.Reader, name string) ([]crawl.Seed, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var seeds []crawl.Seed
	for n := 1; ; n++ {
		line, long, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			return seeds, fmt.Errorf("reading %s: %w", name, err)
		}
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
		}
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' {
			s := crawl.Seed{URL: string(line), Source: fmt.Sprintf("%s:%d", name, n)}
			if long {
				s.URL = s.URL[:80] + "..."
				s.Err = fmt.Errorf("line longer than %d bytes", maxLineLen)
			}
			seeds = append(seeds, s)
		}
		if err != nil {
			return seeds, nil
		}
	}
}

// readLine returns the next line without its end of line. A line longer
// than maxLineLen is cut there, reported by long, and the rest of it is
// skipped. It returns io.EOF with the last line.
func readLine(br *bufio.Reader) (line []byte, long bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) <= maxLineLen {
			line = append(line, chunk...)
		} else {
			long = true
			line = append(line, chunk[:maxLineLen-len(line)]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), long, err
	}
}
