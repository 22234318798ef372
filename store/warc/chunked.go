package warc

import (
	"errors"
	"io"
)

// errChunked reports malformed chunked framing.
var errChunked = errors.New("malformed chunked body")

// maxChunkLine bounds a chunk-size line or a trailer line.
const maxChunkLine = 4096

// Steps of a dechunker.
const (
	chunkSize    = iota // reading a chunk-size line
	chunkData           // reading chunk data
	chunkDataEnd        // expecting the CRLF after chunk data
	chunkTrailer        // reading trailer lines, after the last chunk
	chunkDone           // the message has ended
)

// dechunker removes the chunked transfer coding (RFC 9112 section 7.1)
// from what is written to it and writes the chunk data to out: the payload
// of a chunked response, which WARC-Payload-Digest is the digest of. It
// can be fed any split of the input. It is lenient where HTTP clients are
// (a bare LF for CRLF, chunk extensions and spaces after the size) and
// stops at the first error, keeping the data decoded so far. Bytes after
// the end of the message are ignored.
type dechunker struct {
	out  io.Writer
	step int
	left int64  // data bytes left in the current chunk
	line []byte // the line being read
	err  error
}

// complete reports whether the whole message was read: the last chunk and
// the trailer section.
func (d *dechunker) complete() bool { return d.step == chunkDone }

// Write implements io.Writer; it never fails, see err.
func (d *dechunker) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && d.err == nil && d.step != chunkDone {
		switch d.step {
		case chunkData:
			m := int64(len(p))
			if m > d.left {
				m = d.left
			}
			d.out.Write(p[:m])
			d.left -= m
			p = p[m:]
			if d.left == 0 {
				d.step = chunkDataEnd
			}
		case chunkDataEnd:
			switch p[0] {
			case '\r':
				if len(d.line) > 0 {
					d.err = errChunked
				}
				d.line = append(d.line, '\r')
			case '\n':
				d.line, d.step = d.line[:0], chunkSize
			default:
				d.err = errChunked
			}
			p = p[1:]
		default: // a line: size or trailer
			i := 0
			for i < len(p) && p[i] != '\n' {
				i++
			}
			d.line = append(d.line, p[:i]...)
			if len(d.line) > maxChunkLine {
				d.err = errChunked
				break
			}
			if i == len(p) {
				p = nil
				break
			}
			p = p[i+1:]
			d.endLine()
		}
	}
	return n, nil
}

// endLine handles a whole size or trailer line.
func (d *dechunker) endLine() {
	line := d.line
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	d.line = d.line[:0]
	if d.step == chunkTrailer {
		if len(line) == 0 {
			d.step = chunkDone
		}
		return
	}
	var size int64
	digits := 0
	for _, c := range line {
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			v = 0xff
		}
		if v == 0xff {
			break
		}
		if size > (1<<62)>>4 {
			d.err = errChunked
			return
		}
		size = size<<4 | int64(v)
		digits++
	}
	if digits == 0 {
		d.err = errChunked
		return
	}
	// What follows the digits may only be spaces or an extension.
	for _, c := range line[digits:] {
		if c == ';' {
			break
		}
		if c != ' ' && c != '\t' {
			d.err = errChunked
			return
		}
	}
	if size == 0 {
		d.step = chunkTrailer
		return
	}
	d.left, d.step = size, chunkData
}
