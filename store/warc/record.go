package warc

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"
)

// Version is the WARC version line this package writes.
const Version = "WARC/1.1"

// Record types, the values of the WARC-Type field.
const (
	TypeWarcinfo = "warcinfo"
	TypeRequest  = "request"
	TypeResponse = "response"
	TypeRevisit  = "revisit"
)

// ProfileIdenticalPayload is the WARC-Profile of a revisit record whose
// payload is identical to that of the record it refers to (WARC 1.1
// section 6.7.2).
const ProfileIdenticalPayload = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"

// ProfileServerNotModified is the WARC-Profile of a revisit record that
// holds a 304 Not Modified answer to a conditional request: the server
// said the earlier capture is still current (WARC 1.1 section 6.7.3).
const ProfileServerNotModified = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"

const (
	contentTypeRequest  = "application/http;msgtype=request"
	contentTypeResponse = "application/http;msgtype=response"
	contentTypeFields   = "application/warc-fields"

	// dateLayout is WARC-Date's form. WARC 1.1 allows fractions of a
	// second; six digits, always written, follow warcio and keep the field
	// a fixed width.
	dateLayout = "2006-01-02T15:04:05.000000Z"

	crlf = "\r\n"
	// recordEnd follows every block.
	recordEnd = "\r\n\r\n"
)

// Field is one named field of a WARC record header or of a warcinfo block.
type Field struct {
	Name, Value string
}

// Header is the ordered list of fields of a WARC record header. Names are
// compared without regard to case, as WARC 1.1 section 4 requires.
type Header []Field

// Get returns the value of the first field called name, or "" when there is
// none.
func (h Header) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Values returns the values of every field called name, in order.
func (h Header) Values(name string) []string {
	var vs []string
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// appendField appends "name: value\r\n". The caller has checked both.
func appendField(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, crlf...)
}

// validName reports whether s is a non-empty token (RFC 9110 section 5.6.2),
// the form of WARC field names.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validValue reports whether s can be written as a field value on one line:
// no control characters but tab. This is what stops a URL or a caller's
// field from injecting header lines.
func validValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// formatDate formats t as a WARC-Date: UTC, to the microsecond.
func formatDate(t time.Time) string {
	return t.UTC().Format(dateLayout)
}

// NewRecordID returns a new WARC-Record-ID: a random (version 4) UUID from
// crypto/rand as a URN in angle brackets, "<urn:uuid:...>". It is the
// default of Options.NewRecordID.
func NewRecordID() string {
	var u [16]byte
	// crypto/rand's Read never fails since Go 1.24.
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // variant 10 (RFC 9562)
	var b [47]byte
	n := copy(b[:], "<urn:uuid:")
	for i, part := range [][]byte{u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]} {
		if i > 0 {
			b[n] = '-'
			n++
		}
		n += hex.Encode(b[n:], part)
	}
	b[n] = '>'
	return string(b[:])
}

// Digest is a SHA-1 digest of a block or payload.
type Digest [sha1.Size]byte

// String returns d as WARC writes it: "sha1:" and the base32 (RFC 4648)
// encoding, 32 upper-case letters and digits.
func (d Digest) String() string {
	var b [5 + 32]byte
	copy(b[:], "sha1:")
	base32.StdEncoding.Encode(b[5:], d[:])
	return string(b[:])
}

// ParseDigest parses the "sha1:BASE32" form of String. It accepts the
// algorithm name in any case, as WARC 1.1 section 5.8 allows.
func ParseDigest(s string) (Digest, error) {
	var d Digest
	algo, val, ok := strings.Cut(s, ":")
	if !ok || !strings.EqualFold(algo, "sha1") {
		return d, fmt.Errorf("warc: parse digest %q: not sha1", s)
	}
	b, err := base32.StdEncoding.DecodeString(strings.ToUpper(val))
	if err != nil || len(b) != len(d) {
		return d, fmt.Errorf("warc: parse digest %q: bad base32 value", s)
	}
	copy(d[:], b)
	return d, nil
}

// sum returns the digest of h, which must be a SHA-1 hash.
func sum(h hash.Hash) Digest {
	var d Digest
	h.Sum(d[:0])
	return d
}

// recordHeader builds the header of one record, in a reused buffer.
type recordHeader struct {
	b []byte
}

// start begins a header with the version line and the fields every record
// has, in the order the Internet Archive's tools write them.
func (h *recordHeader) start(typ, id, date string) {
	h.b = append(h.b[:0], Version...)
	h.b = append(h.b, crlf...)
	h.b = appendField(h.b, "WARC-Type", typ)
	h.b = appendField(h.b, "WARC-Record-ID", id)
	h.b = appendField(h.b, "WARC-Date", date)
}

// add adds one field; an empty value leaves it out.
func (h *recordHeader) add(name, value string) {
	if value != "" {
		h.b = appendField(h.b, name, value)
	}
}

// end adds Content-Length, the last field, and the empty line, and returns
// the header. It is valid until the next start.
func (h *recordHeader) end(contentLength int64) []byte {
	h.b = append(h.b, "Content-Length: "...)
	h.b = strconv.AppendInt(h.b, contentLength, 10)
	h.b = append(h.b, crlf+crlf...)
	return h.b
}
