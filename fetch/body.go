package fetch

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
)

const (
	// readChunk is how much free space the buffer gets when a read finds it
	// full, and the smallest scratch space used while spilling.
	readChunk = 32 << 10
	// maxPreGrow bounds the allocation made up front from a Content-Length
	// header, which a server may inflate.
	maxPreGrow = 32 << 20
	// maxPooled is the largest buffer kept in the pool; bigger ones are left
	// to the garbage collector so one huge page does not pin its memory.
	maxPooled = 1 << 20
	// pooledBuffers is how many free buffers the pool keeps, so that it
	// holds at most pooledBuffers·maxPooled bytes (64 MiB) and in practice
	// a few pages' worth.
	pooledBuffers = 64
	// drainLimit is how much of an error response body is read (and thrown
	// away) so that its connection can be reused.
	drainLimit = 64 << 10
)

// Body is a response body read by Get: in memory, or in a temporary file
// when it was larger than Options.SpillThreshold. A Body is not safe for
// concurrent use. The caller must call Release when done with it.
type Body struct {
	pool  *bufferPool
	buf   *buffer  // nil once spilled or released
	file  *os.File // spill file, or nil
	taken bool     // the caller took the file with TakeFile
	n     int64
	sum   [sha256.Size]byte
}

// Bytes returns the body when it is held in memory, and nil when it was
// spilled to a file or has been released. The slice is only valid until
// Release: the memory is then reused for other bodies.
func (b *Body) Bytes() []byte {
	if b.buf == nil {
		return nil
	}
	return b.buf.Bytes()
}

// File returns the temporary file holding a spilled body, or nil when the
// body is in memory. The whole body has been written to it but not synced,
// and its offset is unspecified: read it with ReadAt or seek first. The file
// stays owned by the Body (Release closes and removes it) unless TakeFile is
// called.
func (b *Body) File() *os.File {
	return b.file
}

// TakeFile hands the spill file to the caller, who must then close it and
// rename or remove it; Release leaves it alone afterwards. It returns nil
// when the body is in memory.
func (b *Body) TakeFile() *os.File {
	if b.file != nil {
		b.taken = true
	}
	return b.file
}

// Len returns the body's length in bytes, after any decompression done by
// the transport.
func (b *Body) Len() int64 {
	return b.n
}

// SHA256 returns the SHA-256 digest of the body's bytes.
func (b *Body) SHA256() [sha256.Size]byte {
	return b.sum
}

// Release returns the memory buffer to the Fetcher's pool and closes and
// removes the spill file unless it was taken. Bytes and File return nil
// afterwards. Calling Release more than once, or on a nil Body, is harmless.
func (b *Body) Release() {
	if b == nil {
		return
	}
	if b.buf != nil {
		b.pool.put(b.buf)
		b.buf = nil
	}
	if b.file != nil && !b.taken {
		b.file.Close()
		os.Remove(b.file.Name())
	}
	b.file = nil
}

// buffer is the subset of bytes.Buffer that reading a body needs, grown
// with make rather than bytes.Buffer's append of a cleared slice: memory
// fresh from the operating system is then not cleared a second time,
// which measured a sixth of the CPU time of a crawl of 100 KB pages.
type buffer struct{ b []byte }

func (w *buffer) Bytes() []byte  { return w.b }
func (w *buffer) Reset()         { w.b = w.b[:0] }
func (w *buffer) Cap() int       { return cap(w.b) }
func (w *buffer) Available() int { return cap(w.b) - len(w.b) }

// AvailableBuffer returns the empty slice at the end of the buffer, whose
// capacity is the free space.
func (w *buffer) AvailableBuffer() []byte { return w.b[len(w.b):] }

// Grow makes room for at least n more bytes.
func (w *buffer) Grow(n int) {
	if w.Available() >= n {
		return
	}
	nb := make([]byte, len(w.b), max(2*cap(w.b), len(w.b)+n))
	copy(nb, w.b)
	w.b = nb
}

// Write appends p; when p is the free space returned by AvailableBuffer,
// the copy is of memory onto itself, which copy skips.
func (w *buffer) Write(p []byte) { w.b = append(w.b, p...) }

// bufferPool is a bounded free list of body buffers. Unlike a sync.Pool it
// is not emptied by the garbage collector, which matters here: a crawl
// allocates fast enough to collect every few milliseconds, and a buffer
// dropped by the pool comes back as fresh memory that the kernel must
// fault in and the runtime must zero (a fifth of the crawl's CPU time on
// 100 KB pages, measured). It keeps at most pooledBuffers buffers of at
// most maxPooled bytes each. It is safe for concurrent use.
type bufferPool struct {
	free chan *buffer
}

func newBufferPool() *bufferPool {
	return &bufferPool{free: make(chan *buffer, pooledBuffers)}
}

func (p *bufferPool) get() *buffer {
	select {
	case buf := <-p.free:
		return buf
	default:
		return new(buffer)
	}
}

func (p *bufferPool) put(buf *buffer) {
	if buf.Cap() > maxPooled {
		return
	}
	buf.Reset()
	select {
	case p.free <- buf:
	default: // full: let the garbage collector have it
	}
}

