package warc

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Exchange is one HTTP fetch to archive: the request as sent and the
// response as received.
type Exchange struct {
	// URL is the URL fetched, the records' WARC-Target-URI.
	URL string
	// IP is the address of the server, the WARC-IP-Address; empty leaves
	// the field out. It is an IPv4 or IPv6 address without a port.
	IP string
	// Date is when the fetch began, the records' WARC-Date; zero means
	// Options.Now when the records are written.
	Date time.Time
	// Request is the HTTP request as sent: request line, header fields and
	// the empty line, followed by its body if it had one.
	Request []byte
	// ResponseHead is the status line and header fields of the response,
	// as received, up to and including the empty line that ends them.
	ResponseHead []byte
	// Body is the response's entity body: the bytes after the head with
	// any transfer coding removed (net/http does that) and the content
	// coding kept (so the transport must not decompress: request the
	// encodings yourself with Accept-Encoding, and keep the bytes as they
	// came). It must hold BodyLen bytes and not change during
	// WriteExchange, which reads it twice, once to digest it and once to
	// write it, and does not keep it. A *bytes.Reader, a *strings.Reader
	// or an *os.File will do; nil is an empty body.
	Body io.ReaderAt
	// BodyLen is the length of Body.
	BodyLen int64
	// Truncated, when not empty, says why the body is shorter than the
	// response's: "length" (a size cap), "time", "disconnect" or
	// "unspecified". It becomes the response's WARC-Truncated field, and
	// such a record neither becomes a revisit nor is revisited.
	Truncated string
}

// Result tells where the records of an exchange were written.
type Result struct {
	// File is the base name of the file that holds both records.
	File string
	// Offset is the offset in File of the response or revisit record's
	// gzip member, and Length is its size: what a CDX index stores.
	Offset, Length int64
	// RequestID and ResponseID are the WARC-Record-IDs of the request
	// record and of the response or revisit record.
	RequestID, ResponseID string
	// PayloadDigest is the digest of the body.
	PayloadDigest Digest
	// Revisit reports that the payload had been archived before, so the
	// second record is a revisit record referring to RefersTo.
	Revisit  bool
	RefersTo Original
}

// WriteExchange writes the records of ex: a request record, then a response
// record, or a revisit record when the Writer's DedupIndex already holds a
// response with the same payload digest. The records are in the same file,
// which WriteExchange starts first when they could take the current one
// past Options.MaxSize, and they are handed to the operating system before
// it returns.
//
// When WriteExchange fails, nothing of ex is left in the file, except for
// an error from the DedupIndex's Add, which is reported after the records
// were written. Errors wrap ErrInvalidExchange for an exchange that cannot
// be written, ErrShortBody for a body shorter than BodyLen, and ErrClosed
// after Close.
func (w *Writer) WriteExchange(ex *Exchange) (Result, error) {
	var res Result
	p, err := prepare(ex)
	if err != nil {
		return res, fmt.Errorf("warc: write exchange %s: %w", ex.URL, err)
	}
	if err := w.digest(ex, p); err != nil {
		return res, fmt.Errorf("warc: write exchange %s: digest body: %w", ex.URL, err)
	}
	res.PayloadDigest = p.payloadDigest

	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return res, ErrClosed
	}
	if w.err != nil {
		return res, w.err
	}
	dedup := !w.opts.NoDedup && ex.BodyLen > 0 && ex.Truncated == ""
	if dedup {
		orig, ok, err := w.dedup.Lookup(p.payloadDigest)
		if err != nil {
			return res, fmt.Errorf("warc: write exchange %s: dedup index lookup: %w", ex.URL, err)
		}
		res.Revisit, res.RefersTo = ok, orig
	}
	res.RequestID, res.ResponseID = w.opts.NewRecordID(), w.opts.NewRecordID()
	date := ex.Date
	if date.IsZero() {
		date = w.opts.Now()
	}
	d := formatDate(date)

	reqLen, respLen := w.formatHeaders(ex, p, &res, d)
	if w.opts.MaxSize > 0 && w.exchanges > 0 &&
		w.size()+maxCompressed(reqLen)+maxCompressed(respLen) > w.opts.MaxSize {
		if err := w.rotate(); err != nil {
			w.err = err
			return res, err
		}
		w.formatHeaders(ex, p, &res, d) // for the new WARC-Warcinfo-ID
	}

	start := w.size()
	if _, err := w.writeRecord(w.reqHdr.b, ex.Request, nil, nil, 0, nil); err != nil {
		w.rollback(start)
		return res, fmt.Errorf("warc: write request record of %s to %s: %w", ex.URL, w.name, err)
	}
	if res.Revisit {
		res.Offset, err = w.writeRecord(w.respHdr.b, ex.ResponseHead, nil, nil, 0, nil)
	} else {
		res.Offset, err = w.writeRecord(w.respHdr.b, ex.ResponseHead, p.head, p.body, ex.BodyLen, p.tail)
	}
	if err == nil {
		err = w.bw.Flush()
	}
	if err != nil {
		w.rollback(start)
		return res, fmt.Errorf("warc: write response record of %s to %s: %w", ex.URL, w.name, err)
	}
	res.Length = w.size() - res.Offset
	res.File = w.name
	w.exchanges++
	if dedup && !res.Revisit {
		o := Original{RecordID: res.ResponseID, TargetURI: ex.URL, Date: d}
		if err := w.dedup.Add(p.payloadDigest, o); err != nil {
			return res, fmt.Errorf("warc: write exchange %s: dedup index add: %w", ex.URL, err)
		}
	}
	return res, nil
}

