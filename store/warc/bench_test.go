package warc

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// BenchmarkWriteExchange writes exchanges of 25 KB HTML-like bodies: each
// distinct ("response"), or all the same ("revisit").
func BenchmarkWriteExchange(b *testing.B) {
	const size = 25 << 10
	page := []byte(strings.Repeat("<div class=\"item\"><a href=\"/page/123\">A link to a page</a></div>\n", size/50)[:size])
	for _, bc := range []struct {
		name     string
		distinct bool
	}{{"response", true}, {"revisit", false}} {
		b.Run(bc.name, func(b *testing.B) {
			opts := testOptions(b)
			opts.NewRecordID = nil // the real, random IDs
			w := create(b, opts)
			body := bytes.Clone(page)
			ex := exchange("http://example.com/page/123", "Content-Type: text/html\r\nContent-Length: 25600\r\n", "")
			ex.Body, ex.BodyLen = bytes.NewReader(body), size
			b.SetBytes(size)
			b.ReportAllocs()
			var i uint64
			for b.Loop() {
				if bc.distinct {
					i++
					binary.BigEndian.PutUint64(body, i)
				}
				if _, err := w.WriteExchange(ex); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}
