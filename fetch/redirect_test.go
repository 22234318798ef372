package fetch

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/crawl-go/crawl/outcome"
)

func TestFollowRedirect(t *testing.T) {
	var flaky atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/b", http.StatusFound) })
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/c", http.StatusMovedPermanently) })
	mux.HandleFunc("/c", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("c")) })
	mux.HandleFunc("/self", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/self", http.StatusFound) })
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/pong", http.StatusFound) })
	mux.HandleFunc("/pong", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ping", http.StatusFound) })
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		// Redirects to a target that fails once: the retry must follow
		// the redirect again, though the hook was asked already.
		http.Redirect(w, r, "/flaky-target", http.StatusFound)
	})
	mux.HandleFunc("/flaky-target", func(w http.ResponseWriter, r *http.Request) {
		if flaky.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	})
	srv := newServer(t, mux)

	tests := []struct {
		name      string
		path      string
		seen      []string // targets the hook answers ErrSkipRedirect for
		refuse    string   // a target the hook fails
		status    int
		body      string
		redirects []string
		asked     []string
		err       error
	}{
		{name: "followed", path: "/a", status: 200, body: "c",
			redirects: []string{"/b", "/c"}, asked: []string{"/b", "/c"}},
		{name: "skipped at a seen target", path: "/a", seen: []string{"/c"}, status: 301,
			redirects: []string{"/b", "/c"}, asked: []string{"/b", "/c"}},
		{name: "refused", path: "/a", refuse: "/b", err: ErrRedirectRefused, asked: []string{"/b"}},
		{name: "self loop", path: "/self", err: ErrRedirectLoop},
		{name: "two-step loop", path: "/ping", err: ErrRedirectLoop, asked: []string{"/pong"}},
		{name: "asked once across retries", path: "/flaky", status: 200, body: "ok",
			redirects: []string{"/flaky-target"}, asked: []string{"/flaky-target"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var asked []string
			f := newFetcher(t, Options{Retries: 2, FollowRedirect: func(ctx context.Context, target string) error {
				p := target[len(srv.URL):]
				mu.Lock()
				asked = append(asked, p)
				mu.Unlock()
				switch {
				case slices.Contains(tt.seen, p):
					return ErrSkipRedirect
				case p == tt.refuse:
					return errors.New("no")
				}
				return nil
			}})
			resp, err := f.Get(context.Background(), srv.URL+tt.path)
			if tt.err != nil {
				if !errors.Is(err, tt.err) || ErrorKind(err) != outcome.Redirects || resp.Attempts != 1 {
					t.Fatalf("err = %v (kind %s, %d attempts); want %v, kind redirects, 1 attempt", err, ErrorKind(err), resp.Attempts, tt.err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Release()
				var redirects []string
				for _, r := range resp.Redirects {
					redirects = append(redirects, r[len(srv.URL):])
				}
				// A redirect that is not followed returns its own body.
				bodyOK := tt.status != 200 || string(resp.Body.Bytes()) == tt.body
				if resp.Status != tt.status || !bodyOK || !slices.Equal(redirects, tt.redirects) {
					t.Errorf("status %d, body %q, redirects %v", resp.Status, resp.Body.Bytes(), redirects)
				}
			}
			if !slices.Equal(asked, tt.asked) {
				t.Errorf("hook asked for %v; want %v", asked, tt.asked)
			}
		})
	}
}

// TestRequestFollowRedirect checks that a Request's own FollowRedirect is
// asked instead of the Fetcher's, so that a caller can tell each fetch's
// hook what it is fetching without a context value.
func TestRequestFollowRedirect(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/b", http.StatusFound) })
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("b")) })
	srv := newServer(t, mux)
	f := newFetcher(t, Options{FollowRedirect: func(context.Context, string) error {
		t.Error("the Fetcher's hook was asked")
		return nil
	}})
	for _, tt := range []struct {
		name   string
		answer error
		status int
	}{{"followed", nil, 200}, {"skipped", ErrSkipRedirect, 302}} {
		t.Run(tt.name, func(t *testing.T) {
			var asked []string
			resp, err := f.Do(context.Background(), Request{URL: srv.URL + "/a", FollowRedirect: func(_ context.Context, target string) error {
				asked = append(asked, target[len(srv.URL):])
				return tt.answer
			}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Release()
			if resp.Status != tt.status || !slices.Equal(asked, []string{"/b"}) {
				t.Errorf("status %d, asked %v; want %d, [/b]", resp.Status, asked, tt.status)
			}
		})
	}
}
