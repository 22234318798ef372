package scope

import (
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/crawl-go/crawl/outcome"
)

// TrapLimits bound what a crawl admits, so that sites generating endless
// URLs (calendars, session IDs in paths, relative links that grow a path
// forever) cannot keep it busy. Zero fields take the defaults given.
type TrapLimits struct {
	MaxURLLength     int // bytes of the normalized URL; default 8192
	MaxPathDepth     int // segments of the path; default 32
	MaxSegmentRepeat int // times one path segment may occur; default 3
	MaxPagesPerHost  int // URLs admitted per host; 0 = no limit
	MaxQueryVariants int // URLs with a query per scheme, host and path; default 1000
}

func (l *TrapLimits) setDefaults() {
	if l.MaxURLLength <= 0 {
		l.MaxURLLength = 8192
	}
	if l.MaxPathDepth <= 0 {
		l.MaxPathDepth = 32
	}
	if l.MaxSegmentRepeat <= 0 {
		l.MaxSegmentRepeat = 3
	}
	if l.MaxQueryVariants <= 0 {
		l.MaxQueryVariants = 1000
	}
}

// Traps applies TrapLimits over a crawl. Its counters grow with the hosts
// and paths met (a few dozen bytes each); it is safe for concurrent use.
type Traps struct {
	limits  TrapLimits
	mu      sync.Mutex
	perHost map[string]int
	queries map[string]int
}

// NewTraps returns Traps applying limits.
func NewTraps(limits TrapLimits) *Traps {
	limits.setDefaults()
	return &Traps{limits: limits, perHost: make(map[string]int), queries: make(map[string]int)}
}

// Static reports whether u (whose String is s) passes the limits that
// depend on the URL alone: length, path depth and repeated segments. When
// it does not, reason is its kind (outcome.TrapURLLength, ...) and why a
// sentence for the manifest.
func (t *Traps) Static(u *url.URL, s string) (reason outcome.Kind, why string, ok bool) {
	l := &t.limits
	if len(s) > l.MaxURLLength {
		return outcome.TrapURLLength, fmt.Sprintf("not followed: URL longer than %d bytes", l.MaxURLLength), false
	}
	path := strings.Trim(u.EscapedPath(), "/")
	if path != "" {
		n := strings.Count(path, "/") + 1
		if n > l.MaxPathDepth {
			return outcome.TrapPathDepth, fmt.Sprintf("not followed: path deeper than %d segments", l.MaxPathDepth), false
		}
		// Only a path of more segments than the limit can repeat one
		// more often; the others are not split (this runs for every link).
		if n <= l.MaxSegmentRepeat {
			return "", "", true
		}
		if seg, n := mostRepeated(strings.Split(path, "/")); n > l.MaxSegmentRepeat {
			return outcome.TrapRepeatedSegment, fmt.Sprintf("not followed: path segment %q repeated %d times", seg, n), false
		}
	}
	return "", "", true
}

// Reserve counts u against the per-host and per-path budgets, or reports
// why it is over one of them (as Static does). A caller that then finds u
// was seen before gives the reservation back with Unreserve, so that only
// new URLs count.
func (t *Traps) Reserve(u *url.URL) (reason outcome.Kind, why string, ok bool) {
	l := &t.limits
	t.mu.Lock()
	defer t.mu.Unlock()
	if l.MaxPagesPerHost > 0 && t.perHost[u.Host] >= l.MaxPagesPerHost {
		return outcome.TrapHostPages, fmt.Sprintf("not followed: %d URLs of host %s fetched, the limit per host", l.MaxPagesPerHost, u.Host), false
	}
	if u.RawQuery != "" {
		key := queryKey(u)
		if t.queries[key] >= l.MaxQueryVariants {
			return outcome.TrapQueryVariants, fmt.Sprintf("not followed: %d query strings of %s fetched, the limit per path", l.MaxQueryVariants, key), false
		}
		t.queries[key]++
	}
	if l.MaxPagesPerHost > 0 {
		t.perHost[u.Host]++
	}
	return "", "", true
}

// Unreserve gives back a reservation of Reserve.
func (t *Traps) Unreserve(u *url.URL) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if u.RawQuery != "" {
		t.queries[queryKey(u)]--
	}
	if t.limits.MaxPagesPerHost > 0 {
		t.perHost[u.Host]--
	}
}

func queryKey(u *url.URL) string { return u.Scheme + "://" + u.Host + u.EscapedPath() }

// mostRepeated returns the segment that occurs most often and its count.
// Paths are short (MaxPathDepth), so the quadratic scan is cheap.
func mostRepeated(segs []string) (string, int) {
	best, n := "", 0
	for i, s := range segs {
		if s == "" {
			continue
		}
		c := 1
		for _, o := range segs[i+1:] {
			if o == s {
				c++
			}
		}
		if c > n {
			best, n = s, c
		}
	}
	return best, n
}
