package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
)

const (
	// ManifestName is the manifest's file name in the output directory.
	ManifestName = "manifest.jsonl"
	// RecordsName is the file name of the scraped records.
	RecordsName = "records.jsonl"

	// maxKeptBuf is the largest line buffer a JSONLWriter keeps between
	// lines; a bigger one, for a rare huge line, is left to the collector.
	maxKeptBuf = 64 << 10
)

// JSONLWriter writes JSON Lines: one JSON value per line. Each line,
// newline included, goes to the underlying writer in a single Write call,
// so lines of concurrent callers never interleave, and a process killed
// mid-way leaves at most one truncated last line, never a buffered half.
// After a failed write (which may have written part of a line), every
// later Write fails with the same error, so the part stays last.
//
// A *Record (or Record) is encoded by a hand-written encoder that gives
// the same bytes as encoding/json, several times faster and without
// allocating; any other value goes through encoding/json.
//
// A JSONLWriter is safe for concurrent use by multiple goroutines.
type JSONLWriter struct {
	mu     sync.Mutex
	w      io.Writer
	buf    []byte
	closed bool
	err    error // the first failed write: later writes fail with it
}

// NewJSONLWriter returns a JSONLWriter that writes to w. Close closes w if
// it is an io.Closer; w is not buffered, so each line is one w.Write.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	return &JSONLWriter{w: w}
}

// OpenJSONL opens the file name at the top of the output directory for
// appending, creating it if needed, and returns a JSONLWriter on it; the
// JSONLWriter must be closed. If the file ends with a line truncated by a
// crash, that line is removed first, so that the lines appended by this
// run do not follow a broken one.
func (s *Store) OpenJSONL(name string) (*JSONLWriter, error) {
	f, err := s.root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", name, err)
	}
	return appendLines(f, name)
}

// SetAside renames the file name of the output directory to aside, so
// that a new one starts; a missing file is no error. aside must not exist.
func (s *Store) SetAside(name, aside string) error {
	if _, err := s.root.Lstat(aside); err == nil {
		return fmt.Errorf("setting %s aside: %s exists", name, aside)
	}
	if err := s.root.Rename(name, aside); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("setting %s aside: %w", name, err)
	}
	return nil
}