// readBody reads and closes resp.Body. It fails with ErrTooLarge before
// reading anything if the Content-Length is over the limit. Each chunk is
// read straight into the buffer's free space (or into scratch space while
// spilling) and fed to the hash in the same pass, so the bytes are neither
// copied again nor read twice. When c continues a partial download (resp
// is a 206 that check accepted), the body is appended to the partial's
// file, after hashing what it holds. On error nothing is kept: the buffer
// goes back to the pool and any spill file is removed, unless the body
// can be continued later: its file is then c's partial download.
func (f *Fetcher) readBody(resp *http.Response, c *call) (_ *Body, err error) {
	defer resp.Body.Close()
	limit, cl := f.maxSize, resp.ContentLength
	var from int64 // bytes continued from a partial download
	c.continued = nil
	if c.resume != nil {
		from = c.resume.size
	}
	total := cl // the whole body's length, -1 when unknown
	if cl >= 0 {
		total = from + cl
	}
	if limit > 0 && total > limit {
		c.dropResume()
		return nil, fmt.Errorf("content-length %d is over the limit of %d bytes: %w", total, limit, ErrTooLarge)
	}

	b := &Body{pool: f.bufs, buf: f.bufs.get()}
	var tr *transfer // set once the body is large enough to be listed
	defer func() {
		if tr != nil {
			f.transfers.end(tr)
		}
		if err != nil {
			if !errors.Is(err, ErrTooLarge) {
				c.keepPartial(b, resp, total)
			}
			b.Release()
		}
	}()
	var scratch []byte // read space once spilling
	spill := func() error {
		file, err := f.tempFile()
		if err != nil {
			return fmt.Errorf("%w: create spill file: %w", ErrLocal, err)
		}
		b.file = file
		if _, err := file.Write(b.buf.Bytes()); err != nil {
			return fmt.Errorf("%w: write spill file: %w", ErrLocal, err)
		}
		scratch = b.scratch()
		return nil
	}
	h := sha256.New()
	canSpill := f.tempFile != nil
	switch {
	case from > 0:
		// The body is the partial's file, which it owns from now on.
		b.file, b.n = c.resume.p.File, from
		c.continued, c.resume = c.resume.p, nil
		scratch = b.scratch()
		if _, err := io.Copy(h, io.NewSectionReader(b.file, 0, from)); err != nil {
			return nil, fmt.Errorf("%w: reading the partial download: %w", ErrLocal, err)
		}
		if _, err := b.file.Seek(from, io.SeekStart); err != nil {
			return nil, fmt.Errorf("%w: reading the partial download: %w", ErrLocal, err)
		}
	case canSpill && cl > f.spillAt:
		if err := spill(); err != nil {
			return nil, err
		}
	case cl > 0:
		// One more byte than announced, so the read that meets EOF does
		// not need to grow the buffer.
		b.buf.Grow(int(min(cl+1, maxPreGrow)))
	}

	tr = f.track(tr, resp, total, from, b.n)
	for {
		var p []byte
		if b.file == nil {
			if b.buf.Available() == 0 {
				b.buf.Grow(readChunk)
			}
			p = b.buf.AvailableBuffer()
			p = p[:cap(p)]
		} else {
			p = scratch
		}
		if limit > 0 && int64(len(p)) > limit+1-b.n {
			p = p[:limit+1-b.n] // one byte past the limit tells "too large"
		}
		n, rerr := resp.Body.Read(p)
		if n > 0 {
			if b.file == nil {
				// p is the buffer's own free space: Write only extends
				// the buffer's length (copy skips identical memory).
				b.buf.Write(p[:n])
			} else if _, err := b.file.Write(p[:n]); err != nil {
				return nil, fmt.Errorf("%w: write spill file: %w", ErrLocal, err)
			}
			// Counted once written, so that a partial download kept
			// on error holds b.n bytes.
			b.n += int64(n)
			h.Write(p[:n])
			if limit > 0 && b.n > limit {
				return nil, fmt.Errorf("body is over the limit of %d bytes: %w", limit, ErrTooLarge)
			}
			if b.file == nil && canSpill && b.n > f.spillAt {
				if err := spill(); err != nil {
					return nil, err
				}
			}
			tr = f.track(tr, resp, total, from, b.n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, rerr
		}
	}
	h.Sum(b.sum[:0])
	if b.file != nil {
		// The buffer only served as scratch space.
		b.pool.put(b.buf)
		b.buf = nil
	}
	return b, nil
}

// scratch empties b's buffer and returns its free space, of readChunk
// bytes at least: the read space of a body that goes to a file.
func (b *Body) scratch() []byte {
	b.buf.Reset()
	b.buf.Grow(readChunk)
	p := b.buf.AvailableBuffer()
	return p[:cap(p)]
}

// track lists a body of total bytes (-1: unknown) of which n are read, from
// of them continued from a partial download, in Options.Transfers once it
// is large enough, and updates its count; it returns its entry, nil
// while it is not listed.
func (f *Fetcher) track(tr *transfer, resp *http.Response, total, from, n int64) *transfer {
	if tr == nil && f.transfers != nil && max(total, n) >= MinTransfer {
		tr = f.transfers.start(resp.Request.URL.String(), total, from, n)
	}
	if tr != nil {
		tr.received.Store(n)
	}
	return tr
}
