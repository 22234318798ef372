package warc

import (
	"bufio"
	"compress/gzip"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

var (
	// ErrClosed reports a call on a Writer that Close has closed.
	ErrClosed = errors.New("warc: writer closed")
	// ErrInvalidExchange reports an Exchange that cannot be written: a
	// missing URL or message, a field value with a line break, a malformed
	// IP address, an HTTP head that does not end with an empty line, a
	// transfer coding other than chunked, or an unknown truncation reason.
	ErrInvalidExchange = errors.New("warc: invalid exchange")
	// ErrShortBody reports a body that ended before Exchange.BodyLen bytes.
	ErrShortBody = errors.New("warc: body shorter than its length")
)

// Options configures a Writer. Prefix is required; the zero value of every
// other field is a usable default.
type Options struct {
	// Dir is the folder of the files, created if needed. Empty means the
	// current folder.
	Dir string
	// Prefix starts every file name: PREFIX-00000.warc.gz and on. It must
	// be a plain name, without a path separator.
	Prefix string
	// MaxSize bounds the size of a file in bytes. The Writer starts a new
	// file before an exchange whose records could take the current file
	// past MaxSize, judged by the largest size their compressed form can
	// have. A file therefore never exceeds MaxSize unless it holds a single
	// exchange that is larger by itself, and files of text, which
	// compresses, end somewhat short of it. Zero means no limit: a single
	// file, still numbered PREFIX-00000.warc.gz so that every crawl's
	// files are found by the same pattern.
	MaxSize int64
	// Software is the warcinfo record's "software" field, "crawl/VERSION"
	// for crawl; empty means "crawl".
	Software string
	// Info holds more warcinfo fields, written in order after "software",
	// "format" and "conformsTo" (which Info must not repeat): typically
	// "hostname", "operator", "isPartOf", "robots" and
	// "http-header-user-agent".
	Info Header
	// Now returns the current time, for the warcinfo records and for
	// exchanges without a Date. Nil means time.Now. The Writer calls it
	// with its lock held, so it needs no lock of its own.
	Now func() time.Time
	// NewRecordID returns a fresh WARC-Record-ID, angle brackets included.
	// Nil means NewRecordID, random UUIDs; tests inject a counter. Like
	// Now, it is called with the Writer's lock held.
	NewRecordID func() string
	// Dedup is the index of payloads already archived. Nil means a new
	// MemoryIndex for this Writer.
	Dedup DedupIndex
	// NoDedup writes every response in full, never a revisit record.
	NoDedup bool
}

// Writer writes WARC files: the records of each Exchange, one gzip member
// per record, in files rotated at Options.MaxSize. Create one with Create.
//
// A Writer is safe for concurrent use. Concurrent WriteExchange calls
// digest their bodies in parallel, then take turns, under one lock, to
// compress and write their records: the two records of an exchange are
// adjacent in one file, and exchanges follow each other in the order their
// calls got the lock. The Writer owns its files and closes them; the caller
// must call Close.
type Writer struct {
	opts  Options
	dedup DedupIndex
	bufs  sync.Pool // *[]byte of bufSize, for digesting bodies

	mu        sync.Mutex
	f         *os.File
	bw        *bufio.Writer
	cw        countWriter // counts what goes into bw: the file's size
	gz        *gzip.Writer
	reqHdr    recordHeader // the request record's header
	respHdr   recordHeader // the response or revisit record's header
	buf       []byte       // for copying bodies into gz
	seq       int          // number of the current file
	name      string       // base name of the current file
	infoID    string       // WARC-Record-ID of the current file's warcinfo
	exchanges int          // exchanges in the current file
	files     []string
	err       error // a write failure that could not be undone; sticky
	closed    bool
}

// bufSize is the size of the buffers bodies are copied through.
const bufSize = 32 << 10

// Create creates the first file of a Writer and writes its warcinfo
// record; the caller must Close the Writer. It refuses to overwrite an
// existing file, from an earlier crawl with the same prefix: the error
// then wraps fs.ErrExist.
func Create(opts Options) (*Writer, error) {
	if opts.Prefix == "" || strings.ContainsAny(opts.Prefix, `/\`) || opts.Prefix == "." || opts.Prefix == ".." {
		return nil, fmt.Errorf("warc: create: invalid prefix %q", opts.Prefix)
	}
	if opts.MaxSize < 0 {
		return nil, fmt.Errorf("warc: create: negative MaxSize %d", opts.MaxSize)
	}
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if opts.Software == "" {
		opts.Software = "crawl"
	}
	if !validValue(opts.Software) {
		return nil, fmt.Errorf("warc: create: invalid software %q", opts.Software)
	}
	for _, f := range opts.Info {
		if !validName(f.Name) || !validValue(f.Value) {
			return nil, fmt.Errorf("warc: create: invalid info field %q: %q", f.Name, f.Value)
		}
		switch strings.ToLower(f.Name) {
		case "software", "format", "conformsto":
			return nil, fmt.Errorf("warc: create: info field %q is written by the writer", f.Name)
		}
	}
	opts.Info = append(Header(nil), opts.Info...)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewRecordID == nil {
		opts.NewRecordID = NewRecordID
	}
	w := &Writer{opts: opts, dedup: opts.Dedup, buf: make([]byte, bufSize)}
	if w.dedup == nil {
		w.dedup = new(MemoryIndex)
	}
	w.bufs.New = func() any { b := make([]byte, bufSize); return &b }
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("warc: create: %w", err)
	}
	w.gz, _ = gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

// fileName returns the base name of file number seq.
func (w *Writer) fileName(seq int) string {
	return fmt.Sprintf("%s-%05d.warc.gz", w.opts.Prefix, seq)
}

// open creates file number w.seq and writes its warcinfo record.
func (w *Writer) open() error {
	name := w.fileName(w.seq)
	path := filepath.Join(w.opts.Dir, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("warc: create file: %w", err)
	}
	w.f, w.name, w.exchanges = f, name, 0
	w.cw = countWriter{w: f}
	if w.bw == nil {
		w.bw = bufio.NewWriterSize(&w.cw, 64<<10)
	} else {
		w.bw.Reset(&w.cw)
	}
	w.files = append(w.files, path)
	if err := w.writeWarcinfo(); err != nil {
		f.Close()
		os.Remove(path)
		w.f = nil
		w.files = w.files[:len(w.files)-1]
		return fmt.Errorf("warc: write warcinfo of %s: %w", name, err)
	}
	// The new name must survive a power cut as well as the records do.
	if err := syncDir(w.opts.Dir); err != nil {
		return fmt.Errorf("warc: sync %s: %w", w.opts.Dir, err)
	}
	return nil
}

// writeWarcinfo writes the first record of the current file.
func (w *Writer) writeWarcinfo() error {
	var block []byte
	block = appendField(block, "software", w.opts.Software)
	block = appendField(block, "format", "WARC File Format 1.1")
	block = appendField(block, "conformsTo", "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/")
	for _, f := range w.opts.Info {
		block = appendField(block, f.Name, f.Value)
	}
	w.infoID = w.opts.NewRecordID()
	var h recordHeader
	h.start(TypeWarcinfo, w.infoID, formatDate(w.opts.Now()))
	h.add("WARC-Filename", w.name)
	h.add("Content-Type", contentTypeFields)
	h.add("WARC-Block-Digest", Digest(sha1.Sum(block)).String())
	if _, err := w.writeRecord(h.end(int64(len(block))), block, nil, nil, 0, nil); err != nil {
		return err
	}
	return w.bw.Flush()
}

// writeRecord writes one record as one gzip member: its header, then its
// block, which is head, then pre, then n bytes of body, then tail. It returns the
// offset of the member in the file. On error, the caller undoes the
// exchange with rollback.
func (w *Writer) writeRecord(header, head, pre []byte, body io.ReaderAt, n int64, tail []byte) (int64, error) {
	off := w.cw.n + int64(w.bw.Buffered())
	w.gz.Reset(w.bw)
	if _, err := w.gz.Write(header); err != nil {
		return off, err
	}
	if _, err := w.gz.Write(head); err != nil {
		return off, err
	}
	if _, err := w.gz.Write(pre); err != nil {
		return off, err
	}
	for done := int64(0); done < n; {
		m, err := body.ReadAt(w.buf[:min(int64(len(w.buf)), n-done)], done)
		if m > 0 {
			if _, err := w.gz.Write(w.buf[:m]); err != nil {
				return off, err
			}
			done += int64(m)
		}
		if err != nil && done < n {
			if err == io.EOF {
				err = ErrShortBody
			}
			return off, fmt.Errorf("read body: %w", err)
		}
	}
	if _, err := w.gz.Write(tail); err != nil {
		return off, err
	}
	if _, err := io.WriteString(w.gz, recordEnd); err != nil {
		return off, err
	}
	return off, w.gz.Close()
}

// size returns the size of the current file, buffered bytes included.
func (w *Writer) size() int64 { return w.cw.n + int64(w.bw.Buffered()) }

// rollback cuts the current file back to size, undoing a partly written
// exchange so that the file stays readable to its end. When that fails,
// the Writer is broken: every later call returns the error.
func (w *Writer) rollback(size int64) {
	w.bw.Reset(&w.cw)
	if err := w.f.Truncate(size); err != nil {
		w.err = fmt.Errorf("warc: undo partial record in %s: %w", w.name, err)
		return
	}
	if _, err := w.f.Seek(size, io.SeekStart); err != nil {
		w.err = fmt.Errorf("warc: undo partial record in %s: %w", w.name, err)
		return
	}
	w.cw.n = size
}

// rotate finishes the current file and opens the next one.
func (w *Writer) rotate() error {
	if err := w.finish(); err != nil {
		return err
	}
	w.seq++
	return w.open()
}

// finish flushes, fsyncs and closes the current file.
func (w *Writer) finish() error {
	f := w.f
	w.f = nil
	err := w.bw.Flush()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("warc: finish %s: %w", w.name, err)
	}
	return nil
}

// Sync makes every record written so far durable: it fsyncs the current
// file. Records are already safe from a crash of the process when
// WriteExchange returns; Sync also protects them from a crash of the
// machine.
func (w *Writer) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		return fmt.Errorf("warc: sync %s: %w", w.name, err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("warc: sync %s: %w", w.name, err)
	}
	return nil
}

// Close flushes, fsyncs and closes the current file, then fsyncs the
// folder. The Writer cannot be used afterwards; calling Close again returns
// nil. It does not close Options.Dedup.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	if w.f == nil {
		return w.err
	}
	err := w.finish()
	if err == nil {
		if serr := syncDir(w.opts.Dir); serr != nil {
			err = fmt.Errorf("warc: sync %s: %w", w.opts.Dir, serr)
		}
	}
	return errors.Join(w.err, err)
}

// Files returns the paths of the files created so far, in order; the last
// one is being written until Close.
func (w *Writer) Files() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.files...)
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// syncDir fsyncs a folder so that the names created in it are durable.
// Windows cannot open a folder for that, and needs no such step.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// maxCompressed bounds the size of the gzip member that compress/gzip
// makes of n bytes: data that does not compress is written in stored
// blocks of at most 64 KiB with 5 bytes of framing each, or in Huffman
// blocks no longer than n plus n/1024, and the member adds 18 bytes of
// header and trailer. The margin is generous; a test checks the bound on
// random data.
func maxCompressed(n int64) int64 {
	return n + n/512 + 256
}
