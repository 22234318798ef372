package disk

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/crawl-go/crawl/frontier"
)

// BenchmarkAddNext measures a crawl of 100,000 URLs through a frontier on
// disk, with the default options: one op is the whole crawl, and ns/url
// and allocs/url are per URL.
func BenchmarkAddNext(b *testing.B) {
	const urls = 100_000
	ctx := context.Background()
	items := make([]frontier.Item, urls)
	for i := range items {
		h := fmt.Sprintf("host%d.example", i%100)
		items[i] = frontier.Item{URL: fmt.Sprintf("https://%s/some/path/%d.html", h, i), Host: h, Depth: 1, Parent: "https://" + h + "/"}
	}
	run := func(b *testing.B, crawl func(f *Frontier)) {
		b.ReportAllocs()
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		n := 0
		for b.Loop() {
			path := filepath.Join(b.TempDir(), strconv.Itoa(n)+".db")
			n++
			f, err := Open(Options{Path: path})
			if err != nil {
				b.Fatal(err)
			}
			crawl(f)
			if err := f.Close(); err != nil {
				b.Fatal(err)
			}
			os.Remove(path)
		}
		runtime.ReadMemStats(&ms1)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*urls), "ns/url")
		b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(n*urls), "allocs/url")
	}
	// All the URLs are added, ten per call, then handed out and done.
	b.Run("add then drain", func(b *testing.B) {
		run(b, func(f *Frontier) {
			for i := 0; i < urls; i += 10 {
				if _, err := f.Add(ctx, items[i:i+10]...); err != nil {
					b.Fatal(err)
				}
			}
			for range urls {
				it, err := f.Next(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if err := f.Done(ctx, it); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	// Each URL handed out adds ten links, of which on average one is new:
	// most lookups are of URLs seen before, and go to the disk.
	b.Run("crawl", func(b *testing.B) {
		run(b, func(f *Frontier) {
			f.Add(ctx, items[0])
			for i := 0; ; i++ {
				it, err := f.Next(ctx)
				if errors.Is(err, frontier.ErrDone) {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				var links [10]frontier.Item
				for j := range links {
					links[j] = items[(i+1+j*urls/10)%urls]
					links[j].Depth = 1
				}
				if _, err := f.Add(ctx, links[:]...); err != nil {
					b.Fatal(err)
				}
				if err := f.Done(ctx, it); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkHeap1M adds 1,000,000 URLs over 1,000 hosts as a crawl finds
// them, a page's links per call (18 on the page's host, 2 elsewhere), and
// reports the memory used once they are committed: the Go heap, the
// resident size now and at its peak, split into anonymous memory and
// pages of the mapped database file, and the size of the file. Run it
// with -benchtime=1x.
func BenchmarkHeap1M(b *testing.B) {
	const urls, hosts, links = 1_000_000, 1000, 20
	ctx := context.Background()
	host := func(i int) string { return fmt.Sprintf("host%d.example", i%hosts) }
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		path := filepath.Join(b.TempDir(), "state.db")
		f, err := Open(Options{Path: path})
		if err != nil {
			b.Fatal(err)
		}
		page := make([]frontier.Item, links)
		for i := 0; i < urls; i += links {
			// Pages of successive calls are on different hosts.
			p := i / links
			for j := range page {
				h := host(p)
				if j >= links-2 {
					h = host(p*7 + j)
				}
				page[j] = frontier.Item{URL: fmt.Sprintf("https://%s/some/path/%d.html", h, i+j), Host: h, Depth: 1, Parent: "https://" + host(p) + "/"}
			}
			if _, err := f.Add(ctx, page...); err != nil {
				b.Fatal(err)
			}
		}
		if err := f.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		// Twice: the first moves bbolt's pool of page buffers to the
		// victim cache, the second frees it.
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/urls, "heap-bytes/url")
		b.ReportMetric(float64(after.HeapInuse)/(1<<20), "heap-MB")
		rss := procStatus(b)
		b.ReportMetric(float64(rss["VmRSS"])/(1<<10), "rss-MB")
		b.ReportMetric(float64(rss["VmHWM"])/(1<<10), "peak-rss-MB")
		b.ReportMetric(float64(rss["RssAnon"])/(1<<10), "rss-anon-MB")
		b.ReportMetric(float64(rss["RssFile"])/(1<<10), "rss-file-MB")
		if st, err := os.Stat(path); err == nil {
			b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// procStatus returns the memory figures of /proc/self/status, in kB, or
// none where there is no such file.
func procStatus(b *testing.B) map[string]int64 {
	m := map[string]int64{}
	file, err := os.Open("/proc/self/status")
	if err != nil {
		return m
	}
	defer file.Close()
	s := bufio.NewScanner(file)
	for s.Scan() {
		name, value, ok := strings.Cut(s.Text(), ":")
		if fields := strings.Fields(value); ok && len(fields) == 2 && fields[1] == "kB" {
			m[name], _ = strconv.ParseInt(fields[0], 10, 64)
		}
	}
	return m
}