// formatHeaders formats the headers of the two records of ex into
// w.reqHdr and w.respHdr and returns the records' full sizes.
func (w *Writer) formatHeaders(ex *Exchange, p *prepared, res *Result, date string) (reqLen, respLen int64) {
	h := &w.reqHdr
	h.start(TypeRequest, res.RequestID, date)
	h.add("WARC-Target-URI", ex.URL)
	h.add("WARC-IP-Address", ex.IP)
	h.add("WARC-Concurrent-To", res.ResponseID)
	h.add("WARC-Warcinfo-ID", w.infoID)
	h.add("Content-Type", contentTypeRequest)
	h.add("WARC-Block-Digest", p.requestDigest.String())
	reqLen = int64(len(h.end(int64(len(ex.Request))))) + int64(len(ex.Request)+len(recordEnd))

	h = &w.respHdr
	var blockLen int64
	if res.Revisit {
		h.start(TypeRevisit, res.ResponseID, date)
	} else {
		h.start(TypeResponse, res.ResponseID, date)
	}
	h.add("WARC-Target-URI", ex.URL)
	h.add("WARC-IP-Address", ex.IP)
	h.add("WARC-Concurrent-To", res.RequestID)
	h.add("WARC-Warcinfo-ID", w.infoID)
	if res.Revisit {
		h.add("WARC-Profile", ProfileIdenticalPayload)
		h.add("WARC-Refers-To", res.RefersTo.RecordID)
		h.add("WARC-Refers-To-Target-URI", res.RefersTo.TargetURI)
		h.add("WARC-Refers-To-Date", res.RefersTo.Date)
		h.add("Content-Type", contentTypeResponse)
		h.add("WARC-Payload-Digest", p.payloadDigest.String())
		h.add("WARC-Block-Digest", Digest(sha1.Sum(ex.ResponseHead)).String())
		blockLen = int64(len(ex.ResponseHead))
	} else {
		h.add("Content-Type", contentTypeResponse)
		h.add("WARC-Payload-Digest", p.payloadDigest.String())
		h.add("WARC-Block-Digest", p.blockDigest.String())
		h.add("WARC-Truncated", ex.Truncated)
		blockLen = p.blockLen
	}
	respLen = int64(len(h.end(blockLen))) + blockLen + int64(len(recordEnd))
	return reqLen, respLen
}

// prepared is what WriteExchange learns of an exchange before it takes the
// Writer's lock.
type prepared struct {
	body       io.ReaderAt
	head, tail []byte // chunk framing before and after the body, if any
	blockLen   int64  // of the response record's block

	requestDigest, blockDigest, payloadDigest Digest
}

