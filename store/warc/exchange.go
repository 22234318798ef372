package warc

import (
	"crypto/sha1"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"time"
)

// Exchange is one HTTP fetch to archive: the request as sent and the
// response as received.
//
// The response is given in one of two forms. Response holds it as it came
// over the connection: status line, header fields and body as received,
// with any transfer coding (chunked) and content coding (gzip) still in
// place; this is the form a web archive wants, and the records then hold
// exactly those bytes. Or ResponseHead and Body give the head as received
// and the body with its transfer coding already removed, which the writer
// frames again when the head says chunked.
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
	// Response is the whole response as received, its head and its
	// message body, when the exchange is given in that form (ResponseHead
	// and Body are then empty). It must hold ResponseLen bytes and not
	// change during WriteExchange, which reads it twice and does not keep
	// it. Its payload, for WARC-Payload-Digest, is the message body with
	// any chunked transfer coding removed (WARC 1.1 section 6.3.2), up to
	// its Content-Length when it has one.
	Response io.ReaderAt
	// ResponseLen is the length of Response.
	ResponseLen int64
	// Truncated, when not empty, says why the body is shorter than the
	// response's: "length" (a size cap), "time", "disconnect" or
	// "unspecified". It becomes the response's WARC-Truncated field, and
	// such a record neither becomes a revisit nor is revisited. A Response
	// whose framing (Content-Length, chunks) says it is cut short gets
	// "unspecified" when Truncated is empty.
	Truncated string
	// RefersToURI and RefersToDate name, for a 304 Not Modified answer to
	// a conditional request, the earlier capture that is still current:
	// they become the WARC-Refers-To-Target-URI and WARC-Refers-To-Date
	// of its revisit record. Empty and zero leave the fields out.
	RefersToURI  string
	RefersToDate time.Time
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
	// Type is the WARC-Type of the second record: response or revisit.
	Type string
	// Profile is the revisit record's WARC-Profile; empty for a response.
	Profile string
	// Date is the records' WARC-Date.
	Date time.Time
	// Status is the response's status code, and ContentType its
	// Content-Type header, as a CDX index stores them.
	Status      int
	ContentType string
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
	res.Status, res.ContentType = p.status, p.contentType

	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return res, ErrClosed
	}
	if w.err != nil {
		return res, w.err
	}
	dedup := !w.opts.NoDedup && p.payloadLen > 0 && p.truncated == "" && !p.notModified
	if dedup {
		orig, ok, err := w.dedup.Lookup(p.payloadDigest)
		if err != nil {
			return res, fmt.Errorf("warc: write exchange %s: dedup index lookup: %w", ex.URL, err)
		}
		res.Revisit, res.RefersTo = ok, orig
	}
	res.Type = TypeResponse
	switch {
	case p.notModified:
		res.Type, res.Profile = TypeRevisit, ProfileServerNotModified
	case res.Revisit:
		res.Type, res.Profile = TypeRevisit, ProfileIdenticalPayload
	}
	res.RequestID, res.ResponseID = w.opts.NewRecordID(), w.opts.NewRecordID()
	res.Date = ex.Date
	if res.Date.IsZero() {
		res.Date = w.opts.Now()
	}
	d := formatDate(res.Date)

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
		res.Offset, err = w.writeRecord(w.respHdr.b, p.head, nil, nil, 0, nil)
	} else {
		res.Offset, err = w.writeRecord(w.respHdr.b, p.head, p.pre, p.body, p.bodyLen, p.tail)
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
	h.start(res.Type, res.ResponseID, date)
	h.add("WARC-Target-URI", ex.URL)
	h.add("WARC-IP-Address", ex.IP)
	h.add("WARC-Concurrent-To", res.RequestID)
	h.add("WARC-Warcinfo-ID", w.infoID)
	switch {
	case res.Revisit:
		h.add("WARC-Profile", ProfileIdenticalPayload)
		h.add("WARC-Refers-To", res.RefersTo.RecordID)
		h.add("WARC-Refers-To-Target-URI", res.RefersTo.TargetURI)
		h.add("WARC-Refers-To-Date", res.RefersTo.Date)
		h.add("Content-Type", contentTypeResponse)
		h.add("WARC-Payload-Digest", p.payloadDigest.String())
		h.add("WARC-Block-Digest", Digest(sha1.Sum(p.head)).String())
		blockLen = int64(len(p.head))
	case p.notModified:
		// WARC 1.1 section 6.7.3: the server said the earlier capture is
		// still current; the block is the response, which has no payload.
		h.add("WARC-Profile", ProfileServerNotModified)
		h.add("WARC-Refers-To-Target-URI", ex.RefersToURI)
		if !ex.RefersToDate.IsZero() {
			h.add("WARC-Refers-To-Date", formatDate(ex.RefersToDate))
		}
		h.add("Content-Type", contentTypeResponse)
		h.add("WARC-Block-Digest", p.blockDigest.String())
		h.add("WARC-Truncated", p.truncated)
		blockLen = p.blockLen
	default:
		h.add("Content-Type", contentTypeResponse)
		h.add("WARC-Payload-Digest", p.payloadDigest.String())
		h.add("WARC-Block-Digest", p.blockDigest.String())
		h.add("WARC-Truncated", p.truncated)
		blockLen = p.blockLen
	}
	respLen = int64(len(h.end(blockLen))) + blockLen + int64(len(recordEnd))
	return reqLen, respLen
}

