package warc

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// ErrFormat reports input that is not a well-formed WARC record. A record
// cut short is reported with io.ErrUnexpectedEOF instead.
var ErrFormat = errors.New("warc: malformed record")

const (
	// maxLine and maxHeader bound what a Reader holds in memory for one
	// header line and one record header.
	maxLine   = 64 << 10
	maxHeader = 1 << 20
)

// Record is a record read by a Reader.
type Record struct {
	// Version is the record's version line, as "WARC/1.1".
	Version string
	// Header holds the record's fields in order.
	Header Header
	// ContentLength is the length of Block, from the Content-Length field.
	ContentLength int64
	// Block reads the record's block. Reading it to io.EOF also checks
	// that the record ends as it should (its CRLF CRLF and, when the record
	// ends a gzip member, the member's checksum and length), so a record
	// whose Block reads to io.EOF without error is whole. A record cut
	// short fails with an error wrapping io.ErrUnexpectedEOF. Block is
	// only valid until the next call to Next.
	Block io.Reader
	// Offset is where the record starts in the input: where its gzip
	// member starts in a compressed file, the record's first byte in an
	// uncompressed one.
	Offset int64
}

// Type returns the record's WARC-Type.
func (r *Record) Type() string { return r.Header.Get("WARC-Type") }

// ID returns the record's WARC-Record-ID.
func (r *Record) ID() string { return r.Header.Get("WARC-Record-ID") }

// Reader reads the records of a WARC file: gzip-compressed record by record
// (as Writer writes them), gzip-compressed as a whole, or not compressed.
// It tells them apart by the first bytes. It holds at most one header in
// memory and streams blocks. A Reader is not safe for concurrent use; it
// never closes the underlying reader.
type Reader struct {
	raw        countReader // the input
	compressed bool
	gz         gzip.Reader
	in         *bufio.Reader // the records: raw, or the current gzip member
	started    bool
	memberDone bool  // the current gzip member has ended (or none began)
	member     int64 // offset in the input where the current member began
	pos        int64 // offset in the record stream of in's next byte
	rec        Record
	block      blockReader
	current    bool  // rec has been returned by Next
	err        error // sticky
}

// NewReader returns a Reader of the WARC file r.
func NewReader(r io.Reader) *Reader {
	return &Reader{raw: countReader{r: bufio.NewReaderSize(r, 64<<10)}, memberDone: true}
}

// Next returns the next record, skipping what is left of the previous
// one's Block. At the end of the input it returns io.EOF; when the input
// ends in the middle of a record, an error wrapping io.ErrUnexpectedEOF.
// The Record is only valid until the next call to Next.
func (r *Reader) Next() (*Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.current {
		r.current = false
		if _, err := io.Copy(io.Discard, &r.block); err != nil {
			r.err = err
			return nil, err
		}
	}
	rec, err := r.next()
	if err != nil {
		r.err = err
		return nil, err
	}
	r.current = true
	return rec, nil
}

