package crawl

import (
	"testing"

	"github.com/crawl-go/crawl/outcome"
	"github.com/crawl-go/crawl/store"
)

func TestTriedAgain(t *testing.T) {
	for _, tt := range []struct {
		kind   outcome.Kind
		status int
		want   bool
	}{
		{outcome.Store, 200, true},
		{outcome.Timeout, 0, true},
		{outcome.Connection, 0, true},
		{outcome.HostUnreachable, 0, true},
		{outcome.RobotsUnavailable, 0, true},
		{outcome.HTTP5xx, 503, true},
		{outcome.HTTP4xx, 429, true},
		{outcome.HTTP4xx, 408, true},
		{outcome.HTTP4xx, 404, false},
		{outcome.HTTP4xx, 410, false},
		{outcome.TLS, 0, false},
		{outcome.Redirects, 0, false},
		{outcome.BadURL, 0, false},
		{outcome.TooLarge, 200, false},
		{outcome.Missing, 404, false},
		{outcome.Robots, 0, false},
		{"", 200, false},
	} {
		r := &store.Record{ErrorKind: tt.kind, Status: tt.status}
		if got := triedAgain(r); got != tt.want {
			t.Errorf("triedAgain(%s, %d) = %v; want %v", tt.kind, tt.status, got, tt.want)
		}
	}
}
