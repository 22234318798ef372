package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// treeSite serves pages /p/0 .. /p/N-1 in a tree: page i links to its
// parent and to its fanout children. It counts the requests it gets.
type treeSite struct {
	mu     sync.Mutex
	served map[string]int // requests by path
	total  int
	// handler serves the site; the test server of newTreeSite runs it.
	handler http.Handler
}

// newTreeSite starts a treeSite of pages pages; onRequest, if not nil, is
// called with the number of requests so far at each request.
func newTreeSite(t testing.TB, pages, fanout int, onRequest func(total int)) (*httptest.Server, *treeSite) {
	t.Helper()
	s := &treeSite{served: map[string]int{}}
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sitemap.xml" || r.URL.Path == "/robots.txt" {
			// The host's well-known files: none, and not counted.
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		s.served[r.URL.Path]++
		s.total++
		n := s.total
		s.mu.Unlock()
		if onRequest != nil {
			onRequest(n)
		}
		i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/p/"))
		if err != nil || i < 0 || i >= pages {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<title>%d</title><a href=\"/p/%d\">up</a>", i, i/fanout)
		for c := fanout*i + 1; c <= fanout*i+fanout && c < pages; c++ {
			fmt.Fprintf(w, "<a href=\"/p/%d\">%d</a>", c, c)
		}
		fmt.Fprint(w, strings.Repeat("<p>text</p>", 100))
	})
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	return srv, s
}

// counts returns the requests by path and in all.
func (s *treeSite) counts() (map[string]int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served, s.total
}
