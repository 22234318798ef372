package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	crawl "github.com/crawl-go/crawl"
	"github.com/crawl-go/crawl/store"
)

// This file holds the flags of single downloads: --limit-rate, and what
// goes with -O and -c.

// rateValue is --limit-rate: bytes per second written as wget takes them,
// 200k, 1.5m or 2M (k is 1024 bytes, m 1024 k, g 1024 m), or a plain
// number of bytes.
type rateValue int64

func (r *rateValue) String() string { return strconv.FormatInt(int64(*r), 10) }

func (r *rateValue) Set(v string) error {
	s := strings.TrimSuffix(strings.TrimSpace(v), "/s")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "B"), "i")
	mult := 1.0
	if s != "" {
		switch s[len(s)-1] {
		case 'k', 'K':
			mult = 1 << 10
		case 'm', 'M':
			mult = 1 << 20
		case 'g', 'G':
			mult = 1 << 30
		}
		if mult > 1 {
			s = s[:len(s)-1]
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f*mult > 1<<50 {
		return errors.New("want bytes per second, like 200k or 1.5M")
	}
	*r = rateValue(math.Round(f * mult))
	if f > 0 && *r == 0 {
		*r = 1
	}
	return nil
}

// continueAt is curl's -C -: continue from where the partial download
// ends, which is -c. curl's -C OFFSET is refused: crawl continues only
// its own partial downloads, whose validators say the bytes are the same.
func (o *crawlOptions) continueAt(v string) error {
	if strings.TrimSpace(v) != "-" {
		return errors.New("crawl continues its own partial downloads from where they end: write -C - (or -c)")
	}
	o.cont = true
	return nil
}

// continueFinished returns, for -c on a crawl that has finished, the
// configuration of a run that continues the partial downloads it kept
// (of URLs whose fetch failed, or that a crawl narrower since cut off),
// and how many there are: their URLs alone, at depth 0, with the state in
// memory, so that the finished crawl's state stays as it is; the manifest
// gets their lines as a new run.
func (o *crawlOptions) continueFinished(cfg crawl.Config) (crawl.Config, int) {
	if !o.cont {
		return cfg, 0
	}
	partials, err := store.Partials(cfg.OutDir)
	if err != nil || len(partials) == 0 {
		return cfg, 0
	}
	more := cfg
	more.Seeds = nil
	for _, p := range partials {
		more.Seeds = append(more.Seeds, crawl.Seed{URL: p.URL, Source: "a partial download"})
	}
	more.Depth, more.Requisites, more.MaxPages = 0, false, 0
	more.Sitemaps, more.FollowSitemaps = nil, false
	more.Include, more.Exclude, more.Accept, more.Reject, more.NoParent = nil, nil, nil, nil, false
	more.State, more.Frontier, more.Fresh, more.Update, more.Prune = crawl.StateMemory, nil, false, false, false
	return more, len(partials)
}

// partialsNote says which partial downloads the crawl into DIR keeps, and
// how to continue them.
func (o *crawlOptions) partialsNote(w io.Writer) {
	partials, err := store.Partials(o.out)
	if err != nil || len(partials) == 0 {
		return
	}
	var size int64
	for _, p := range partials {
		size += p.Size
	}
	how := "run the same command with -c to continue them"
	if o.cont {
		how = "run the same command again to continue them"
	}
	fmt.Fprintf(w, "crawl: %s (%s) kept in %s: %s\n", plural(len(partials), "partial download"), formatBytes(size),
		filepath.Join(o.out, store.WorkDir, "partial"), how)
}

// plural writes n and a noun, with an s when n is not 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// crawlsOwn reports whether the file name is one crawl keeps in the output
// directory dir: its manifest, its records, or anything in its work folder.
func crawlsOwn(dir, name string) bool {
	d, err1 := filepath.Abs(dir)
	n, err2 := filepath.Abs(name)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(d, n)
	if err != nil {
		return false
	}
	first, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
	return rel == store.ManifestName || rel == store.RecordsName || strings.EqualFold(first, store.WorkDir)
}

// outputDocument sets up -O FILE and -O -: the body of the one URL goes to
// FILE or to stdout, and the state is kept in memory, so that the same
// command downloads again, as wget -O does, instead of finding a finished
// crawl. The manifest still goes to DIR.
func (o *crawlOptions) outputDocument(cfg *crawl.Config, stdout io.Writer) error {
	if o.output == "" {
		return nil
	}
	switch {
	case len(cfg.Seeds) != 1 || len(cfg.Sitemaps) > 0 || cfg.Depth > 0 || cfg.Requisites:
		return usagef("-O writes one URL to one file: give one URL, without -r, -l, --depth, -m, -p or --sitemap (wget would write them all into FILE, one after the other; crawl -P DIR saves each under its own name)")
	case o.convertLinks || o.update || o.noMirror:
		return usagef("-O saves one file outside the mirror; it cannot go with -k, -N or --no-mirror")
	case o.output == "-" && o.cont:
		return usagef("-c continues a file on disk; it cannot go with -O - (the standard output)")
	case o.output == "-":
		cfg.OutputWriter = stdout
	case crawlsOwn(o.out, o.output):
		return usagef("-O %s would write over a file of crawl's own in %s (its manifest, records or state): name another file", o.output, o.out)
	default:
		cfg.Output = o.output
	}
	if o.state == "" {
		o.state = crawl.StateMemory
	}
	return nil
}
