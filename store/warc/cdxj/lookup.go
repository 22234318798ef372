package cdxj

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
)

// Lookup returns the entries of rawURL in the sorted index file at path,
// in the order of their timestamps, found by binary search: it reads a
// few lines, whatever the size of the index.
func Lookup(path, rawURL string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cdxj: lookup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cdxj: lookup: %w", err)
	}
	es, err := Search(f, st.Size(), SURT(rawURL))
	if err != nil {
		return nil, fmt.Errorf("cdxj: lookup %s in %s: %w", rawURL, path, err)
	}
	return es, nil
}

// Search returns the entries whose SURT is surt in the sorted index r of
// size bytes. Lines with one SURT are adjacent in a sorted index, since
// the space after it sorts before any byte of a longer one.
func Search(r io.ReaderAt, size int64, surt string) ([]Entry, error) {
	key := []byte(surt + " ")
	// The first line at or after byte off.
	lineAt := func(off int64) (int64, []byte, error) {
		if off > 0 {
			// Find the end of the line holding byte off-1.
			br := bufio.NewReader(io.NewSectionReader(r, off-1, size-off+1))
			skip, err := br.ReadBytes('\n')
			if err == io.EOF {
				return size, nil, nil
			}
			if err != nil {
				return 0, nil, err
			}
			off += int64(len(skip)) - 1
		}
		if off >= size {
			return size, nil, nil
		}
		line, err := bufio.NewReader(io.NewSectionReader(r, off, size-off)).ReadBytes('\n')
		if err != nil && err != io.EOF {
			return 0, nil, err
		}
		return off, line, nil
	}
	lo, hi := int64(0), size
	for lo < hi {
		mid := lo + (hi-lo)/2
		_, line, err := lineAt(mid)
		if err != nil {
			return nil, err
		}
		if line == nil || bytes.Compare(line, key) >= 0 {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	start, _, err := lineAt(lo)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(io.NewSectionReader(r, start, size-start))
	var out []Entry
	for {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 || !bytes.HasPrefix(line, key) {
			break
		}
		e, perr := ParseLine(line)
		if perr != nil {
			return out, perr
		}
		out = append(out, e)
		if err != nil {
			break
		}
	}
	return out, nil
}
