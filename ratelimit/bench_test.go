package ratelimit

import (
	"context"
	"strconv"
	"testing"
)

// BenchmarkAcquire measures the bookkeeping of an Acquire and release that
// never wait, spread over many hosts as in a broad crawl.
func BenchmarkAcquire(b *testing.B) {
	l := New(Options{Rate: 1e9, Burst: 1 << 20, PerHost: 8})
	hosts := make([]string, 1024)
	for i := range hosts {
		hosts[i] = "host" + strconv.Itoa(i) + ".example:443"
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			release, err := l.Acquire(ctx, hosts[i%len(hosts)])
			if err != nil {
				b.Fatal(err)
			}
			release()
			i++
		}
	})
}
