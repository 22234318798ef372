package ratelimit_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/crawl-go/crawl/ratelimit"
)

func ExampleLimiter_Transport() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	defer srv.Close()

	// At most 2 requests in flight and 10 per second for every host.
	l := ratelimit.New(ratelimit.Options{Rate: 10, Burst: 1, PerHost: 2})
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	client := &http.Client{Transport: l.Transport(base)}

	resp, err := client.Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close() // frees the host's slot
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 hello
}

func ExampleLimiter_Acquire() {
	l := ratelimit.New(ratelimit.Options{PerHost: 1})
	release, err := l.Acquire(context.Background(), "example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	// ... make the request ...
	release()

	// A context that is already done is refused without waiting.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = l.Acquire(ctx, "example.com")
	fmt.Println(err)
	// Output: context canceled
}

func ExampleLimiter_SetRate() {
	l := ratelimit.New(ratelimit.Options{Rate: 4})
	// The server answered 429: halve the rate for this host only.
	l.SetRate("example.com", l.Rate("example.com")/2)
	fmt.Println(l.Rate("example.com"), l.Rate("example.org"))
	// Output: 2 4
}
