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
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("invalid size %q (want a number of bytes, or with K, M or G)", v)
	}
	return n * mult, nil
}

// discoverValue is --discover: page or all (parse.ParseMode).
type discoverValue parse.Mode

func (d *discoverValue) String() string { return parse.Mode(*d).String() }
func (d *discoverValue) Set(v string) error {
	m, err := parse.ParseMode(v)
	*d = discoverValue(m)
	return err
}
