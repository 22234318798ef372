package parse

import (
	"bytes"
	"errors"
	"fmt"

	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"
)

// resultIn applies the edits, made to r.body, which was decoded from src
// in the encoding enc, to a copy of src: the bytes of src between the
// edits are kept, and each edit's text is encoded in enc. It checks that
// the copy decodes to r.body with the edits applied.
func (r *rewriter) resultIn(src []byte, enc encoding.Encoding) ([]byte, error) {
	r.sortEdits()
	at := srcOffsets{dec: enc.NewDecoder(), src: src}
	encoder := enc.NewEncoder()
	out := make([]byte, 0, len(src)+len(src)/8)
	last, lastSrc := 0, 0
	for _, e := range r.edits {
		if e.start < last {
			continue // cannot happen: edits do not overlap
		}
		start, err := at.seek(e.start)
		if err != nil {
			return nil, err
		}
		text, err := encoder.String(e.text)
		if err != nil {
			return nil, fmt.Errorf("writing the link text %q in the document's encoding: %w", e.text, err)
		}
		out = append(out, src[lastSrc:start]...)
		out = append(out, text...)
		if lastSrc, err = at.seek(e.end); err != nil {
			return nil, err
		}
		last = e.end
	}
	out = append(out, src[lastSrc:]...)
	got, err := enc.NewDecoder().Bytes(out)
	if err != nil {
		return nil, fmt.Errorf("decoding the rewritten document: %w", err)
	}
	if !bytes.Equal(got, r.result()) {
		return nil, errors.New("the rewritten document does not read back as rewritten in its encoding")
	}
	return out, nil
}

// srcOffsets maps offsets of a document decoded to UTF-8, in increasing
// order, to the offsets in its source of the bytes they were decoded from,
// by decoding the source again up to each.
type srcOffsets struct {
	dec             *encoding.Decoder
	src             []byte
	srcPos, textPos int       // how far dec has read src, and written
	buf             [512]byte // dec's output, discarded
}

// seek returns the offset in the source of the decoded offset to, which
// is not before the previous one sought. It fails if to falls inside what
// the decoder writes for one piece of the source (one character).
func (o *srcOffsets) seek(to int) (int, error) {
	for o.textPos < to {
		n := min(to-o.textPos, len(o.buf))
		nDst, nSrc, err := o.dec.Transform(o.buf[:n], o.src[o.srcPos:], true)
		o.srcPos += nSrc
		o.textPos += nDst
		switch {
		case err != nil && !errors.Is(err, transform.ErrShortDst):
			return 0, fmt.Errorf("decoding the document again up to byte %d: %w", to, err)
		case nDst == 0 && nSrc == 0:
			return 0, fmt.Errorf("byte %d of the decoded document is inside a character of the document as fetched", to)
		}
	}
	return o.srcPos, nil
}
