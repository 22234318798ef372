package warc

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"errors"
	"io"
	"net/http/httputil"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawExchange returns a GET of url answered by response, given whole.
func rawExchange(url, response string) *Exchange {
	return &Exchange{
		URL:         url,
		Date:        testDate,
		Request:     []byte("GET " + requestTarget(url) + " HTTP/1.1\r\nHost: example.com\r\n\r\n"),
		Response:    strings.NewReader(response),
		ResponseLen: int64(len(response)),
	}
}

// chunk frames body in chunks of size n, then the last chunk.
func chunk(body string, n int) string {
	var b strings.Builder
	for len(body) > 0 {
		m := min(n, len(body))
		b.WriteString(strconv.FormatInt(int64(m), 16) + "\r\n" + body[:m] + "\r\n")
		body = body[m:]
	}
	return b.String() + "0\r\n\r\n"
}

func gz(s string) string {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write([]byte(s))
	z.Close()
	return b.String()
}

// TestRawResponse writes responses given as received: the record's block
// is exactly those bytes, and the payload digest is over the body with the
// chunked coding removed and the content coding kept, so the same payload
// chunked differently is a revisit.
func TestRawResponse(t *testing.T) {
	page := strings.Repeat("<p>the same page</p>\n", 40)
	head := "HTTP/1.1 200 OK\r\ncontent-TYPE: text/html\r\nX-Dup: 1\r\nX-Dup: 2\r\n"
	for _, tt := range []struct {
		name, response, payload string
		typ, profile, truncated string
		status                  int
	}{
		{"length", head + "Content-Length: " + strconv.Itoa(len(page)) + "\r\n\r\n" + page, page, TypeRevisit, ProfileIdenticalPayload, "", 200},
		{"chunked", head + "Transfer-Encoding: chunked\r\n\r\n" + chunk(page, 100), page, TypeRevisit, ProfileIdenticalPayload, "", 200},
		{"chunked-other-sizes", head + "Transfer-Encoding: chunked\r\n\r\n" + chunk(page, 7), page, TypeRevisit, ProfileIdenticalPayload, "", 200},
		{"gzip", head + "Content-Encoding: gzip\r\nContent-Length: " + strconv.Itoa(len(gz(page))) + "\r\n\r\n" + gz(page), gz(page), TypeRevisit, ProfileIdenticalPayload, "", 200},
		{"gzip-chunked", head + "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(gz(page), 50), gz(page), TypeRevisit, ProfileIdenticalPayload, "", 200},
		{"cut-length", head + "Content-Length: 5000\r\n\r\n" + page[:100], page[:100], TypeResponse, "", "unspecified", 200},
		{"cut-chunked", head + "Transfer-Encoding: chunked\r\n\r\n" + chunk(page, 100)[:300], page[:284], TypeResponse, "", "unspecified", 200},
		{"not-found", "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\ngone", "gone", TypeResponse, "", "", 404},
		{"not-modified", "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", "", TypeRevisit, ProfileServerNotModified, "", 304},
		{"close-delimited", "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\nuntil close", "until close", TypeResponse, "", "", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(t)
			w := create(t, opts)
			defer w.Close()
			// A first copy of the page, for the revisits.
			write(t, w, rawExchange("http://example.com/first", head+"Content-Length: "+strconv.Itoa(len(page))+"\r\n\r\n"+page))
			write(t, w, rawExchange("http://example.com/first.gz", head+"Content-Encoding: gzip\r\nContent-Length: "+strconv.Itoa(len(gz(page)))+"\r\n\r\n"+gz(page)))
			ex := rawExchange("http://example.com/"+tt.name, tt.response)
			if tt.status == 304 {
				ex.RefersToURI, ex.RefersToDate = ex.URL, testDate.Add(-time.Hour)
			}
			res := write(t, w, ex)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if res.Type != tt.typ || res.Profile != tt.profile || res.Status != tt.status {
				t.Errorf("Result %s %q %d, want %s %q %d", res.Type, res.Profile, res.Status, tt.typ, tt.profile, tt.status)
			}
			if tt.status == 200 && res.ContentType != "text/html" {
				t.Errorf("ContentType %q", res.ContentType)
			}
			recs := readFile(t, w.Files()[0])
			rec := recs[len(recs)-1]
			if rec.Offset != res.Offset {
				t.Errorf("record at %d, Result says %d", rec.Offset, res.Offset)
			}
			h := rec.Header
			if h.Get("WARC-Type") != tt.typ || h.Get("WARC-Profile") != tt.profile || h.Get("WARC-Truncated") != tt.truncated {
				t.Errorf("header %v", h)
			}
			wantBlock := tt.response
			if tt.profile == ProfileIdenticalPayload {
				wantBlock = tt.response[:strings.Index(tt.response, "\r\n\r\n")+4]
			}
			if string(rec.Block) != wantBlock {
				t.Errorf("block\n%q\nwant\n%q", rec.Block, wantBlock)
			}
			if got := h.Get("WARC-Block-Digest"); got != Digest(sha1.Sum(rec.Block)).String() {
				t.Errorf("block digest %s", got)
			}
			wantPayload := Digest(sha1.Sum([]byte(tt.payload))).String()
			switch got := h.Get("WARC-Payload-Digest"); {
			case tt.status == 304 && got != "":
				t.Errorf("a 304 has a payload digest %s", got)
			case tt.status != 304 && got != wantPayload:
				t.Errorf("payload digest %s, want %s", got, wantPayload)
			}
			if tt.status == 304 && (h.Get("WARC-Refers-To-Target-URI") != ex.URL || h.Get("WARC-Refers-To-Date") != "2024-05-06T06:08:09.123456Z") {
				t.Errorf("304 refers to %q at %q", h.Get("WARC-Refers-To-Target-URI"), h.Get("WARC-Refers-To-Date"))
			}
		})
	}
}

