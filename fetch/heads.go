package fetch

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptrace"
	"slices"
	"sync"
)

// Exchange is what Options.KeepExchange keeps of the final request and
// response of a Get, for archives (WARC): the message heads and the
// server's address.
type Exchange struct {
	// RequestHead is the request line and headers, as HTTP/1.1 would
	// send them, ending with an empty line.
	RequestHead []byte
	// ResponseHead is the status line and headers, ending with an empty
	// line. net/http parses what it receives, so these are rebuilt from the
	// parsed form: header names canonicalized and in sorted order, and a
	// chunked body announced with Transfer-Encoding: chunked.
	ResponseHead []byte
	// RemoteIP is the address of the server that answered, when known.
	RemoteIP string
}

// remoteAddr records the address of the connection each hop of a request
// uses; the last one is the final response's.
type remoteAddr struct {
	mu   sync.Mutex
	addr string
}

func (r *remoteAddr) trace(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			if a, ok := info.Conn.RemoteAddr().(*net.TCPAddr); ok {
				r.mu.Lock()
				r.addr = a.IP.String()
				r.mu.Unlock()
			}
		},
	})
}

func (r *remoteAddr) get() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.addr
}

// exchangeOf rebuilds the heads of resp and of the request that got it.
func exchangeOf(resp *http.Response, ip string) *Exchange {
	var req bytes.Buffer
	r := resp.Request
	req.WriteString(r.Method + " " + r.URL.RequestURI() + " HTTP/1.1\r\nHost: " + r.Host + "\r\n")
	if r.Host == "" {
		req.Truncate(req.Len() - len("Host: \r\n"))
		req.WriteString("Host: " + r.URL.Host + "\r\n")
	}
	writeHeader(&req, r.Header)
	var res bytes.Buffer
	res.WriteString(resp.Proto + " " + resp.Status + "\r\n")
	h := resp.Header
	if slices.Contains(resp.TransferEncoding, "chunked") {
		h = h.Clone()
		h.Set("Transfer-Encoding", "chunked")
	}
	writeHeader(&res, h)
	return &Exchange{RequestHead: req.Bytes(), ResponseHead: res.Bytes(), RemoteIP: ip}
}

func writeHeader(b *bytes.Buffer, h http.Header) {
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range h {
			if !yield(k) {
				return
			}
		}
	}) {
		for _, v := range h[k] {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	b.WriteString("\r\n")
}
