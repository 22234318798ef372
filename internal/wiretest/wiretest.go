// Package wiretest is an HTTP/1.1 server for tests that need to control,
// and then compare, every byte of an exchange: it serves on a raw TCP
// listener, answers each request with exactly the bytes a route returns
// (odd header case and order, repeated fields, chunked or compressed
// bodies, whatever the test writes), and logs the bytes it read and wrote
// for each request.
package wiretest

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Route answers one request with the bytes to write, in pieces written one
// after the other (a test can make a chunked body arrive in several
// reads). n counts the requests for the same path so far, from 1. Close
// set closes the connection after the answer.
type Route func(req *http.Request, n int) (pieces [][]byte, close bool)

// Exchange is one request as the server read it and the answer as it
// wrote it.
type Exchange struct {
	Path     string
	Request  []byte
	Response []byte
	Conn     int // number of the connection, from 1
}

// Server is a raw HTTP/1.1 server. It is safe for concurrent use.
type Server struct {
	ln     net.Listener
	routes map[string]Route
	wg     sync.WaitGroup

	mu    sync.Mutex
	log   []Exchange
	count map[string]int
	conns map[net.Conn]bool
	n     int // connections accepted
}

// New starts a server on 127.0.0.1 that answers each path with its route
// (paths without one get a 404 with a short body); it is closed when the
// test ends.
func New(t testing.TB, routes map[string]Route) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{ln: ln, routes: routes, count: map[string]int{}, conns: map[net.Conn]bool{}}
	s.wg.Go(s.accept)
	t.Cleanup(s.Close)
	return s
}

// URL returns "http://127.0.0.1:PORT".
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Addr returns the listener's address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Exchanges returns the exchanges so far, in the order they were answered.
func (s *Server) Exchanges() []Exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Exchange(nil), s.log...)
}

// Conns returns the number of connections accepted so far.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Close stops the server, closes its connections and waits for its
// goroutines.
func (s *Server) Close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.n++
		n := s.n
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Go(func() {
			s.serve(c, n)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
		})
	}
}

// recorder keeps what is read through it.
type recorder struct {
	r   io.Reader
	got bytes.Buffer
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.got.Write(p[:n])
	return n, err
}

// serve answers the requests of one connection. A client sends its next
// request only after the answer to the previous one, so what the buffered
// reader has read when a request is parsed is that request.
func (s *Server) serve(c net.Conn, connNo int) {
	rec := &recorder{r: c}
	br := bufio.NewReader(rec)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		reqBytes := bytes.Clone(rec.got.Bytes()[:rec.got.Len()-br.Buffered()])
		rec.got.Next(len(reqBytes))
		s.mu.Lock()
		s.count[req.URL.Path]++
		n := s.count[req.URL.Path]
		s.mu.Unlock()
		route := s.routes[req.URL.Path]
		if route == nil {
			route = notFound
		}
		pieces, closeAfter := route(req, n)
		// Logged before it is written: the client may be done with it
		// before the last write returns.
		s.mu.Lock()
		s.log = append(s.log, Exchange{Path: req.URL.Path, Request: reqBytes, Response: bytes.Join(pieces, nil), Conn: connNo})
		s.mu.Unlock()
		for _, p := range pieces {
			if _, err := c.Write(p); err != nil {
				return
			}
		}
		if closeAfter {
			return
		}
	}
}

func notFound(*http.Request, int) ([][]byte, bool) {
	return [][]byte{[]byte("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nnot found\n")}, false
}

// Response joins a status line, header lines and a body into a response,
// each line ended with CRLF, as written: nothing is added.
func Response(status string, header []string, body string) []byte {
	var b strings.Builder
	b.WriteString(status + "\r\n")
	for _, h := range header {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	return []byte(b.String())
}

// Chunked frames body as the chunked transfer coding, in chunks of the
// given sizes (the rest in one last chunk), then the last chunk and an
// empty trailer.
func Chunked(body string, sizes ...int) string {
	var b strings.Builder
	for _, n := range sizes {
		if n > len(body) {
			n = len(body)
		}
		if n == 0 {
			break
		}
		b.WriteString(strings.ToUpper(hex(n)) + "\r\n" + body[:n] + "\r\n")
		body = body[n:]
	}
	if body != "" {
		b.WriteString(hex(len(body)) + "\r\n" + body + "\r\n")
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}

func hex(n int) string {
	const digits = "0123456789abcdef"
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 16 {
		b = append([]byte{digits[n%16]}, b...)
	}
	return string(b)
}
