package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/crawl-go/crawl/parse"
)

// sizeFlag is a byte count written as 123, 64K, 10M or 2G (powers of 1024).
type sizeFlag int64

func (s *sizeFlag) String() string { return strconv.FormatInt(int64(*s), 10) }

func (s *sizeFlag) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s = sizeFlag(n)
	return nil
}

func parseSize(v string) (int64, error) {
	v = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(v), "B"), "i")
	mult := int64(1)
	if v != "" {
		switch strings.ToUpper(v[len(v)-1:]) {
		case "K":
			mult = 1 << 10
		case "M":
			mult = 1 << 20
		case "G":
			mult = 1 << 30
		}
		if mult > 1 {
			v = v[:len(v)-1]
		}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 && n <= (1<<62)/mult {
		return n * mult, nil
	}
	// A fraction of a unit, as --limit-rate takes it: 1.5M.
	if f, err := strconv.ParseFloat(v, 64); err == nil && mult > 1 && f >= 0 && f*float64(mult) <= 1<<62 &&
		!strings.ContainsAny(v, "eEnNxXpP") {
		return int64(f * float64(mult)), nil
	}
	return 0, fmt.Errorf("invalid size %q (want a number of bytes, or with K, M or G: 64K, 1.5M)", v)
}

// discoverValue is --discover: page or all (parse.ParseMode).
type discoverValue parse.Mode

func (d *discoverValue) String() string { return parse.Mode(*d).String() }
func (d *discoverValue) Set(v string) error {
	m, err := parse.ParseMode(v)
	*d = discoverValue(m)
	return err
}
