package fetch

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// maxRequestBytes bounds the request bytes kept of one hop: a GET with
// its headers is a few hundred bytes, so anything past this is not worth
// keeping.
const maxRequestBytes = 1 << 20

// captureConn is a connection of a transport made with
// TransportOptions.Capture: while a hop is attached to it, the bytes
// written go to the hop's request and the bytes read to its response. A
// connection carries one request at a time (HTTP/1.1 without pipelining,
// as net/http speaks it), and a hop attaches itself when the transport
// hands it the connection (httptrace's GotConn), before its request is
// written, and detaches when its response has ended, before the
// connection can serve another request: every byte goes to the hop whose
// exchange it belongs to.
type captureConn struct {
	net.Conn
	ip  string // the address connected to, without the port
	hop atomic.Pointer[hop]
}

func newCaptureConn(c net.Conn, under net.Conn) *captureConn {
	cc := &captureConn{Conn: c}
	if a, ok := under.RemoteAddr().(*net.TCPAddr); ok {
		cc.ip = a.IP.String()
	}
	return cc
}

// Read reads from the connection and hands what came to the attached hop.
func (c *captureConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		if h := c.hop.Load(); h != nil {
			h.read(p[:n])
		}
	}
	return n, err
}

// Write hands p to the attached hop, then writes it to the connection,
// and takes back from the hop what did not go. The hop gets the bytes
// first: once they are out, the response can come back and end the hop
// before this goroutine runs again, and the exchange would have no
// request.
func (c *captureConn) Write(p []byte) (int, error) {
	h := c.hop.Load()
	kept := h != nil && h.wrote(p)
	n, err := c.Conn.Write(p)
	if kept && n < len(p) {
		h.unwrite(len(p) - n)
	}
	return n, err
}

// hop is one request and response of a Get: the first request, or one
// redirect. It records the bytes of its exchange as the connection carries
// them. Its byte handlers run on the transport's goroutines, everything
// else on the goroutine of Get; mu guards what they share.
type hop struct {
	f   *Fetcher
	url string
	req *http.Request // as given to the transport, for a rebuilt exchange

	mu      sync.Mutex
	conn    *captureConn // nil: the connection is not captured
	wire    bool
	date    time.Time
	request []byte
	resp    Raw
	done    bool // detached: later bytes are not this hop's
	eof     bool // the response body was read to its end
	err     error
	got     *http.Response // the parsed response, once the transport returned it
}

// gotConn attaches the hop to the connection the transport gave it. A
// transport that retries a request on another connection calls it again:
// what the first one carried is then dropped.
func (h *hop) gotConn(info httptrace.GotConnInfo) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done {
		return
	}
	if h.conn != nil {
		h.conn.hop.CompareAndSwap(h, nil)
	}
	h.request, h.date = h.request[:0], time.Time{}
	h.resp.release()
	h.resp.err = nil
	cc, ok := info.Conn.(*captureConn)
	if !ok {
		h.conn, h.wire = nil, false
		return
	}
	h.conn, h.wire = cc, true
	cc.hop.Store(h)
}

// wrote records p, bytes about to be written, and reports whether it
// kept them.
func (h *hop) wrote(p []byte) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done {
		return false
	}
	if h.date.IsZero() {
		h.date = time.Now()
	}
	if len(h.request)+len(p) > maxRequestBytes {
		return false
	}
	h.request = append(h.request, p...)
	return true
}

// unwrite drops the last n bytes wrote kept, which were not written after
// all; not once the hop is done, since its exchange may own them.
func (h *hop) unwrite(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.done && n <= len(h.request) {
		h.request = h.request[:len(h.request)-n]
	}
}

func (h *hop) read(p []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.done {
		h.resp.write(p, h.f.spillAt, h.f.tempFile)
	}
}

// finish detaches the hop: its response ended, at its end (eof) or early
// with err. Only the first call counts.
func (h *hop) finish(eof bool, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done {
		return
	}
	h.done, h.eof, h.err = true, eof, err
	if h.conn != nil {
		h.conn.hop.CompareAndSwap(h, nil)
	}
}

// release drops what the hop captured; it is finished first.
func (h *hop) release() {
	h.finish(false, errAbandoned)
	h.mu.Lock()
	h.resp.release()
	h.mu.Unlock()
}

// Reasons a hop's response ended before its end, for Exchange.Truncated.
var (
	errBodyClosed = errors.New("response body closed before its end")
	errAbandoned  = errors.New("response abandoned")
)

