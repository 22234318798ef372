package ratelimit_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"golang.org/x/time/rate"

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

// printShared stands in for a limit shared with other processes, such as
// the one of package redisrate: it grants every request and says at which
// rate it was asked.
type printShared struct{}

func (printShared) Wait(ctx context.Context, host string, r rate.Limit) error {
	fmt.Printf("shared wait for %s at %v/s\n", host, r)
	return nil
}

func ExampleOptions_shared() {
	l := ratelimit.New(ratelimit.Options{Rate: 10, Burst: 2, Shared: printShared{}})
	ctx := context.Background()
	release, err := l.Acquire(ctx, "example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	release()

	// robots.txt asks for a Crawl-delay of 2s: the shared limit is then
	// asked at that rate, so the host gets it from all processes together.
	l.SetMaxRate("example.com", 0.5)
	release, err = l.Acquire(ctx, "example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	release()
	// Output:
	// shared wait for example.com at 10/s
	// shared wait for example.com at 0.5/s
}

func ExampleLimiter_Observe() {
	l := ratelimit.New(ratelimit.Options{Rate: 10, Adaptive: true})
	host := "example.com"
	tooMany := func(path string) ratelimit.Outcome {
		return ratelimit.Outcome{URL: "https://example.com" + path, Status: 429}
	}
	l.Observe(host, tooMany("/a")) // a sign of overload: the rate is halved
	fmt.Println(l.Rate(host))
	l.Observe(host, tooMany("/a")) // a retry of /a: counted already
	l.Observe(host, tooMany("/b")) // another URL, within the window of the cut
	fmt.Println(l.Rate(host))
	l.Observe(host, tooMany("/c")) // 3 URLs out of 3: the overload is host-wide
	fmt.Println(l.Rate(host))
	for range 2 * ratelimit.RecoverAfter {
		l.Observe(host, ratelimit.Outcome{Status: 200})
	}
	fmt.Println(l.Rate(host)) // doubled twice, up to Options.Rate
	// Output:
	// 5
	// 5
	// 4
	// 10
}
