package cdxj

import (
	"bufio"
	"bytes"
	"container/heap"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/crawl-go/crawl/internal/atomicfile"
)

// DefaultRunBytes is how many bytes of lines a Writer sorts in memory
// before it spills them to a temporary file: about 30,000 lines.
const DefaultRunBytes = 8 << 20

// Writer writes an index file whose lines are sorted, however many and in
// whatever order they are added, in bounded memory. Create one with
// Create. It is safe for concurrent use.
type Writer struct {
	path     string
	runBytes int

	mu    sync.Mutex
	lines [][]byte // the current run, unsorted
	size  int      // bytes in lines
	runs  []*os.File
	err   error // sticky: a run could not be spilled
	done  bool
}

// Create returns a Writer of the index at path; it writes nothing there
// until Close, which writes the whole file at once (through a temporary
// file renamed into place). runBytes bounds the lines held in memory;
// zero or less means DefaultRunBytes. Runs spill to temporary files in
// path's folder.
func Create(path string, runBytes int) (*Writer, error) {
	if runBytes <= 0 {
		runBytes = DefaultRunBytes
	}
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("cdxj: create %s: %w", path, err)
	}
	return &Writer{path: path, runBytes: runBytes}, nil
}

// Path returns the index file's path.
func (w *Writer) Path() string { return w.path }

// AddIndex adds the lines of the index read from r, another Writer's
// file for one; each must parse (ParseLine). Blank lines are skipped.
func (w *Writer) AddIndex(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, rerr := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			e, err := ParseLine(line)
			if err != nil {
				return fmt.Errorf("cdxj: line %d: %w", n, err)
			}
			if err := w.Add(&e); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("cdxj: reading line %d: %w", n, rerr)
		}
	}
}

// Add adds the line of e.
func (w *Writer) Add(e *Entry) error {
	line := e.AppendLine(nil)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return errors.New("cdxj: add after close")
	}
	if w.err != nil {
		return w.err
	}
	w.lines = append(w.lines, line)
	w.size += len(line)
	if w.size >= w.runBytes {
		if err := w.spill(); err != nil {
			w.err = err
			return err
		}
	}
	return nil
}

// spill writes the current run, sorted, to a temporary file.
func (w *Writer) spill() error {
	slices.SortFunc(w.lines, bytes.Compare)
	f, err := os.CreateTemp(filepath.Dir(w.path), ".cdxj-run-*")
	if err != nil {
		return fmt.Errorf("cdxj: spill a sorted run: %w", err)
	}
	bw := bufio.NewWriter(f)
	for _, l := range w.lines {
		bw.Write(l)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("cdxj: spill a sorted run: %w", err)
	}
	w.runs = append(w.runs, f)
	w.lines, w.size = nil, 0
	return nil
}

// Close merges the runs and the lines in memory into the index file and
// removes the temporary files. The Writer cannot be used afterwards.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return nil
	}
	w.done = true
	defer func() {
		for _, f := range w.runs {
			f.Close()
			os.Remove(f.Name())
		}
		w.runs, w.lines = nil, nil
	}()
	if w.err != nil {
		return w.err
	}
	slices.SortFunc(w.lines, bytes.Compare)
	err := atomicfile.Write(w.path, true, func(out io.Writer) error {
		bw := bufio.NewWriterSize(out, 64<<10)
		if err := w.merge(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		return fmt.Errorf("cdxj: %w", err)
	}
	return nil
}

// source is one sorted sequence of lines being merged.
type source struct {
	line []byte
	next func() ([]byte, error) // io.EOF at the end
}

type sources []*source

func (s sources) Len() int           { return len(s) }
func (s sources) Less(i, j int) bool { return bytes.Compare(s[i].line, s[j].line) < 0 }
func (s sources) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }
func (s *sources) Push(x any)        { *s = append(*s, x.(*source)) }
func (s *sources) Pop() any {
	old := *s
	x := old[len(old)-1]
	*s = old[:len(old)-1]
	return x
}

// merge writes the lines of every run and of memory to out, in order.
func (w *Writer) merge(out io.Writer) error {
	var h sources
	add := func(next func() ([]byte, error)) error {
		line, err := next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		h = append(h, &source{line: line, next: next})
		return nil
	}
	for _, f := range w.runs {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		br := bufio.NewReaderSize(f, 64<<10)
		if err := add(func() ([]byte, error) {
			l, err := br.ReadBytes('\n')
			if err == io.EOF && len(l) > 0 {
				err = nil
			}
			return l, err
		}); err != nil {
			return err
		}
	}
	mem := w.lines
	if err := add(func() ([]byte, error) {
		if len(mem) == 0 {
			return nil, io.EOF
		}
		l := mem[0]
		mem = mem[1:]
		return l, nil
	}); err != nil {
		return err
	}
	heap.Init(&h)
	for h.Len() > 0 {
		s := h[0]
		if _, err := out.Write(s.line); err != nil {
			return err
		}
		line, err := s.next()
		switch {
		case err == io.EOF:
			heap.Pop(&h)
		case err != nil:
			return err
		default:
			s.line = line
			heap.Fix(&h, 0)
		}
	}
	return nil
}
