package warc

import (
	"crypto/sha1"
	"io"
	"strconv"
	"strings"
	"testing"

	gowarc "github.com/nlnwa/gowarc/v3"
)

// TestGowarcReadsBack has nlnwa/gowarc, a WARC library independent of
// this package, read a file of every kind of record this package writes:
// it must find each record at the offset and with the size our Reader
// and Result give, and validate every digest, but one kind on purpose.
// gowarc digests a chunked payload with its chunk framing, as warcio
// does; WARC 1.1 section 6.3.2 removes the transfer coding, and so do
// we. For those records gowarc's digest must be exactly the SHA-1 of the
// framed body, which shows that the framing is the only difference.
func TestGowarcReadsBack(t *testing.T) {
	opts := testOptions(t)
	w := create(t, opts)
	page := strings.Repeat("<p>archived</p>\n", 30)
	results := map[string]Result{}
	bodies := map[string]string{} // the message body of each response, as written
	addRaw := func(url, head, body string) {
		ex := rawExchange(url, head+body)
		ex.IP = "127.0.0.1"
		results[url] = write(t, w, ex)
		bodies[url] = body
	}
	addRaw("http://site.test/plain", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "+strconv.Itoa(len(page))+"\r\n\r\n", page)
	addRaw("http://site.test/chunked", "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n", chunk(page+"!", 100))
	addRaw("http://site.test/gzip", "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "+strconv.Itoa(len(gz(page+"?")))+"\r\n\r\n", gz(page+"?"))
	addRaw("http://site.test/again", "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(len(page))+"\r\n\r\n", page)
	addRaw("http://site.test/404", "HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\n", "gone\n")
	addRaw("http://site.test/304", "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", "")
	addRaw("http://site.test/cut", "HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n", page[:50])
	ex := exchange("http://site.test/rebuilt", "Transfer-Encoding: chunked\r\n", page+"#")
	results[ex.URL] = write(t, w, ex)
	bodies[ex.URL] = strconv.FormatInt(int64(len(page)+1), 16) + "\r\n" + page + "#\r\n0\r\n\r\n"
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := w.Files()[0]
	ours := readFile(t, path)

	rd, err := gowarc.NewWarcFileReader(path, 0, gowarc.WithBlockErrorPolicy(gowarc.ErrWarn))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	i, framed := 0, 0
	for rec, err := range rd.Records() {
		if err != nil {
			t.Fatalf("gowarc: record %d: %v", i, err)
		}
		wr := rec.WarcRecord
		url := wr.WarcHeader().Get(gowarc.WarcTargetURI)
		if i >= len(ours) || rec.Offset != ours[i].Offset || "<"+wr.RecordId()+">" != ours[i].Header.Get("WARC-Record-ID") {
			t.Fatalf("gowarc: record %d is %s at %d", i, wr.RecordId(), rec.Offset)
		}
		if res, ok := results[url]; ok && wr.Type() != gowarc.Request && (rec.Offset != res.Offset || rec.Size != res.Length) {
			t.Errorf("%s: gowarc read %d bytes at %d, Result says %d at %d", url, rec.Size, rec.Offset, res.Length, res.Offset)
		}
		// Read the block, so that gowarc checks its digests.
		if pb, ok := wr.Block().(gowarc.PayloadBlock); ok {
			if r, err := pb.PayloadBytes(); err == nil {
				io.Copy(io.Discard, r)
			}
			chunked := strings.Contains(strings.ToLower(string(ours[i].Block)), "transfer-encoding: chunked") && wr.Type() == gowarc.Response
			switch {
			case chunked && len(rec.Validation) == 1:
				framed++
				d := Digest(sha1.Sum([]byte(bodies[url])))
				if got := pb.PayloadDigest(); !strings.EqualFold(got, d.String()) {
					t.Errorf("%s: gowarc's payload digest %s is not that of the framed body %s", url, got, d)
				}
			case len(rec.Validation) > 0:
				t.Errorf("%s %s: gowarc: %v", wr.Type(), url, rec.Validation)
			}
		}
		rec.Close()
		i++
	}
	if i != len(ours) || framed != 2 {
		t.Errorf("gowarc read %d records, our Reader %d; %d chunked payloads differ, want 2", i, len(ours), framed)
	}
}
