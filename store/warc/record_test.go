package warc

import (
	"crypto/sha1"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestRecordBytes checks every byte of the records written for fixed
// exchanges, with a fixed clock and counting record IDs, against the
// uncompressed golden files in testdata/golden. Their digests were checked
// with `printf ... | openssl sha1 -binary | base32`.
func TestRecordBytes(t *testing.T) {
	plain := "Content-Type: text/plain\r\nContent-Length: 11\r\n"
	tests := []struct {
		name      string
		opts      func(*Options)
		exchanges func() []*Exchange
	}{
		{
			name: "response",
			opts: func(o *Options) {
				o.Info = Header{{"operator", "Ada <ada@example.com>"}, {"isPartOf", "test-crawl"}}
			},
			exchanges: func() []*Exchange {
				ex := exchange("http://example.com/", plain, "hello world")
				ex.IP = "93.184.216.34"
				return []*Exchange{ex}
			},
		},
		{
			name: "revisit",
			exchanges: func() []*Exchange {
				return []*Exchange{
					exchange("http://example.com/", plain, "hello world"),
					exchange("http://example.com/copy?x=1", plain, "hello world"),
				}
			},
		},
		{
			name: "chunked",
			exchanges: func() []*Exchange {
				return []*Exchange{exchange("http://example.com/c", "Transfer-Encoding: chunked\r\n", "abc")}
			},
		},
		{
			name: "chunked-no-body",
			exchanges: func() []*Exchange {
				head := exchange("http://example.com/h", "Transfer-Encoding: chunked\r\n", "")
				head.Request = []byte("HEAD /h HTTP/1.1\r\nHost: example.com\r\n\r\n")
				empty := exchange("http://example.com/e", "Transfer-Encoding: chunked\r\n", "")
				return []*Exchange{head, empty}
			},
		},
		{
			name: "truncated-lf-head",
			exchanges: func() []*Exchange {
				ex := exchange("http://example.com/big", "", "0123456789")
				ex.ResponseHead = []byte("HTTP/1.0 200 OK\nContent-Length: 1000\n\n")
				ex.Truncated = "length"
				ex.IP = "2001:db8::1"
				ex.Date = time.Time{} // Options.Now
				return []*Exchange{ex}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(t)
			if tt.opts != nil {
				tt.opts(&opts)
			}
			w := create(t, opts)
			for _, ex := range tt.exchanges() {
				write(t, w, ex)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got := gunzip(t, w.Files()[0])
			golden := filepath.Join("testdata", "golden", tt.name+".warc")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("records differ from %s:\n got: %q\nwant: %q", golden, got, want)
			}
		})
	}
}

func TestDigest(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"},
		{"abc", "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5"},
		{"hello world", "sha1:FKXGYNOJJ7H3IFO35FPUBC445EPOQRXN"},
		{"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", "sha1:XJOODOST4UEKQVGKAOMDH2ZTZBZORFON"},
	}
	for _, tt := range tests {
		d := Digest(sha1.Sum([]byte(tt.in)))
		if got := d.String(); got != tt.want {
			t.Errorf("Digest(%q) = %s, want %s", tt.in, got, tt.want)
		}
		for _, s := range []string{tt.want, strings.ToLower(tt.want), "SHA1:" + tt.want[5:]} {
			p, err := ParseDigest(s)
			if err != nil || p != d {
				t.Errorf("ParseDigest(%q) = %v, %v; want %v", s, p, err, d)
			}
		}
	}
	for _, bad := range []string{"", "sha1", "md5:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", "sha1:3I42H3S6", "sha1:!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"} {
		if _, err := ParseDigest(bad); err == nil {
			t.Errorf("ParseDigest(%q) succeeded", bad)
		}
	}
}

func TestNewRecordID(t *testing.T) {
	re := regexp.MustCompile(`^<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>$`)
	seen := make(map[string]bool)
	for range 1000 {
		id := NewRecordID()
		if !re.MatchString(id) {
			t.Fatalf("NewRecordID() = %q, not a version 4 UUID URN", id)
		}
		if seen[id] {
			t.Fatalf("NewRecordID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestFormatDate(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), "2024-05-06T07:08:09.000000Z"},
		{time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC), "2024-05-06T07:08:09.123456Z"},
		{time.Date(2024, 5, 6, 9, 8, 9, 0, time.FixedZone("CEST", 2*3600)), "2024-05-06T07:08:09.000000Z"},
	}
	for _, tt := range tests {
		if got := formatDate(tt.in); got != tt.want {
			t.Errorf("formatDate(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
