package main

import (
	"flag"
	"fmt"
	"io"
	"testing"
)

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args      []string
		pos       string
		depth     int
		quiet     bool
		wantError bool
	}{
		{[]string{"http://a/", "--depth", "2", "http://b/", "-q"}, "[http://a/ http://b/]", 2, true, false},
		{[]string{"-depth=1", "http://a/"}, "[http://a/]", 1, false, false},
		{[]string{"-q", "--", "-odd-name", "--depth"}, "[-odd-name --depth]", 0, true, false},
		{[]string{"http://a/", "--nope"}, "", 0, false, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.args), func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			depth := fs.Int("depth", 0, "")
			quiet := fs.Bool("q", false, "")
			pos, err := parseInterspersed(fs, tt.args)
			if (err != nil) != tt.wantError {
				t.Fatalf("err = %v", err)
			}
			if err == nil && (fmt.Sprint(pos) != tt.pos || *depth != tt.depth || *quiet != tt.quiet) {
				t.Errorf("pos %v depth %d quiet %v", pos, *depth, *quiet)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "123": 123, "64K": 64 << 10, "10M": 10 << 20, "2G": 2 << 30, "1MiB": 1 << 20, "5m": 5 << 20} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "ten", "1T", "99999999999G"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) succeeded", in)
		}
	}
}
