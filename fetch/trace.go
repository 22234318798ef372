package fetch

import (
	"net"
	"net/http/httptrace"
	"sync"
	"time"
)

// This file holds what a Get learns of its connections through
// net/http/httptrace, with or without capture: the server's address and
// the time to the first byte of each hop's response.

// connTrace records the hops of one Get. Its hooks are called by
// net/http, the first-byte one from the connection's reading goroutine,
// hence the mutex.
type connTrace struct {
	mu    sync.Mutex
	start time.Time     // when the current hop asked for a connection
	ip    string        // the address of the current hop's connection
	ttfb  time.Duration // from start to its first response byte; 0 before
	hooks httptrace.ClientTrace
}

func newConnTrace() *connTrace {
	t := &connTrace{}
	t.hooks = httptrace.ClientTrace{
		GetConn: func(string) {
			t.mu.Lock()
			t.start, t.ip, t.ttfb = time.Now(), "", 0
			t.mu.Unlock()
		},
		GotConn: func(info httptrace.GotConnInfo) {
			if info.Conn == nil {
				return
			}
			ip := info.Conn.RemoteAddr().String()
			if host, _, err := net.SplitHostPort(ip); err == nil {
				ip = host
			}
			t.mu.Lock()
			t.ip = ip
			t.mu.Unlock()
		},
		GotFirstResponseByte: func() {
			t.mu.Lock()
			if !t.start.IsZero() {
				t.ttfb = max(time.Since(t.start), time.Nanosecond)
			}
			t.mu.Unlock()
		},
	}
	return t
}

// last returns what the latest hop recorded.
func (t *connTrace) last() (ip string, ttfb time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ip, t.ttfb
}
