package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
)

// fakeClock is a clock that a sleep advances: the time a read waits is
// the time that passes.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }
func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		c.t = c.t.Add(d)
	}
	return ctx.Err()
}

// TestLimitRateBound reads bodies through one limiter on a fake clock and
// checks after every read that the bytes returned so far, by all bodies
// together, are at most the rate times the time passed plus one burst.
func TestLimitRateBound(t *testing.T) {
	tests := []struct {
		name   string
		rate   int64
		bodies int // read in turn, a chunk at a time
		size   int
		chunk  int
	}{
		{"one body, 100 KiB/s", 100 << 10, 1, 1 << 20, 32 << 10},
		{"three bodies share 200 KiB/s", 200 << 10, 3, 700 << 10, 32 << 10},
		{"slow: 100 B/s, small burst", 100, 1, 3000, 4096},
		{"fast: 50 MiB/s, burst capped", 50 << 20, 2, 4 << 20, 256 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{t: time.Unix(1000, 0)}
			l := newByteLimiter(tt.rate, clk.now, clk.sleep)
			start := clk.t
			var readers []io.Reader
			for range tt.bodies {
				readers = append(readers, bytes.NewReader(payload(tt.size)))
			}
			var total int64
			p := make([]byte, tt.chunk)
			reads := 0
			for open := len(readers); open > 0; {
				for i, r := range readers {
					if r == nil {
						continue
					}
					n, err := l.read(context.Background(), r, p)
					reads++
					total += int64(n)
					elapsed := clk.t.Sub(start).Seconds()
					if limit := float64(l.burst) + float64(tt.rate)*elapsed; float64(total) > limit+0.5 {
						t.Fatalf("after %d reads, %d bytes in %.3fs; at most %.0f", reads, total, elapsed, limit)
					}
					if errors.Is(err, io.EOF) {
						readers[i] = nil
						open--
					}
				}
			}
			if want := int64(tt.bodies * tt.size); total != want {
				t.Fatalf("read %d bytes; want %d", total, want)
			}
			// And it is not slower than the rate: the last read waited
			// only for its own bytes.
			min := float64(total-int64(l.burst)) / float64(tt.rate)
			if got := clk.t.Sub(start).Seconds(); got < min-0.001 || got > min+float64(l.burst)/float64(tt.rate)+0.001 {
				t.Errorf("took %.3fs of the fake clock; want about %.3fs", got, min)
			}
		})
	}
}

func TestLimitRateCancel(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	l := newByteLimiter(10, clk.now, clk.sleep)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err := l.read(ctx, bytes.NewReader([]byte("hello")), make([]byte, 5))
	if n != 1 || !errors.Is(err, context.Canceled) {
		t.Errorf("read %d bytes, %v; want 1 byte (the burst) and context.Canceled", n, err)
	}
}

// TestLimitRateTransport fetches through LimitRate with a rate high
// enough not to slow the test: the body arrives whole.
func TestLimitRateTransport(t *testing.T) {
	body := payload(300 << 10)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	base := NewTransport(1)
	f := newFetcher(t, Options{Transport: LimitRate(base, 1<<30)})
	resp, err := f.Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Release()
	if resp.Body.SHA256() != sha256.Sum256(body) {
		t.Error("the body changed on its way through the limiter")
	}
	if LimitRate(base, 0) != http.RoundTripper(base) {
		t.Error("LimitRate(base, 0) is not base")
	}
}

// BenchmarkLimitRate reads 4 MiB through a 2 MiB/s limit, with real
// time: the reported bytes/s is what the limit lets through.
func BenchmarkLimitRate(b *testing.B) {
	const rate, size = 2 << 20, 4 << 20
	data := payload(size)
	p := make([]byte, 32<<10)
	for b.Loop() {
		l := newByteLimiter(rate, time.Now, func(ctx context.Context, d time.Duration) error {
			time.Sleep(d)
			return nil
		})
		start := time.Now()
		r := bytes.NewReader(data)
		for {
			if _, err := l.read(context.Background(), r, p); err != nil {
				break
			}
		}
		b.ReportMetric(size/time.Since(start).Seconds(), "bytes/s")
	}
}
