package main

import (
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/crawl-go/crawl/fetch"
)

// This file holds the second row of the live progress: the largest
// download under way, with its bytes, rate and time left.

const (
	// downloadShowAfter is how long a download goes on before the
	// progress shows it: the files of a crawl that take a moment each
	// would only make the row flicker.
	downloadShowAfter = 2 * time.Second
	// downloadWindow is the span a download's rate is measured over.
	downloadWindow = 5 * time.Second
)

// byteSample is the bytes a download had at a moment, for its rate.
type byteSample struct {
	at time.Time
	n  int64
}

// downloadSamples keeps the recent samples of each download under way, by
// fetch.Transfer.ID.
type downloadSamples map[uint64][]byteSample

// downloadView is what the download row says.
type downloadView struct {
	name                     string
	received, total, resumed int64 // total -1 when unknown
	rate                     float64
	eta                      time.Duration // -1 when unknown
	more                     int           // other downloads shown
}

// view samples the downloads ts (the largest first) at now, and returns
// the view of the largest that has gone on for downloadShowAfter; nil
// when there is none.
func (d *downloadSamples) view(ts []fetch.Transfer, now time.Time) *downloadView {
	if *d == nil {
		*d = downloadSamples{}
	}
	var shown []fetch.Transfer
	seen := make(map[uint64]bool, len(ts))
	for _, t := range ts {
		seen[t.ID] = true
		s := append((*d)[t.ID], byteSample{now, t.Received})
		for len(s) > 2 && now.Sub(s[1].at) >= downloadWindow {
			s = s[1:]
		}
		(*d)[t.ID] = s
		if now.Sub(t.Started) >= downloadShowAfter {
			shown = append(shown, t)
		}
	}
	for id := range *d {
		if !seen[id] {
			delete(*d, id)
		}
	}
	if len(shown) == 0 {
		return nil
	}
	t := shown[0]
	v := &downloadView{name: downloadName(t.URL), received: t.Received, total: t.Total, resumed: t.Resumed, eta: -1, more: len(shown) - 1}
	if first := (*d)[t.ID][0]; now.Sub(first.at) >= time.Second {
		v.rate = float64(t.Received-first.n) / now.Sub(first.at).Seconds()
	} else if el := now.Sub(t.Started); el > 0 {
		v.rate = float64(t.Received-t.Resumed) / el.Seconds()
	}
	if v.rate > 0 && t.Total >= t.Received {
		v.eta = time.Duration(float64(t.Total-t.Received) / v.rate * float64(time.Second))
	}
	return v
}

// line formats the view for a terminal width columns wide, as the
// progress line is: never wider than width-1.
func (v *downloadView) line(width int) string {
	// The name is shortened after the least useful fields, and never
	// dropped.
	segs := []segment{{keep: 4, forms: []string{"  " + v.name, "  " + ellipsize(v.name, 24), "  " + ellipsize(v.name, 12)}}}
	if v.total >= 0 {
		pct := 100
		if v.total > 0 {
			pct = int(min(v.received*100/v.total, 100))
		}
		segs = append(segs, segment{keep: 8, forms: []string{
			fmt.Sprintf("%s of %s (%d%%)", formatBytes(v.received), formatBytes(v.total), pct),
			fmt.Sprintf("%s/%s %d%%", shortBytes(v.received), shortBytes(v.total), pct),
			fmt.Sprintf("%d%%", pct),
		}})
	} else {
		segs = append(segs, segment{keep: 8, forms: []string{formatBytes(v.received), shortBytes(v.received)}})
	}
	if v.rate > 0 {
		segs = append(segs, segment{keep: 6, forms: []string{formatBytes(int64(v.rate)) + "/s", shortBytes(int64(v.rate)) + "/s"}})
	}
	if v.eta >= 0 {
		segs = append(segs, segment{keep: 7, forms: []string{"ETA " + formatElapsed(v.eta)}})
	}
	if v.resumed > 0 {
		segs = append(segs, segment{keep: 2, forms: []string{"continued from " + formatBytes(v.resumed), "cont."}})
	}
	if v.more > 0 {
		segs = append(segs, segment{keep: 3, forms: []string{fmt.Sprintf("and %d more", v.more), fmt.Sprintf("+%d", v.more)}})
	}
	return fit(segs, width)
}

// downloadName returns the name to show for a download of rawURL: the
// last segment of its path, decoded, or its host; characters a terminal
// would act on are shown as "?".
func downloadName(rawURL string) string {
	name := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		name = u.Host
		if base := path.Base(u.Path); base != "/" && base != "." {
			name = base
			if dec, err := url.PathUnescape(base); err == nil {
				name = dec
			}
		}
	}
	return strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, name)
}

// ellipsize shortens s to n runes at most, keeping its start and its end
// (where the extension is) around "…".
func ellipsize(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n < 3 {
		return s
	}
	tail := (n - 1) / 2
	return string(r[:n-1-tail]) + "…" + string(r[len(r)-tail:])
}
