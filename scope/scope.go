// Package scope decides which discovered links a crawl follows: the host or
// domain rule, the include and exclude patterns, and the depth limit with
// page requisites fetched one level past it.
package scope

import (
	"fmt"
	"net/url"
	"regexp"
	"sync"

	"github.com/crawl-go/crawl/outcome"
	"golang.org/x/net/publicsuffix"
)

// Mode says which hosts are in scope.
type Mode int

const (
	// Host keeps the crawl on the seeds' host names (any port or scheme).
	Host Mode = iota
	// Domain keeps it on the seeds' registrable domains (example.co.uk
	// covers www.example.co.uk and static.example.co.uk).
	Domain
	// Any follows links to every host.
	Any
)

// ParseMode reads a --scope value: host, domain or any.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "host":
		return Host, nil
	case "domain":
		return Domain, nil
	case "any":
		return Any, nil
	}
	return 0, fmt.Errorf("unknown scope %q (want host, domain or any)", s)
}

func (m Mode) String() string {
	switch m {
	case Host:
		return "host"
	case Domain:
		return "domain"
	case Any:
		return "any"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Rules configure a Scope.
type Rules struct {
	Mode Mode
	// Include, when not empty, keeps only URLs matching one of these.
	Include []*regexp.Regexp
	// Exclude drops URLs matching any of these.
	Exclude []*regexp.Regexp
	// MaxDepth is the number of links followed from a seed (seeds are at
	// depth 0). With MaxDepth 0 only the seeds are fetched.
	MaxDepth int
	// Requisites fetches the page requisites of pages at the depth limit
	// even when MaxDepth is 0 (like wget -p). With MaxDepth > 0 they are
	// always fetched.
	Requisites bool
}

// Reason is why a link is or is not followed.
type Reason uint8

const (
	Follow Reason = iota
	OffSite
	NotIncluded
	Excluded
	TooDeep
)

func (r Reason) String() string {
	if r == Follow {
		return "follow"
	}
	return string(r.Outcome())
}

// Outcome returns the name under which a crawl counts links not followed
// for r; empty for Follow.
func (r Reason) Outcome() outcome.Reason {
	return [...]outcome.Reason{"", outcome.OffSite, outcome.NotIncluded, outcome.Excluded, outcome.TooDeep}[r]
}

// Parent describes the fetched item a link was found in.
type Parent struct {
	Depth     int
	Requisite bool
}

// requisiteChain is how far past the depth limit requisites of requisites
// (a stylesheet's @import and its images) are still followed.
const requisiteChain = 2

// Scope applies Rules relative to a crawl's seeds. It is safe for
// concurrent use.
type Scope struct {
	rules Rules
	mu    sync.RWMutex
	names map[string]struct{} // host names or registrable domains in scope
}

// New returns the scope of a crawl that starts at seeds.
func New(rules Rules, seeds []*url.URL) *Scope {
	s := &Scope{rules: rules, names: make(map[string]struct{})}
	for _, u := range seeds {
		s.names[s.key(u.Hostname())] = struct{}{}
	}
	return s
}

func (s *Scope) key(host string) string {
	if s.rules.Mode != Domain {
		return host
	}
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host // an IP address, localhost, or a bare public suffix
}

// AddSeed puts u's host (or domain) in scope, as a seed's is: the crawl
// calls it for the target of a seed's redirect, so that a site that moved
// (http to https, example.com to www.example.com) is crawled where it is.
func (s *Scope) AddSeed(u *url.URL) {
	k := s.key(u.Hostname())
	s.mu.Lock()
	s.names[k] = struct{}{}
	s.mu.Unlock()
}

// Check reports whether a link to u found in parent is followed; requisite
// says whether the link was found as a page requisite. Seeds are not checked.
func (s *Scope) Check(parent Parent, u *url.URL, requisite bool) Reason {
	if !s.depthOK(parent, requisite) {
		return TooDeep
	}
	return s.Allows(u)
}

// Allows applies the rules that do not depend on depth: the host or domain
// and the include and exclude patterns. The crawl uses it for redirects.
func (s *Scope) Allows(u *url.URL) Reason {
	if s.rules.Mode != Any {
		s.mu.RLock()
		_, ok := s.names[s.key(u.Hostname())]
		s.mu.RUnlock()
		if !ok {
			return OffSite
		}
	}
	if len(s.rules.Include) > 0 || len(s.rules.Exclude) > 0 {
		str := u.String()
		if len(s.rules.Include) > 0 && !matchAny(s.rules.Include, str) {
			return NotIncluded
		}
		if matchAny(s.rules.Exclude, str) {
			return Excluded
		}
	}
	return Follow
}

// MayFollow reports whether any link found in parent could be followed
// under the depth limit, so that a crawl can skip looking for links in a
// page whose links would all be too deep.
func (s *Scope) MayFollow(parent Parent) bool {
	return s.depthOK(parent, false) || s.depthOK(parent, true)
}

func (s *Scope) depthOK(parent Parent, requisite bool) bool {
	limit := s.rules.MaxDepth
	if parent.Depth+1 <= limit {
		return true
	}
	if !requisite || (limit == 0 && !s.rules.Requisites) {
		return false
	}
	// A requisite of a page within the limit, or of a requisite fetched
	// for such a page (a stylesheet's images and imports).
	return parent.Depth <= limit || (parent.Requisite && parent.Depth <= limit+requisiteChain)
}

func matchAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
