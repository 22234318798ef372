package warc

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// verifyDir holds verify.mjs, the independent reader: warcio.js, pinned in
// its package.json and package-lock.json.
const verifyDir = "testdata/verify"

// verifySummary is what verify.mjs prints.
type verifySummary struct {
	Counts   map[string]int `json:"counts"`
	Problems []string       `json:"problems"`
	Files    []struct {
		File    string `json:"file"`
		Size    int64  `json:"size"`
		Records []struct {
			Type            string `json:"type"`
			ID              string `json:"id"`
			TargetURI       string `json:"targetURI"`
			RefersTo        string `json:"refersTo"`
			PayloadDigest   string `json:"payloadDigest"`
			Offset          int64  `json:"offset"`
			Length          int64  `json:"length"`
			BlockDigestOK   bool   `json:"blockDigestOK"`
			PayloadDigestOK *bool  `json:"payloadDigestOK"`
			Chunked         bool   `json:"chunked"`
			HTTPStatus      int    `json:"httpStatus"`
			ContentSHA1     string `json:"contentSHA1"`
		} `json:"records"`
	} `json:"files"`
}

// TestIndependentReader writes a crawl-like set of exchanges and has
// warcio.js, an independent WARC implementation, read the files back and
// recompute every digest. It needs Node and `npm ci --prefix
// store/warc/testdata/verify`; without them it is skipped, except in CI
// (CI set), where it fails.
func TestIndependentReader(t *testing.T) {
	node, err := exec.LookPath("node")
	_, statErr := os.Stat(filepath.Join(verifyDir, "node_modules", "warcio"))
	if err != nil || statErr != nil {
		msg := "the independent WARC reader is not installed: run `npm ci --prefix store/warc/testdata/verify` (needs Node 18 or later)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	opts := testOptions(t)
	opts.NewRecordID = nil // random UUIDs, as in a crawl
	opts.Now = nil
	opts.MaxSize = 12 << 10
	opts.Info = Header{{"isPartOf", "independent-reader-test"}}
	w := create(t, opts)

	html := func(s string) string { return "<!doctype html><title>" + s + "</title><p>" + s + "</p>\n" }
	gz := func(s string) string {
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		z.Write([]byte(s))
		z.Close()
		return b.String()
	}
	htmlHead := "Content-Type: text/html; charset=utf-8\r\n"
	gzHead := htmlHead + "Content-Encoding: gzip\r\n"
	chunkHead := "Transfer-Encoding: chunked\r\n"
	type planned struct {
		ex      *Exchange
		content string // the body with its content coding removed
		revisit bool
	}
	var writes []planned
	add := func(url, head, body, content string, revisit bool) *Exchange {
		ex := exchange(url, head, body)
		ex.Date = time.Time{}
		ex.IP = "127.0.0.1"
		writes = append(writes, planned{ex, content, revisit})
		return ex
	}
	add("http://site.test/", htmlHead, html("home"), html("home"), false)
	add("http://site.test/about", htmlHead, html("about"), html("about"), false)
	add("http://site.test/index.html", htmlHead, html("home"), html("home"), true)
	add("http://site.test/gz", gzHead, gz(html("compressed")), html("compressed"), false)
	add("http://site.test/chunked", htmlHead+chunkHead, html("chunked"), html("chunked"), false)
	add("http://site.test/gz-chunked", gzHead+chunkHead, gz(html("both")), html("both"), false)
	add("http://site.test/big.bin", "Content-Type: application/octet-stream\r\n", randomBody(3, 20<<10), randomBody(3, 20<<10), false)
	add("http://site.test/chunked-again", htmlHead+chunkHead, html("chunked"), html("chunked"), true)
	add("http://site.test/gz-copy", gzHead, gz(html("compressed")), html("compressed"), true)
	ex := add("http://site.test/nothing", "", "", "", false)
	ex.ResponseHead = []byte("HTTP/1.1 204 No Content\r\n\r\n")
	ex = add("http://site.test/head", htmlHead+chunkHead, "", "", false)
	ex.Request = []byte("HEAD /head HTTP/1.1\r\nHost: site.test\r\n\r\n")
	add("http://site.test/last", htmlHead, html("last"), html("last"), false)
	// Responses as received: chunked, gzipped, both, an error page, and
	// a 304, each block exactly the bytes given.
	addRaw := func(url, resp, content string, revisit bool) {
		ex := rawExchange(url, resp)
		ex.Date = time.Time{}
		ex.IP = "127.0.0.1"
		writes = append(writes, planned{ex, content, revisit})
	}
	addRaw("http://site.test/raw-chunked", "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nX-A: 1\r\nX-A: 2\r\nTransfer-Encoding: chunked\r\n\r\n"+
		chunk(html("raw"), 9), html("raw"), false)
	addRaw("http://site.test/raw-gz", "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "+strconv.Itoa(len(gz(html("rawgz"))))+"\r\n\r\n"+
		gz(html("rawgz")), html("rawgz"), false)
	addRaw("http://site.test/raw-gz-chunked", "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"+
		chunk(gz(html("rawgzc")), 11), html("rawgzc"), false)
	addRaw("http://site.test/raw-again", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"+chunk(html("raw"), 4), html("raw"), true)
	addRaw("http://site.test/raw-404", "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot here\n", "not here\n", false)
	addRaw("http://site.test/raw-304", "HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\n\r\n", "", true)

	results := make(map[string]Result)
	for _, wr := range writes {
		res := write(t, w, wr.ex)
		if (res.Type == TypeRevisit) != wr.revisit {
			t.Errorf("%s: %s record, want a revisit: %v", wr.ex.URL, res.Type, wr.revisit)
		}
		results[wr.ex.URL] = res
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files := w.Files()
	if len(files) < 2 {
		t.Fatalf("%d files, want rotation", len(files))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"verify.mjs"}, files...)...)
	cmd.Dir = verifyDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Errorf("node verify.mjs: %v\n%s", err, stderr.Bytes())
	}
	var sum verifySummary
	if err := json.Unmarshal(out, &sum); err != nil {
		t.Fatalf("verify.mjs output: %v\n%s", err, out)
	}
	for _, p := range sum.Problems {
		t.Errorf("warcio.js: %s", p)
	}

	// warcio.js saw exactly the records our Reader sees, at the same offsets.
	if len(sum.Files) != len(files) {
		t.Fatalf("warcio.js read %d files, want %d", len(sum.Files), len(files))
	}
	for i, path := range files {
		ours := readFile(t, path)
		theirs := sum.Files[i].Records
		if len(theirs) != len(ours) {
			t.Errorf("%s: warcio.js read %d records, want %d", path, len(theirs), len(ours))
			continue
		}
		for j, r := range ours {
			got := theirs[j]
			if got.Type != r.Header.Get("WARC-Type") || got.ID != r.Header.Get("WARC-Record-ID") ||
				got.TargetURI != r.Header.Get("WARC-Target-URI") || got.Offset != r.Offset {
				t.Errorf("%s record %d: warcio.js read %s %s %s at %d, want %s %s %s at %d", path, j,
					got.Type, got.ID, got.TargetURI, got.Offset,
					r.Header.Get("WARC-Type"), r.Header.Get("WARC-Record-ID"), r.Header.Get("WARC-Target-URI"), r.Offset)
			}
			if !got.BlockDigestOK {
				t.Errorf("%s record %d: block digest differs", path, j)
			}
		}
	}

	// What each exchange became, seen by warcio.js.
	revisits := 0
	for _, wr := range writes {
		if wr.revisit {
			revisits++
		}
	}
	want := map[string]int{"warcinfo": len(files), "request": len(writes), "response": len(writes) - revisits, "revisit": revisits}
	for typ, n := range want {
		if sum.Counts[typ] != n {
			t.Errorf("warcio.js counted %d %s records, want %d", sum.Counts[typ], typ, n)
		}
	}
	byID := make(map[string]int) // index in writes of each response ID
	for i, wr := range writes {
		byID[results[wr.ex.URL].ResponseID] = i
	}
	for _, f := range sum.Files {
		for _, r := range f.Records {
			i, ok := byID[r.ID]
			if !ok {
				continue
			}
			wr, res := writes[i], results[writes[i].ex.URL]
			if f.File != res.File || r.Offset != res.Offset || r.Length != res.Length {
				t.Errorf("%s: warcio.js found it in %s at %d+%d, Result says %s at %d+%d",
					wr.ex.URL, f.File, r.Offset, r.Length, res.File, res.Offset, res.Length)
			}
			if r.PayloadDigest != res.PayloadDigest.String() && res.Profile != ProfileServerNotModified {
				t.Errorf("%s: payload digest %s, want %s", wr.ex.URL, r.PayloadDigest, res.PayloadDigest)
			}
			switch {
			case res.Profile == ProfileServerNotModified:
				if r.Type != "revisit" || r.HTTPStatus != 304 {
					t.Errorf("%s: %s of status %d, want a revisit of a 304", wr.ex.URL, r.Type, r.HTTPStatus)
				}
			case wr.revisit:
				if r.Type != "revisit" || r.RefersTo != res.RefersTo.RecordID {
					t.Errorf("%s: %s referring to %q, want a revisit of %s", wr.ex.URL, r.Type, r.RefersTo, res.RefersTo.RecordID)
				}
			default:
				if r.PayloadDigestOK == nil || !*r.PayloadDigestOK {
					t.Errorf("%s: warcio.js's payload does not match WARC-Payload-Digest", wr.ex.URL)
				}
				h := sha1.Sum([]byte(wr.content))
				if r.ContentSHA1 != hex.EncodeToString(h[:]) {
					t.Errorf("%s: content decoded by warcio.js differs from what was fetched", wr.ex.URL)
				}
			}
		}
	}
	if t.Failed() || os.Getenv("WARC_VERIFY_DUMP") != "" {
		t.Logf("verify.mjs output:\n%s", out)
	}
}
