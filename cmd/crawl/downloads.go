package main

import (
	"errors"
	"math"
	"strconv"
	"strings"
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
