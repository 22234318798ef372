package main

import (
	"strings"
	"testing"
)

func TestMaskArgs(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"--depth 2 http://example.com/", "--depth 2 http://example.com/"},
		{"--user alice:s3cret http://example.com/", "--user alice:*** http://example.com/"},
		{"-user=alice:s3cret", "-user=alice:***"},
		{"-H Authorization:Bearer-xyz -H=X-Token:abc", "-H Authorization: *** -H=X-Token: ***"},
		{"--proxy http://u:pw@proxy:3128 https://bob:pw@example.com/a", "--proxy http://u:***@proxy:3128 https://bob:***@example.com/a"},
		{"--state redis://:pw@127.0.0.1:6379/0 --crawl-id x", "--state redis://:***@127.0.0.1:6379/0 --crawl-id x"},
		{"-- --user", "-- --user"},
	} {
		if got := strings.Join(maskArgs(strings.Fields(tt.in)), " "); got != tt.want {
			t.Errorf("maskArgs(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
