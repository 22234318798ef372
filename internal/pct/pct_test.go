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
