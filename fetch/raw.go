package fetch

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// This file holds Raw, the bytes of a response as they went over the
// connection: in memory, or spilled to disk past a size.

// Raw is a message as it went over a connection: in memory, or in a
// temporary file (Options.TempFile) once it grew past
// Options.SpillThreshold, so that a large response is never held whole in
// memory. It is not safe for concurrent use once handed out; its owner,
// the Exchange, releases it.
type Raw struct {
	pool *bufferPool
	buf  *buffer
	file *os.File
	n    int64
	err  error // a failed write to the spill file: the bytes are incomplete
}

// Len returns the number of bytes captured.
func (r *Raw) Len() int64 { return r.n }

// Bytes returns the bytes when they are in memory, and nil when they were
// spilled to a file or released. The slice is valid until the Exchange is
// released.
func (r *Raw) Bytes() []byte {
	if r.buf == nil || r.file != nil {
		return nil
	}
	return r.buf.Bytes()
}

// ReadAt implements io.ReaderAt over the captured bytes, in memory or in
// the spill file.
func (r *Raw) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("fetch: negative offset")
	}
	if off >= r.n {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n-off {
		p = p[:r.n-off]
		n, err := r.readAt(p, off)
		if err == nil {
			err = io.EOF
		}
		return n, err
	}
	return r.readAt(p, off)
}

func (r *Raw) readAt(p []byte, off int64) (int, error) {
	if r.file != nil {
		return r.file.ReadAt(p, off)
	}
	if r.buf == nil {
		return 0, errors.New("fetch: raw bytes released")
	}
	return copy(p, r.buf.Bytes()[off:]), nil
}

// write appends p, spilling to a file from tempFile once the bytes pass
// spillAt (never when tempFile is nil).
func (r *Raw) write(p []byte, spillAt int64, tempFile func() (*os.File, error)) {
	if r.err != nil {
		return
	}
	if r.file == nil && tempFile != nil && r.n+int64(len(p)) > spillAt {
		f, err := tempFile()
		if err == nil && r.buf != nil {
			_, err = f.Write(r.buf.Bytes())
		}
		if err != nil {
			if f != nil {
				f.Close()
				os.Remove(f.Name())
			}
			r.err = fmt.Errorf("spill captured bytes: %w", err)
			return
		}
		r.file = f
		if r.buf != nil {
			r.pool.put(r.buf)
			r.buf = nil
		}
	}
	if r.file != nil {
		if _, err := r.file.Write(p); err != nil {
			r.err = fmt.Errorf("spill captured bytes: %w", err)
			return
		}
	} else {
		if r.buf == nil {
			r.buf = r.pool.get()
		}
		r.buf.Grow(len(p))
		r.buf.Write(p)
	}
	r.n += int64(len(p))
}

// drop discards the first n bytes (interim 1xx responses). Only used
// while the bytes are in memory, when the final response has not been
// spilled yet; a spilled capture keeps them.
func (r *Raw) drop(n int64) {
	if r.file != nil || r.buf == nil || n <= 0 {
		return
	}
	b := r.buf.Bytes()
	m := copy(b, b[n:])
	r.buf.b = b[:m]
	r.n -= n
}

// release returns the memory to the pool and removes the spill file.
func (r *Raw) release() {
	if r.buf != nil {
		r.pool.put(r.buf)
		r.buf = nil
	}
	if r.file != nil {
		r.file.Close()
		os.Remove(r.file.Name())
		r.file = nil
	}
	r.n = 0
}