func TestRawResponseInvalid(t *testing.T) {
	w := create(t, testOptions(t))
	defer w.Close()
	for _, resp := range []string{"", "garbage\r\n\r\n", "HTTP/1.1 200 OK\r\nno end", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"} {
		if _, err := w.WriteExchange(rawExchange("http://example.com/", resp)); !errors.Is(err, ErrInvalidExchange) {
			t.Errorf("%q: %v, want ErrInvalidExchange", resp, err)
		}
	}
	ex := rawExchange("http://example.com/", "HTTP/1.1 200 OK\r\n\r\n")
	ex.ResponseHead = []byte("HTTP/1.1 200 OK\r\n\r\n")
	if _, err := w.WriteExchange(ex); !errors.Is(err, ErrInvalidExchange) {
		t.Errorf("both forms: %v", err)
	}
}

// TestRawLargeHead reads a head longer than the first read.
func TestRawLargeHead(t *testing.T) {
	w := create(t, testOptions(t))
	defer w.Close()
	resp := "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("v", 40<<10) + "\r\n\r\nbody"
	res := write(t, w, rawExchange("http://example.com/", resp))
	w.Close()
	recs := readFile(t, w.Files()[0])
	if string(recs[len(recs)-1].Block) != resp || res.PayloadDigest != sha1.Sum([]byte("body")) {
		t.Error("a long head was not kept whole")
	}
}

// dechunk runs the dechunker over in, split at the given points.
func dechunk(in []byte, splits ...int) (out []byte, complete bool, err error) {
	var b bytes.Buffer
	d := &dechunker{out: &b}
	prev := 0
	for _, s := range append(splits, len(in)) {
		if s < prev || s > len(in) {
			continue
		}
		d.Write(in[prev:s])
		prev = s
	}
	return b.Bytes(), d.complete(), d.err
}

func TestDechunker(t *testing.T) {
	for _, tt := range []struct {
		in, out  string
		complete bool
		bad      bool
	}{
		{"5\r\nhello\r\n0\r\n\r\n", "hello", true, false},
		{"5;ext=1\r\nhello\r\n6 \r\n world\r\n0\r\nTrailer: x\r\n\r\n", "hello world", true, false},
		{"5\nhello\n0\n\n", "hello", true, false},
		{"A\r\n0123456789\r\n0\r\n\r\nextra", "0123456789", true, false},
		{"5\r\nhel", "hel", false, false},
		{"5\r\nhelloX\r\n", "hello", false, true},
		{"x\r\n", "", false, true},
		{"fffffffffffffffffff\r\n", "", false, true},
	} {
		for split := range len(tt.in) + 1 {
			out, complete, err := dechunk([]byte(tt.in), split)
			if string(out) != tt.out || complete != tt.complete || (err != nil) != tt.bad {
				t.Errorf("%q split at %d: %q, complete %v, err %v", tt.in, split, out, complete, err)
			}
		}
	}
}

// FuzzDechunker checks the dechunker against net/http's chunked reader:
// where that one reads a message to its end, this one yields the same
// bytes, however the input is split.
func FuzzDechunker(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"), 3)
	f.Add([]byte("1;a=b\r\nx\r\n0\r\nT: v\r\n\r\n"), 9)
	f.Add([]byte(chunk(strings.Repeat("abc", 100), 17)), 40)
	f.Fuzz(func(t *testing.T, in []byte, split int) {
		out, complete, _ := dechunk(in, split)
		want, err := io.ReadAll(httputil.NewChunkedReader(bufio.NewReader(bytes.NewReader(in))))
		if err == nil && complete && !bytes.Equal(out, want) {
			t.Errorf("%q: %q, net/http read %q", in, out, want)
		}
		if err == nil && !bytes.HasPrefix(want, out) && !bytes.HasPrefix(out, want) {
			t.Errorf("%q: %q and net/http's %q disagree", in, out, want)
		}
	})
}
