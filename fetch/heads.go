package fetch

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Exchange is one request and its response, as Options.KeepExchange keeps
// them for archives (WARC): one for each hop of a Get's last attempt, the
// redirects followed and the final response, whatever its status.
//
// With a transport made with TransportOptions.Capture, an exchange holds
// the bytes as they went over the connection (Wire is true): the request
// line and header fields as sent, and the status line, header fields and
// body as received, in their order, case and repetitions, the body still
// chunked or compressed if it came so. Otherwise (another transport, or an
// HTTPS proxy) it holds heads rebuilt from net/http's parsed form, and the
// decoded body of the final response only.
//
// An Exchange owns its bytes: call Release when done with it.
type Exchange struct {
	// URL is the URL of this hop's request.
	URL string
	// Date is when the request was sent.
	Date time.Time
	// RemoteIP is the address the connection went to: the server, or the
	// proxy in between. Empty when unknown.
	RemoteIP string
	// Request is the request as sent: request line, header fields, empty
	// line (a GET has no body).
	Request []byte
	// Response is the response as received: from its status line to
	// where it ended. Interim 1xx responses before it are left out.
	Response *Raw
	// Status is the response's status code.
	Status int
	// Wire reports that Request and Response are the bytes of the
	// connection, not rebuilt.
	Wire bool
	// Truncated, when not empty, says why Response ends before the
	// message did, in the words of WARC-Truncated: "length" (the body
	// was not read to its end: too large, or a redirect's body that was
	// not needed), "time" (a timeout), "disconnect" (the connection
	// failed) or "unspecified".
	Truncated string
}

// Release frees the exchange's bytes: a spill file is removed, memory
// goes back to the Fetcher's pool. Calling it again, or on nil, is
// harmless.
func (e *Exchange) Release() {
	if e == nil || e.Response == nil {
		return
	}
	e.Response.release()
}

// ReleaseExchanges releases every exchange of the response.
func (r *Response) ReleaseExchanges() {
	for _, ex := range r.Exchanges {
		ex.Release()
	}
}

// requestHead rebuilds the head of r as HTTP/1.1 would send it.
func requestHead(r *http.Request) []byte {
	var b bytes.Buffer
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	b.WriteString(r.Method + " " + r.URL.RequestURI() + " HTTP/1.1\r\nHost: " + host + "\r\n")
	writeHeader(&b, r.Header)
	return b.Bytes()
}

// responseHead rebuilds the head of resp. With a body length n of 0 or
// more, the head announces that length instead of any transfer coding,
// since the body that goes with it has been decoded.
func responseHead(resp *http.Response, n int64) []byte {
	var b bytes.Buffer
	b.WriteString(resp.Proto + " " + resp.Status + "\r\n")
	h := resp.Header
	switch {
	case n >= 0:
		h = h.Clone()
		h.Del("Transfer-Encoding")
		h.Set("Content-Length", strconv.FormatInt(n, 10))
	case slices.Contains(resp.TransferEncoding, "chunked"):
		h = h.Clone()
		h.Set("Transfer-Encoding", "chunked")
	}
	writeHeader(&b, h)
	return b.Bytes()
}

func writeHeader(b *bytes.Buffer, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			// A value cannot hold a line break (net/http refuses them);
			// were one there, it would break the record's head.
			if strings.ContainsAny(v, "\r\n") {
				v = strings.NewReplacer("\r", "", "\n", "").Replace(v)
			}
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteString("\r\n")
		}
	}
	b.WriteString("\r\n")
}

// exchanges turns the hops of the last attempt into Exchanges. In a
// rebuilt (not captured) final exchange, body becomes the body.
func (c *call) exchanges(body *Body) []*Exchange {
	var out []*Exchange
	for i, h := range c.hops {
		ex := h.exchange()
		if ex == nil {
			continue
		}
		if !ex.Wire && i == len(c.hops)-1 && body != nil {
			ex.Response.release()
			ex.Response.write(responseHead(h.got, body.Len()), c.f.spillAt, c.f.tempFile)
			ex.Truncated = ""
			copyBody(ex.Response, body, c.f)
		}
		out = append(out, ex)
	}
	c.hops = nil
	return out
}

// copyBody appends the bytes of body to r.
func copyBody(r *Raw, body *Body, f *Fetcher) {
	if b := body.Bytes(); b != nil {
		r.write(b, f.spillAt, f.tempFile)
		return
	}
	if body.File() == nil {
		return
	}
	buf := make([]byte, readChunk)
	sr := io.NewSectionReader(body.File(), 0, body.Len())
	for {
		n, err := sr.Read(buf)
		r.write(buf[:n], f.spillAt, f.tempFile)
		if err != nil {
			return
		}
	}
}

// dropHops releases the hops of an attempt that is being retried.
func (c *call) dropHops() {
	for _, h := range c.hops {
		h.release()
	}
	c.hops = nil
}