func (r *Reader) next() (*Record, error) {
	if !r.started {
		r.started = true
		magic, _ := r.raw.r.Peek(2)
		r.compressed = len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
		if !r.compressed {
			r.in = r.raw.r
			r.memberDone = false
		}
	}
	var line []byte
	for {
		if r.compressed && r.memberDone {
			r.member = r.raw.n
			if err := r.gz.Reset(&r.raw); err != nil {
				if err == io.EOF {
					return nil, io.EOF
				}
				return nil, r.errorf(r.member, "start gzip member: %w", eofUnexpected(err))
			}
			r.gz.Multistream(false)
			if r.in == nil {
				r.in = bufio.NewReaderSize(&r.gz, 64<<10)
			} else {
				r.in.Reset(&r.gz)
			}
			r.memberDone = false
		}
		var err error
		line, err = r.readLine()
		if err == io.EOF && len(line) == 0 {
			if r.compressed {
				r.memberDone = true
				continue
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, r.errorf(r.start(), "read version: %w", eofUnexpected(err))
		}
		if len(bytes.TrimRight(line, "\r\n")) > 0 {
			break
		}
		// Be liberal: skip stray empty lines between records.
	}
	start := r.start() - int64(len(line))
	if r.compressed {
		start = r.member
	}
	version := string(bytes.TrimRight(line, "\r\n"))
	if len(version) < 6 || version[:5] != "WARC/" {
		return nil, r.errorf(start, "%w: version line %q", ErrFormat, clip(version))
	}
	r.rec = Record{Version: version, Offset: start}
	size := len(line)
	for {
		line, err := r.readLine()
		if err != nil {
			return nil, r.errorf(start, "read header: %w", eofUnexpected(err))
		}
		if size += len(line); size > maxHeader {
			return nil, r.errorf(start, "%w: header longer than %d bytes", ErrFormat, maxHeader)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			// A continuation of the previous field's value (WARC 1.1
			// section 4, "linear whitespace").
			if len(r.rec.Header) == 0 {
				return nil, r.errorf(start, "%w: header starts with a continuation line", ErrFormat)
			}
			f := &r.rec.Header[len(r.rec.Header)-1]
			f.Value += " " + string(bytes.TrimSpace(line))
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !validName(string(name)) {
			return nil, r.errorf(start, "%w: header line %q", ErrFormat, clip(string(line)))
		}
		r.rec.Header = append(r.rec.Header, Field{Name: string(name), Value: string(bytes.TrimSpace(value))})
	}
	cl := r.rec.Header.Get("Content-Length")
	n, err := strconv.ParseInt(cl, 10, 64)
	if err != nil || n < 0 {
		return nil, r.errorf(start, "%w: Content-Length %q", ErrFormat, clip(cl))
	}
	r.rec.ContentLength = n
	r.block = blockReader{r: r, n: n, start: start}
	r.rec.Block = &r.block
	return &r.rec, nil
}

// readLine reads one line of a header, at most maxLine bytes.
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.in.ReadSlice('\n')
	r.pos += int64(len(line))
	if err == bufio.ErrBufferFull {
		return nil, fmt.Errorf("%w: header line longer than %d bytes", ErrFormat, maxLine)
	}
	return line, err
}

// MemberStart returns, in a file compressed record by record (as Writer
// writes them), where the gzip member being read, or last read, starts.
// After Next, or a record's Block, fails with an error wrapping
// io.ErrUnexpectedEOF, the input before MemberStart holds whole records
// only: a file cut short by a killed writer can be truncated there. It is
// 0 for an uncompressed file.
func (r *Reader) MemberStart() int64 {
	if !r.compressed {
		return 0
	}
	return r.member
}

// start returns the offset of the next byte: in the input for a compressed
// file, the member's start; otherwise the position in the stream.
func (r *Reader) start() int64 {
	if r.compressed {
		return r.member
	}
	return r.pos
}

// endRecord checks what follows a block: CRLF CRLF, then in a compressed
// file either the end of the gzip member, whose checksum the gzip reader
// checks, or the next record of the same member.
func (r *Reader) endRecord() error {
	var end [len(recordEnd)]byte
	n, err := io.ReadFull(r.in, end[:])
	r.pos += int64(n)
	if err != nil {
		return eofUnexpected(err)
	}
	if string(end[:]) != recordEnd {
		return fmt.Errorf("%w: block not followed by CRLF CRLF", ErrFormat)
	}
	if r.compressed {
		if _, err := r.in.Peek(1); err == io.EOF {
			r.memberDone = true
		} else if err != nil {
			return eofUnexpected(err)
		}
	}
	return nil
}

func (r *Reader) errorf(offset int64, format string, args ...any) error {
	return fmt.Errorf("warc: record at offset %d: %w", offset, fmt.Errorf(format, args...))
}

// blockReader reads a record's block, then checks the record's end.
type blockReader struct {
	r     *Reader
	n     int64 // bytes of the block left
	start int64 // the record's offset, for errors
	err   error // sticky: io.EOF once the record is checked
}

func (b *blockReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.n == 0 {
		if err := b.r.endRecord(); err != nil {
			b.err = b.r.errorf(b.start, "end of record: %w", err)
		} else {
			b.err = io.EOF
		}
		return 0, b.err
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.in.Read(p)
	b.n -= int64(n)
	b.r.pos += int64(n)
	if err == io.EOF && b.n == 0 {
		err = nil
	}
	if err != nil {
		b.err = b.r.errorf(b.start, "read block: %w", eofUnexpected(err))
		return n, b.err
	}
	return n, nil
}

// eofUnexpected turns io.EOF, an end of input where more was due, into
// io.ErrUnexpectedEOF.
func eofUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// countReader counts the bytes read from r. It is an io.ByteReader so that
// gzip reads exactly its member from it and no further, which keeps the
// count at member boundaries exact.
type countReader struct {
	r *bufio.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}
