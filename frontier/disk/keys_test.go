package disk

import (
	"encoding/json"
	"errors"
	"hash/fnv"
	"strings"
	"testing"

	"github.com/crawl-go/crawl/frontier"
)

func TestItemEncoding(t *testing.T) {
	long := strings.Repeat("x", 300)
	for _, tc := range []struct {
		name string
		it   frontier.Item
	}{
		{"seed", frontier.Item{URL: "http://a/", Host: "a"}},
		{"link", frontier.Item{URL: "http://a/b?c=d", Host: "a", Depth: 3, Parent: "http://a/"}},
		{"requisite", frontier.Item{URL: "http://a/s.css", Host: "a", Depth: 1, Parent: "http://a/", Requisite: true}},
		{"empty host", frontier.Item{URL: "file:///x"}},
		{"long host", frontier.Item{URL: "http://" + long + "/", Host: long, Parent: "http://a/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := queueKey(tc.it.Depth, keyHost(tc.it.Host), 42)
			depth, hostPart, seq, err := splitKey(k)
			if err != nil || depth != tc.it.Depth || seq != 42 {
				t.Fatalf("splitKey = %d, %d, %v", depth, seq, err)
			}
			got := frontier.Item{Depth: depth, Host: string(hostPart[1:])}
			if err := decodeItem(appendItem(nil, &tc.it), &got); err != nil {
				t.Fatal(err)
			}
			if got != tc.it {
				t.Fatalf("decoded %+v; want %+v", got, tc.it)
			}
		})
	}
}

func TestCorruptEncoding(t *testing.T) {
	for _, tc := range []struct {
		name   string
		key, v []byte
	}{
		{"short key", []byte{0, 0, 0, 1, 5, 'a'}, []byte{0, 1, 'u'}},
		{"host length past the key", append([]byte{0, 0, 0, 1, 9, 'a'}, make([]byte, 8)...), []byte{0, 1, 'u'}},
		{"empty value", queueKey(0, "a", 1), nil},
		{"url past the value", queueKey(0, "a", 1), []byte{0, 9, 'u'}},
		{"host past the value", queueKey(0, "a", 1), []byte{flagHost, 1, 'u', 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := splitKey(tc.key)
			if err == nil {
				var it frontier.Item
				err = decodeItem(tc.v, &it)
			}
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("error = %v; want errCorrupt", err)
			}
		})
	}
}

func TestFNV(t *testing.T) {
	for _, s := range []string{"", "a", "www.example.com:8080"} {
		h := fnv.New32a()
		h.Write([]byte(s))
		if got, want := fnv32a(s), h.Sum32(); got != want {
			t.Errorf("fnv32a(%q) = %#x; want %#x", s, got, want)
		}
	}
}

func TestAfter(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"\x01a", "\x01b", true},
		{"\x02a\xff", "\x02b", true},
		{"\xff\xff", "", false},
	} {
		got, ok := after([]byte(tc.in))
		if string(got) != tc.want || ok != tc.ok {
			t.Errorf("after(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// BenchmarkItemEncoding compares the value encoding with JSON, for the
// record of why it is not JSON.
func BenchmarkItemEncoding(b *testing.B) {
	it := frontier.Item{
		URL:    "https://www.example.com/articles/2024/05/some-article-title.html",
		Host:   "www.example.com",
		Depth:  3,
		Parent: "https://www.example.com/articles/2024/05/",
	}
	b.Run("binary", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = appendItem(buf[:0], &it)
			var got frontier.Item
			if err := decodeItem(buf, &got); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(buf)-len(it.URL)-len(it.Parent)), "overhead-bytes")
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf, _ = json.Marshal(&it)
			var got frontier.Item
			if err := json.Unmarshal(buf, &got); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(buf)-len(it.URL)-len(it.Parent)), "overhead-bytes")
	})
}
