package main

import (
	"strings"
	"testing"
)

// TestMaskedArgs checks that the command line recorded in the WARC files
// hides the secrets of every spelling of the flags that take them.
func TestMaskedArgs(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"--depth 2 http://example.com/", "--depth 2 http://example.com/"},
		{"--user alice:s3cret http://example.com/", "--user alice:*** http://example.com/"},
		{"-user=alice:s3cret http://example.com/", "-user=alice:*** http://example.com/"},
		{"-u alice:s3cret -ualice:s3cret --http-user=alice:s3cret http://example.com/", "-u alice:*** -ualice:*** --http-user=alice:*** http://example.com/"},
		{"--user alice --password s3cret --http-password=s3cret http://example.com/", "--user alice --password *** --http-password=*** http://example.com/"},
		{"-H Authorization:Bearer-xyz -H=X-Token:abc --header Cookie:a=b -HX-Key:k http://example.com/", "-H Authorization: *** -H=X-Token: *** --header Cookie: *** -HX-Key: *** http://example.com/"},
		{"--proxy http://u:pw@proxy:3128 https://bob:pw@example.com/a", "--proxy http://u:***@proxy:3128 https://bob:***@example.com/a"},
		{"--state redis://:pw@127.0.0.1:6379/0 --crawl-id x http://example.com/", "--state redis://:***@127.0.0.1:6379/0 --crawl-id x http://example.com/"},
		{"--update http://example.com/ -- --user", "--update http://example.com/ -- --user"},
	} {
		var o crawlOptions
		s := newCrawlFlags(&o)
		args := strings.Fields(tt.in)
		if _, err := s.parse(args); err != nil {
			t.Fatalf("parse(%s): %v", tt.in, err)
		}
		if got := strings.Join(s.masked(args), " "); got != tt.want {
			t.Errorf("masked(%s) =\n%s\nwant\n%s", tt.in, got, tt.want)
		}
	}
}
