package crawl

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/crawl-go/crawl/ratelimit"
)

// brokenShared is a ratelimit.Shared whose store goes away after ok
// grants: every later Wait fails as a Redis client does when its server
// refuses connections.
type brokenShared struct {
	ok    int64
	calls atomic.Int64
}

func (b *brokenShared) Wait(ctx context.Context, host string, r rate.Limit) error {
	if b.calls.Add(1) <= b.ok {
		return nil
	}
	return &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 6379},
		Err: &net.OpError{Op: "connect", Err: syscall.ECONNREFUSED}}
}

// TestSharedLimitDown checks that a failure of the shared rate limit (its
// Redis gone) is not the site's: no URL is recorded as failed, nothing is
// retried as the site's failure, and the crawl stops with an error saying
// what failed; the next run fetches the URLs left, none "failed earlier".
func TestSharedLimitDown(t *testing.T) {
	srv, _ := serveSite(t, nil)
	cfg := testConfig(t, srv.URL+"/")
	cfg.Depth = 5
	cfg.Fetch.Retries = 4
	cfg.RateLimit.Rate = 1000
	shared := &brokenShared{ok: 3}
	cfg.RateLimit.Shared = shared
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	sum, err := c.Run(ctx)
	if !errors.Is(err, ratelimit.ErrShared) {
		t.Errorf("Run: %v; want an error wrapping ratelimit.ErrShared", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the crawl took %v to stop", took)
	}
	if sum.Failed != 0 {
		t.Errorf("%d URLs failed; want none: the shared limit's failure is not theirs", sum.Failed)
	}
	for u, r := range readManifest(t, cfg.OutDir) {
		if r.Error != "" {
			t.Errorf("%s recorded as failed (%s): %s", u, r.ErrorKind, r.Error)
		}
	}
	// Each worker meets the failure once at most: no retry.
	if n := shared.calls.Load(); n > shared.ok+int64(cfg.Workers) {
		t.Errorf("%d waits for the shared limit; want at most %d (no retries)", n, shared.ok+int64(cfg.Workers))
	}

	cfg.RateLimit.Shared = &brokenShared{ok: 1 << 30}
	again, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum, err = again.Run(ctx)
	if err != nil || sum.FailedEarlier != 0 {
		t.Errorf("the next run: %v, %d failed earlier; want none", err, sum.FailedEarlier)
	}
	for u, r := range readManifest(t, cfg.OutDir) {
		if strings.Contains(r.Error, "ratelimit") {
			t.Errorf("%s recorded as failed after the next run: %s", u, r.Error)
		}
	}
}