// prepared is what WriteExchange learns of an exchange before it takes the
// Writer's lock. The response record's block is head, pre, bodyLen bytes
// of body, then tail.
type prepared struct {
	head       []byte // the response head
	pre, tail  []byte // chunk framing around the body, if it is framed again
	body       io.ReaderAt
	bodyLen    int64
	blockLen   int64 // of the response record's block
	raw        bool  // the exchange gives Response, not ResponseHead and Body
	chunked    bool  // the message body is chunked
	length     int64 // the Content-Length, or -1
	status     int
	method     string
	payloadLen int64
	// contentType is the Content-Type of the response.
	contentType string
	// notModified: a 304, written as a server-not-modified revisit.
	notModified bool
	truncated   string

	requestDigest, blockDigest, payloadDigest Digest
}

// maxResponseHead bounds the head of a Response, as net/http's transport
// does by default.
const maxResponseHead = 1 << 20

// prepare checks ex and works out the framing of its body.
func prepare(ex *Exchange) (*prepared, error) {
	switch {
	case ex.URL == "" || !validValue(ex.URL):
		return nil, fmt.Errorf("%w: bad URL %q", ErrInvalidExchange, ex.URL)
	case len(ex.Request) == 0:
		return nil, fmt.Errorf("%w: no request", ErrInvalidExchange)
	case ex.BodyLen < 0 || (ex.Body == nil && ex.BodyLen != 0):
		return nil, fmt.Errorf("%w: body length %d without a body", ErrInvalidExchange, ex.BodyLen)
	case ex.ResponseLen < 0 || (ex.Response == nil && ex.ResponseLen != 0):
		return nil, fmt.Errorf("%w: response length %d without a response", ErrInvalidExchange, ex.ResponseLen)
	case ex.Response != nil && (ex.ResponseHead != nil || ex.Body != nil):
		return nil, fmt.Errorf("%w: both Response and ResponseHead or Body", ErrInvalidExchange)
	case !validValue(ex.RefersToURI):
		return nil, fmt.Errorf("%w: bad refers-to URL %q", ErrInvalidExchange, ex.RefersToURI)
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
	p := &prepared{head: ex.ResponseHead, body: ex.Body, bodyLen: ex.BodyLen, truncated: ex.Truncated}
	if ex.Response != nil {
		head, err := readHead(ex.Response, ex.ResponseLen)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidExchange, err)
		}
		p.raw, p.head = true, head
		p.bodyLen = ex.ResponseLen - int64(len(head))
		p.body = io.NewSectionReader(ex.Response, int64(len(head)), p.bodyLen)
	}
	h, err := parseHead(p.head)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidExchange, err)
	}
	p.status, p.chunked, p.length, p.contentType = h.status, h.chunked, h.length, h.contentType
	p.method = requestMethod(ex.Request)
	p.notModified = p.status == 304
	if !p.raw && p.chunked && hasBody(p.method, p.status) {
		// One chunk holding the whole body, then the last chunk and the
		// empty trailer section (RFC 9112 section 7.1).
		if ex.BodyLen > 0 {
			p.pre = strconv.AppendInt(nil, ex.BodyLen, 16)
			p.pre = append(p.pre, crlf...)
			p.tail = append(p.tail, crlf...)
		}
		p.tail = append(p.tail, "0\r\n\r\n"...)
	}
	p.blockLen = int64(len(p.head)+len(p.pre)) + p.bodyLen + int64(len(p.tail))
	return p, nil
}

// digest computes the digests of ex in one pass over its body, with one of
// the Writer's buffers: it needs no lock. It also finds whether a Response
// is whole, by its framing.
func (w *Writer) digest(ex *Exchange, p *prepared) error {
	p.requestDigest = sha1.Sum(ex.Request)
	block, payload := sha1.New(), sha1.New()
	block.Write(p.head)
	block.Write(p.pre)
	// The payload of a Response is its body with the chunked coding
	// removed, and no more than its Content-Length.
	var payloadW io.Writer = &countingWriter{w: payload, n: &p.payloadLen}
	var dc *dechunker
	bodyHas := hasBody(p.method, p.status)
	limit := int64(-1)
	if p.raw && bodyHas {
		switch {
		case p.chunked:
			dc = &dechunker{out: payloadW}
			payloadW = dc
		case p.length >= 0:
			limit = p.length
		}
	}
	if p.raw && !bodyHas {
		payloadW = io.Discard
	}
	bp := w.bufs.Get().(*[]byte)
	defer w.bufs.Put(bp)
	buf := *bp
	var done int64
	for done < p.bodyLen {
		n, err := p.body.ReadAt(buf[:min(int64(len(buf)), p.bodyLen-done)], done)
		block.Write(buf[:n])
		pb := buf[:n]
		if limit >= 0 {
			pb = pb[:max(0, min(int64(n), limit-done))]
		}
		payloadW.Write(pb)
		done += int64(n)
		if err != nil && done < p.bodyLen {
			if err == io.EOF {
				err = ErrShortBody
			}
			return err
		}
	}
	block.Write(p.tail)
	p.blockDigest, p.payloadDigest = sum(block), sum(payload)
	if p.raw && p.truncated == "" && bodyHas &&
		(dc != nil && !dc.complete() || limit >= 0 && p.bodyLen < limit) {
		p.truncated = "unspecified"
	}
	return nil
}