// truncation names why a response ended early, as WARC-Truncated does.
func truncation(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, errBodyClosed), errors.Is(err, ErrTooLarge):
		return "length"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "time"
	case errors.Is(err, context.Canceled), errors.Is(err, errAbandoned):
		return "unspecified"
	}
	return "disconnect"
}

// exchange turns the finished hop into an Exchange, which then owns the
// captured bytes, or returns nil when no response came (the hop's bytes
// are then released).
func (h *hop) exchange() *Exchange {
	h.finish(false, errAbandoned)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.got == nil {
		h.resp.release()
		return nil
	}
	ex := &Exchange{URL: h.url, Date: h.date, Status: h.got.StatusCode, Wire: h.wire}
	if ex.Date.IsZero() {
		ex.Date = time.Now()
	}
	if !h.eof {
		ex.Truncated = truncation(h.err)
	}
	if h.wire {
		start := finalResponseStart(h.resp.Bytes())
		h.resp.drop(start)
		if h.resp.err != nil {
			h.resp.release()
			return nil
		}
		ex.Request, ex.RemoteIP = h.request, h.conn.ip
		ex.Response = new(Raw)
		*ex.Response = h.resp
		h.resp = Raw{pool: h.f.bufs}
		return ex
	}
	// No capture: the heads rebuilt from net/http's parsed form.
	h.resp.release()
	ex.Request = requestHead(h.req)
	ex.Response = &Raw{pool: h.f.bufs}
	ex.Response.write(responseHead(h.got, -1), h.f.spillAt, nil)
	return ex
}

// finalResponseStart returns the offset of the final response in a
// capture, after any interim (1xx) responses such as 103 Early Hints,
// which net/http reads past; 0 when there are none or the capture is not
// in memory.
func finalResponseStart(b []byte) int64 {
	var off int64
	for len(b) >= 12 && string(b[:5]) == "HTTP/" {
		// "HTTP/1.1 1xx": the status code's first digit.
		sp := 0
		for sp < len(b) && b[sp] != ' ' {
			sp++
		}
		if sp+1 >= len(b) || b[sp+1] != '1' || (sp+3 < len(b) && string(b[sp+1:sp+4]) == "101") {
			break
		}
		end := headEnd(b)
		if end < 0 {
			break
		}
		off += int64(end)
		b = b[end:]
	}
	return off
}

// headEnd returns the length of the HTTP head at the start of b, up to and
// including its empty line, or -1 when b holds no whole head.
func headEnd(b []byte) int {
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		switch {
		case i+1 < len(b) && b[i+1] == '\n':
			return i + 2
		case i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n':
			return i + 3
		}
	}
	return -1
}

// callKey keys the call of a Get in its requests' contexts, for
// exchangeTransport.
type callKey struct{}

// exchangeTransport sits between net/http's client and the Fetcher's
// transport, where every hop of a redirect chain is a round trip of its
// own: with Options.KeepExchange it records each as a hop of its Get.
type exchangeTransport struct{ http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t exchangeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c, _ := req.Context().Value(callKey{}).(*call)
	if c == nil {
		return t.RoundTripper.RoundTrip(req)
	}
	h := &hop{f: c.f, url: req.URL.String(), req: req}
	h.resp.pool = c.f.bufs
	c.hops = append(c.hops, h)
	ctx := httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{GotConn: h.gotConn})
	resp, err := t.RoundTripper.RoundTrip(req.WithContext(ctx))
	if err != nil {
		h.finish(false, err)
		return resp, err
	}
	h.mu.Lock()
	h.got = resp
	h.mu.Unlock()
	if resp.Body == nil || resp.Body == http.NoBody {
		// The head has been read, and there is nothing more.
		h.finish(true, nil)
		return resp, nil
	}
	resp.Body = &hopBody{ReadCloser: resp.Body, h: h}
	return resp, nil
}

// hopBody is a hop's response body: it finishes the hop when the body
// ends, and reads a little more of a body closed early (as net/http does
// with a redirect's body), so that the archive holds the whole of a short
// one and the connection can be reused.
type hopBody struct {
	io.ReadCloser
	h    *hop
	done bool
}

func (b *hopBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		b.done = true
		b.h.finish(true, nil)
	case err != nil:
		b.done = true
		b.h.finish(false, err)
	}
	return n, err
}

func (b *hopBody) Close() error {
	if !b.done {
		io.CopyN(io.Discard, b, drainLimit)
	}
	err := b.ReadCloser.Close()
	b.h.finish(false, errBodyClosed)
	return err
}
