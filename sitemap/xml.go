package sitemap

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// parseXML reads a <urlset> or <sitemapindex> document token by token, so
// that memory grows with the entries kept, never with the document.
//
// Elements are recognised by local name and depth: <url> or <sitemap> as
// children of the root, <loc> and <lastmod> as their children. Namespaces
// are optional: an element counts if it has no namespace or the root's, so
// that sitemaps that omit the namespace or use another version of it are
// read, while extension elements (image:loc, video:title) are not mistaken
// for ours. Everything else is skipped.
func parseXML(in *bufio.Reader) (Result, error) {
	dec := xml.NewDecoder(in)
	dec.Entity = xml.HTMLEntity // &nbsp; and friends appear in the wild
	dec.CharsetReader = charset.NewReaderLabel

	var (
		res       Result
		depth     int
		index     bool   // the root is <sitemapindex>
		rootSpace string // the root's namespace
		inItem    bool   // inside a <url> or <sitemap> child of the root
		field     string // "loc" or "lastmod" while inside one of them
		loc, mod  strings.Builder
	)
	ours := func(n xml.Name) bool { return n.Space == "" || n.Space == rootSpace }
	for {
		tok, err := dec.Token()
		if err != nil {
			line, col := dec.InputPos()
			if errors.Is(err, io.EOF) {
				// Token reports a document cut short as a syntax
				// error, so EOF here means there was no root.
				return res, fmt.Errorf("read sitemap xml: no root element: %w", ErrNotSitemap)
			}
			return res, fmt.Errorf("read sitemap xml at line %d, column %d: %w", line, col, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			name := strings.ToLower(t.Name.Local)
			switch {
			case depth == 1:
				switch name {
				case "urlset":
				case "sitemapindex":
					index = true
				default:
					return res, fmt.Errorf("read sitemap xml: root element <%s>: %w", t.Name.Local, ErrNotSitemap)
				}
				rootSpace = t.Name.Space
			case depth == 2 && ours(t.Name) && (name == "url" && !index || name == "sitemap" && index):
				inItem = true
				loc.Reset()
				mod.Reset()
			case depth == 3 && inItem && ours(t.Name) && (name == "loc" || name == "lastmod"):
				field = name
				if name == "loc" {
					loc.Reset()
				} else {
					mod.Reset()
				}
			}
		case xml.CharData:
			if depth == 3 {
				switch field {
				case "loc":
					loc.Write(t)
				case "lastmod":
					mod.Write(t)
				}
			}
		case xml.EndElement:
			switch depth {
			case 1:
				return res, nil
			case 2:
				if inItem {
					inItem = false
					if err := res.add(index, loc.String(), mod.String()); err != nil {
						return res, fmt.Errorf("read sitemap xml at line %d: %w", lineOf(dec), err)
					}
				}
			case 3:
				field = ""
			}
			depth--
		}
	}
}

func lineOf(dec *xml.Decoder) int {
	line, _ := dec.InputPos()
	return line
}

// add records one <url> or <sitemap> entry, if its location is a URL we
// keep. It fails with ErrTooMany when the result is already full.
func (r *Result) add(index bool, loc, lastmod string) error {
	loc = strings.TrimSpace(loc)
	if !validURL(loc) {
		return nil
	}
	if r.count() >= MaxEntries {
		return fmt.Errorf("more than %d entries: %w", MaxEntries, ErrTooMany)
	}
	if index {
		r.Sitemaps = append(r.Sitemaps, loc)
		return nil
	}
	r.URLs = append(r.URLs, Entry{URL: loc, LastMod: parseLastMod(lastmod)})
	return nil
}

// parseLastMod reads a <lastmod> value, the zero Time if it cannot. Values
// without a zone are taken as UTC.
func parseLastMod(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	// The W3C Datetime forms the protocol allows, most complete first, and
	// a few that sitemaps in the wild use instead.
	layouts := [...]string{
		time.RFC3339Nano,         // 2005-01-01T12:00:00.5+01:00, also without the fraction
		"2006-01-02T15:04Z07:00", // W3C: minutes precision
		"2006-01-02",             // W3C: date
		"2006-01",                // W3C: month
		"2006",                   // W3C: year
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999",
		time.RFC1123Z,
		time.RFC1123,
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