// ReadJSONLKeys calls fn with the string value of key in each line of the
// file name of the output directory that has one; a missing file has
// none. A line cut short at the end is skipped.
func (s *Store) ReadJSONLKeys(name, key string, fn func(string)) error {
	err := s.eachJSONLine(name, key, func(_ []byte, v string, ok bool) {
		if ok {
			fn(v)
		}
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return nil
}

// eachJSONLine calls fn with each whole line of the file name of the
// output directory (a line cut short at the end is skipped), and the
// string value of key in it when it has one (ok).
func (s *Store) eachJSONLine(name, key string, fn func(line []byte, v string, ok bool)) error {
	f, err := s.root.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			var m map[string]json.RawMessage
			var v string
			ok := json.Unmarshal(line, &m) == nil && json.Unmarshal(m[key], &v) == nil
			fn(line, v, ok)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// CompactJSONL rewrites the file name of the output directory with one
// line per value of key, the last one written (lines without it are
// kept), in the order of those last lines. The new file replaces the old
// one atomically.
func (s *Store) CompactJSONL(name, key string) error {
	var lines [][]byte
	last := map[string]int{}
	err := s.eachJSONLine(name, key, func(line []byte, v string, ok bool) {
		if ok {
			if i, seen := last[v]; seen {
				lines[i] = nil // superseded
			}
			last[v] = len(lines)
		}
		lines = append(lines, line)
	})
	if err != nil {
		return fmt.Errorf("compacting %s: %w", name, err)
	}
	tmp := name + ".compact"
	out, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("compacting %s: %w", name, err)
	}
	w := bufio.NewWriter(out)
	for _, l := range lines {
		w.Write(l) // nil for a superseded line
	}
	err = w.Flush()
	if err == nil && s.opts.Fsync {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.root.Rename(tmp, name)
	}
	if err != nil {
		s.root.Remove(tmp)
		return fmt.Errorf("compacting %s: %w", name, err)
	}
	return nil
}

// appendLines returns a JSONLWriter on f, opened for appending as name,
// once the line a crash cut short at its end is removed.
func appendLines(f *os.File, name string) (*JSONLWriter, error) {
	if err := trimPartialLine(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("repairing %s: %w", name, err)
	}
	return NewJSONLWriter(f), nil
}

// AppendJSONL opens the file at path, anywhere, for appending as OpenJSONL
// does (a line cut short by a crash is removed first), creating it if
// needed. The JSONLWriter must be closed.
func AppendJSONL(path string) (*JSONLWriter, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return appendLines(f, path)
}

// trimPartialLine truncates f after its last newline.
func trimPartialLine(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	end := fi.Size()
	var chunk [4096]byte
	for off := end; off > 0; {
		n := int64(len(chunk))
		if off < n {
			n = off
		}
		off -= n
		if _, err := f.ReadAt(chunk[:n], off); err != nil {
			return err
		}
		if i := bytes.LastIndexByte(chunk[:n], '\n'); i >= 0 {
			if keep := off + int64(i) + 1; keep < end {
				return f.Truncate(keep)
			}
			return nil
		}
	}
	if end > 0 {
		return f.Truncate(0)
	}
	return nil
}

// Write writes v as one line. Values other than Record are encoded with
// encoding/json (json.Marshal rules, HTML characters escaped).
func (j *JSONLWriter) Write(v any) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return fmt.Errorf("writing json line: %w", fs.ErrClosed)
	}
	if j.err != nil {
		return j.err
	}
	var err error
	switch r := v.(type) {
	case *Record:
		if r != nil {
			j.buf, err = appendRecord(j.buf[:0], r)
			break
		}
		j.buf = append(j.buf[:0], "null"...)
	case Record:
		j.buf, err = appendRecord(j.buf[:0], &r)
	default:
		// json.Marshal allocates its result; an Encoder on a reused buffer
		// would save that copy but not the reflection, which dominates.
		var b []byte
		b, err = json.Marshal(v)
		j.buf = append(j.buf[:0], b...)
	}
	if err != nil {
		return fmt.Errorf("encoding json line: %w", err)
	}
	j.buf = append(j.buf, '\n')
	_, err = j.w.Write(j.buf)
	if cap(j.buf) > maxKeptBuf {
		j.buf = nil
	}
	if err != nil {
		// The write may have left part of the line (a full disk): no
		// line may follow it, so that it stays the last, which the next
		// OpenJSONL removes.
		j.err = fmt.Errorf("writing json line: %w", err)
		return j.err
	}
	return nil
}

// Sync makes the lines written so far durable, if the underlying writer
// can (an *os.File: fsync(2)); lines are already safe from a crash of the
// process once Write returns, Sync also protects them from a crash of the
// machine.
func (j *JSONLWriter) Sync() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return fmt.Errorf("syncing json lines: %w", fs.ErrClosed)
	}
	if j.err != nil {
		return j.err
	}
	if f, ok := j.w.(interface{ Sync() error }); ok {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("syncing json lines: %w", err)
		}
	}
	return nil
}

// Close closes the underlying writer if it is an io.Closer. Later Writes
// fail; a second Close does nothing.
func (j *JSONLWriter) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	if c, ok := j.w.(io.Closer); ok {
		if err := c.Close(); err != nil {
			return fmt.Errorf("closing json lines: %w", err)
		}
	}
	return nil
}

// readLines calls fn with each line of r, numbered from 1, without its
// newline; complete is false for a last line that has none. Blank lines
// are skipped. The line is only valid during the call.
func readLines(r io.Reader, fn func(n int, line []byte, complete bool) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("reading line %d: %w", n, err)
		}
		complete := err == nil
		if complete {
			line = line[:len(line)-1]
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if ferr := fn(n, line, complete); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}
