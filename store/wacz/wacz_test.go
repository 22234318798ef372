package wacz

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crawl-go/crawl/store/warc"
	"github.com/crawl-go/crawl/store/warc/cdxj"
)

func TestTitle(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"<!doctype html><html><head><title>Hello\n  world</title>", "Hello world"},
		{"<TITLE>Caps &amp; entities</TITLE>", "Caps & entities"},
		{"<html><body><title>not in head</title>", ""},
		{"<svg><title>icon</title></svg><title>page</title>", ""},
		{"<title></title>", ""},
		{"no markup", ""},
		{"<title>cut sho", "cut sho"},
	} {
		if got := Title([]byte(tt.in)); got != tt.want {
			t.Errorf("Title(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestWrite packages a WARC file and its index and reads every indexed
// record back through the ZIP, at the file's data offset plus the
// index's offset, as a viewer does with a range request.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	w, err := warc.Create(warc.Options{Dir: dir, Prefix: "site"})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := cdxj.Create(filepath.Join(dir, "site.cdxj"), 0)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	var pages bytes.Buffer
	for _, p := range []string{"/", "/a", "/b"} {
		body := "<title>page " + p + "</title>"
		resp := "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + itoa(len(body)) + "\r\n\r\n" + body
		res, err := w.WriteExchange(&warc.Exchange{URL: "http://example.com" + p, Date: at,
			Request: []byte("GET " + p + " HTTP/1.1\r\n\r\n"), Response: strings.NewReader(resp), ResponseLen: int64(len(resp))})
		if err != nil {
			t.Fatal(err)
		}
		e := cdxj.Entry{URL: "http://example.com" + p, Mime: "text/html", Status: "200", Digest: res.PayloadDigest.String(),
			Length: itoa(int(res.Length)), Offset: itoa(int(res.Offset)), Filename: res.File}
		e.Key(at)
		ix.Add(&e)
		line, _ := json.Marshal(NewPage(e.URL, at, Title([]byte(body))))
		pages.Write(append(line, '\n'))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	pagesPath := filepath.Join(dir, "pages.jsonl")
	os.WriteFile(pagesPath, pages.Bytes(), 0o644)
	out := filepath.Join(dir, "site.wacz")
	if err := Write(out, Options{WARCs: w.Files(), Index: ix.Path(), Pages: pagesPath, Title: "test", Software: "crawl/test",
		MainPageURL: "http://example.com/", MainPageDate: at}); err != nil {
		t.Fatal(err)
	}

	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string]*zip.File{}
	var names []string
	for _, f := range zr.File {
		files[f.Name] = f
		names = append(names, f.Name)
		if f.Method != zip.Store || f.Flags&0x8 != 0 {
			t.Errorf("%s: method %d, flags %#x; want stored without data descriptor", f.Name, f.Method, f.Flags)
		}
	}
	want := "archive/site-00000.warc.gz indexes/index.cdxj pages/pages.jsonl datapackage.json datapackage-digest.json"
	if strings.Join(names, " ") != want {
		t.Errorf("entries %v, want %s", names, want)
	}
	read := func(name string) []byte {
		rc, err := files[name].Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var pkg struct {
		Profile     string `json:"profile"`
		Version     string `json:"wacz_version"`
		MainPageURL string `json:"mainPageUrl"`
		Resources   []struct {
			Name, Path, Hash string
			Bytes            int64
		}
	}
	dp := read("datapackage.json")
	if err := json.Unmarshal(dp, &pkg); err != nil {
		t.Fatal(err)
	}
	if pkg.Profile != "data-package" || pkg.Version != "1.1.1" || pkg.MainPageURL != "http://example.com/" || len(pkg.Resources) != 3 {
		t.Errorf("datapackage.json: %s", dp)
	}
	for _, r := range pkg.Resources {
		b := read(r.Path)
		sum := sha256.Sum256(b)
		if r.Hash != "sha256:"+hex.EncodeToString(sum[:]) || r.Bytes != int64(len(b)) {
			t.Errorf("%s: hash %s, %d bytes; the file has %d bytes", r.Path, r.Hash, r.Bytes, len(b))
		}
	}
	sum := sha256.Sum256(dp)
	var dd struct{ Path, Hash string }
	json.Unmarshal(read("datapackage-digest.json"), &dd)
	if dd.Path != "datapackage.json" || dd.Hash != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Errorf("datapackage-digest.json: %+v", dd)
	}
	if p := string(read("pages/pages.jsonl")); !strings.HasPrefix(p, `{"format": "json-pages-1.0"`) || !strings.Contains(p, `"title":"page /a"`) {
		t.Errorf("pages.jsonl:\n%s", p)
	}

	// Every indexed record, by range into the WACZ.
	raw, _ := os.ReadFile(out)
	warcFile := files["archive/site-00000.warc.gz"]
	base, err := warcFile.DataOffset()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(read("indexes/index.cdxj"))), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d index lines", len(lines))
	}
	for _, l := range lines {
		e, err := cdxj.ParseLine([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		off, n := base+atoi(e.Offset), atoi(e.Length)
		recs := warc.NewReader(bytes.NewReader(raw[off : off+n]))
		rec, err := recs.Next()
		if err != nil {
			t.Fatalf("%s: %v", e.URL, err)
		}
		if rec.Header.Get("WARC-Target-URI") != e.URL || rec.Type() != "response" {
			t.Errorf("%s: the index points at a %s of %s", e.URL, rec.Type(), rec.Header.Get("WARC-Target-URI"))
		}
		if _, err := io.Copy(io.Discard, rec.Block); err != nil {
			t.Errorf("%s: %v", e.URL, err)
		}
		if _, err := recs.Next(); err != io.EOF {
			t.Errorf("%s: the range holds more than the record: %v", e.URL, err)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
