package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file holds the progress of a crawl: a line redrawn in place on a
// terminal (never wider than the terminal, so it never wraps), a plain
// line every five seconds otherwise, and DIR/.crawl/status.json written
// every second for crawl status.

const (
	// liveEvery is how often the live line is redrawn.
	liveEvery = 200 * time.Millisecond
	// plainEvery is how often a plain progress line is printed.
	plainEvery = 5 * time.Second
	// statusEvery is how often status.json is written.
	statusEvery = time.Second
	// sharedEvery is how often the counts of a shared crawl are read
	// from Redis.
	sharedEvery = time.Second
	// rateWindow is the span the rate is measured over.
	rateWindow = 10 * time.Second
	// plainWidth is the width of a plain line: wide enough for every
	// field in full.
	plainWidth = 160
)

// progressView is what the progress line says.
type progressView struct {
	elapsed  time.Duration
	fetched  int64 // URLs fetched by this process
	failed   int64
	queued   int64 // waiting: in the whole crawl when it is shared
	inFlight int64
	bytes    int64
	// allDone counts the URLs done by every process of a shared crawl;
	// it is -1 when the crawl is not shared.
	allDone int64
	// rate is the URLs done per second lately, 0 when not known.
	rate float64
	// eta is the time left at that rate, -1 when not known.
	eta time.Duration
}

// segment is a field of the progress line: its spellings from the longest
// to the shortest, and how late it is dropped when even the shortest
// spellings do not fit.
type segment struct {
	forms []string
	keep  int
}

func (v progressView) segments() []segment {
	segs := []segment{{forms: []string{formatElapsed(v.elapsed)}, keep: 9}}
	if v.allDone >= 0 {
		segs = append(segs, segment{keep: 8, forms: []string{
			fmt.Sprintf("%s fetched here, %s done by all", groupDigits(v.fetched), groupDigits(v.allDone)),
			fmt.Sprintf("%d ok, %d all", v.fetched, v.allDone),
			fmt.Sprintf("%d ok", v.fetched),
		}})
	} else {
		segs = append(segs, segment{keep: 8, forms: []string{groupDigits(v.fetched) + " fetched", fmt.Sprintf("%d ok", v.fetched)}})
	}
	if v.failed > 0 {
		segs = append(segs, segment{keep: 6, forms: []string{groupDigits(v.failed) + " failed", fmt.Sprintf("%d err", v.failed)}})
	}
	segs = append(segs, segment{keep: 7, forms: []string{
		fmt.Sprintf("%s queued, %s in flight", groupDigits(v.queued), groupDigits(v.inFlight)),
		groupDigits(v.queued) + " queued",
		fmt.Sprintf("%d left", v.queued+v.inFlight),
	}})
	if v.rate > 0 {
		segs = append(segs, segment{keep: 3, forms: []string{formatRate(v.rate) + " URLs/s", fmt.Sprintf("%.0f/s", v.rate)}})
	}
	segs = append(segs, segment{keep: 2, forms: []string{formatBytes(v.bytes), shortBytes(v.bytes)}})
	if v.eta >= 0 {
		segs = append(segs, segment{keep: 5, forms: []string{"ETA " + formatElapsed(v.eta)}})
	}
	return segs
}

// line formats the view for a terminal width columns wide: at most
// width-1 columns, so that the cursor never reaches the last column (some
// terminals wrap there). Fields are shortened, then dropped, the least
// useful first, until the line fits.
func (v progressView) line(width int) string {
	return fit(v.segments(), width)
}

// fit renders segs on one line for a terminal width columns wide: at most
// width-1 columns (counted as bytes, which is never less than columns),
// the forms shortened, then the segments dropped, the least useful first;
// the first segment is never dropped.
func fit(segs []segment, width int) string {
	limit := max(width-1, 1)
	form := make([]int, len(segs))
	dropped := make([]bool, len(segs))
	sep := "  "
	render := func() string {
		var parts []string
		for i, s := range segs {
			if !dropped[i] {
				parts = append(parts, s.forms[form[i]])
			}
		}
		return strings.Join(parts, sep)
	}
	// The least useful first; the first field (elapsed) is never dropped.
	order := make([]int, len(segs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return segs[a].keep - segs[b].keep })
	if l := render(); len(l) <= limit {
		return l
	}
	for _, i := range order {
		for form[i] < len(segs[i].forms)-1 {
			form[i]++
			if l := render(); len(l) <= limit {
				return l
			}
		}
	}
	sep = " "
	if l := render(); len(l) <= limit {
		return l
	}
	for _, i := range order {
		if i == 0 {
			continue
		}
		dropped[i] = true
		if l := render(); len(l) <= limit {
			return l
		}
	}
	return cutRunes(render(), limit)
}