// prepare checks ex and works out the framing of its body.
func prepare(ex *Exchange) (*prepared, error) {
	switch {
	case ex.URL == "" || !validValue(ex.URL):
		return nil, fmt.Errorf("%w: bad URL %q", ErrInvalidExchange, ex.URL)
	case len(ex.Request) == 0:
		return nil, fmt.Errorf("%w: no request", ErrInvalidExchange)
	case ex.BodyLen < 0 || (ex.Body == nil && ex.BodyLen != 0):
		return nil, fmt.Errorf("%w: body length %d without a body", ErrInvalidExchange, ex.BodyLen)
	}
	if ex.IP != "" {
		if _, err := netip.ParseAddr(ex.IP); err != nil {
			return nil, fmt.Errorf("%w: bad IP address %q", ErrInvalidExchange, ex.IP)
		}
	}
	switch ex.Truncated {
	case "", "length", "time", "disconnect", "unspecified":
	default:
		return nil, fmt.Errorf("%w: bad truncation reason %q", ErrInvalidExchange, ex.Truncated)
	}
	status, chunked, err := parseHead(ex.ResponseHead)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidExchange, err)
	}
	p := &prepared{body: ex.Body}
	if chunked && hasBody(requestMethod(ex.Request), status) {
		// One chunk holding the whole body, then the last chunk and the
		// empty trailer section (RFC 9112 section 7.1).
		if ex.BodyLen > 0 {
			p.head = strconv.AppendInt(nil, ex.BodyLen, 16)
			p.head = append(p.head, crlf...)
			p.tail = append(p.tail, crlf...)
		}
		p.tail = append(p.tail, "0\r\n\r\n"...)
	}
	p.blockLen = int64(len(ex.ResponseHead)+len(p.head)) + ex.BodyLen + int64(len(p.tail))
	return p, nil
}

// digest computes the digests of ex in one pass over its body, with one of
// the Writer's buffers: it needs no lock.
func (w *Writer) digest(ex *Exchange, p *prepared) error {
	p.requestDigest = sha1.Sum(ex.Request)
	block, payload := sha1.New(), sha1.New()
	block.Write(ex.ResponseHead)
	block.Write(p.head)
	bp := w.bufs.Get().(*[]byte)
	defer w.bufs.Put(bp)
	buf := *bp
	for done := int64(0); done < ex.BodyLen; {
		n, err := ex.Body.ReadAt(buf[:min(int64(len(buf)), ex.BodyLen-done)], done)
		block.Write(buf[:n])
		payload.Write(buf[:n])
		done += int64(n)
		if err != nil && done < ex.BodyLen {
			if err == io.EOF {
				err = ErrShortBody
			}
			return err
		}
	}
	block.Write(p.tail)
	p.blockDigest, p.payloadDigest = sum(block), sum(payload)
	return nil
}

// parseHead checks an HTTP response head and returns its status code and
// whether its transfer coding is chunked. It accepts bare LF line ends, as
// HTTP clients do, but the head must end with its empty line and hold no
// other.
func parseHead(head []byte) (status int, chunked bool, err error) {
	line, rest, ok := bytes.Cut(head, []byte("\n"))
	if !ok || !bytes.HasPrefix(line, []byte("HTTP/")) {
		return 0, false, fmt.Errorf("response head does not start with a status line")
	}
	// "HTTP/1.1 200 OK": the code is the second word.
	_, code, _ := bytes.Cut(bytes.TrimRight(line, "\r"), []byte(" "))
	code, _, _ = bytes.Cut(code, []byte(" "))
	if status, err = strconv.Atoi(string(code)); err != nil || status < 100 || status > 999 {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	var codings []string
	for {
		line, rest, ok = bytes.Cut(rest, []byte("\n"))
		if !ok {
			return 0, false, fmt.Errorf("response head does not end with an empty line")
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && strings.EqualFold(string(name), "Transfer-Encoding") {
			for c := range strings.SplitSeq(string(value), ",") {
				if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
					codings = append(codings, c)
				}
			}
		}
	}
	if len(rest) > 0 {
		return 0, false, fmt.Errorf("response head has %d bytes after its empty line", len(rest))
	}
	switch {
	case len(codings) == 0:
		return status, false, nil
	case len(codings) == 1 && codings[0] == "chunked":
		return status, true, nil
	}
	return 0, false, fmt.Errorf("unsupported transfer coding %q", strings.Join(codings, ", "))
}

// requestMethod returns the method of an HTTP request: its first word.
func requestMethod(req []byte) string {
	m, _, _ := bytes.Cut(req, []byte(" "))
	return string(m)
}

// hasBody reports whether a response to method with status has a body at
// all (RFC 9112 section 6.3): responses to HEAD, 1xx, 204 and 304
// responses have none, even when their header says chunked.
func hasBody(method string, status int) bool {
	return method != "HEAD" && status >= 200 && status != 204 && status != 304
}
