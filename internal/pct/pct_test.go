package pct

import (
	"strconv"
	"testing"
)

func TestHex(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		v, err := strconv.ParseUint(string(b), 16, 8)
		if IsHex(b) != (err == nil) {
			t.Fatalf("IsHex(%q) = %v", b, IsHex(b))
		}
		if err == nil && Unhex(b) != byte(v) {
			t.Fatalf("Unhex(%q) = %d; want %d", b, Unhex(b), v)
		}
	}
}

func TestIsUnreserved(t *testing.T) {
	const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
	n := 0
	for c := range 256 {
		if IsUnreserved(byte(c)) {
			n++
		}
	}
	for i := range len(unreserved) {
		if !IsUnreserved(unreserved[i]) {
			t.Errorf("IsUnreserved(%q) = false", unreserved[i])
		}
	}
	if n != len(unreserved) {
		t.Errorf("%d unreserved bytes; want %d", n, len(unreserved))
	}
}

func TestRewrite(t *testing.T) {
	// Upper-case every escape and escape every space, from the first
	// '%' or space on.
	next := func(b []byte, s string, j int) ([]byte, int) {
		switch {
		case Valid(s, j):
			return AppendEscape(b, Decode(s, j)), j + 3
		case s[j] == ' ':
			return AppendEscape(b, ' '), j + 1
		}
		return append(b, s[j]), j + 1
	}
	for _, tt := range []struct{ in, want string }{
		{"a%3cb c", "a%3Cb%20c"},
		{"%", "%"},
		{"x%4", "x%4"},
		{"%7e", "%7E"},
	} {
		if got := Rewrite(tt.in, 0, next); got != tt.want {
			t.Errorf("Rewrite(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
