// Package scope decides which discovered links a crawl follows: the host or
// domain rule, the include and exclude patterns, wget's --no-parent and its
// -A and -R file name lists (names.go), and the depth limit with page
// requisites fetched one level past it.
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
	// NoParent keeps the crawl under the seeds' folders, as wget's
	// --no-parent does: a link to a seed's host whose path is not under
	// the folder of one of that host's seeds is not followed, unless it
	// is a page requisite. The folder of /a/b.html and of /a/ is /a/, of
	// /a it is /. Links to other hosts (with Domain or Any) are not
	// concerned.
	NoParent bool
	// Accept and Reject are wget's -A and -R lists (see names.go): with
	// Accept, a link whose file name matches none of them is not
	// followed; a link whose file name matches one of Reject is not.
	// Pages that are not at the depth limit are exempt, so that the
	// files they link to are found.
	Accept, Reject []string
}

// Reason is why a link is or is not followed.
type Reason uint8

const (
	Follow Reason = iota
	OffSite
	NotIncluded
	Excluded
	TooDeep
	// AboveStart is a link above the seeds' folders, with NoParent.
	AboveStart
	// NotAccepted is a file whose name matches none of Accept.
	NotAccepted
	// Rejected is a file whose name matches one of Reject.
	Rejected
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
	return [...]outcome.Reason{"", outcome.OffSite, outcome.NotIncluded, outcome.Excluded, outcome.TooDeep,
		outcome.NoParent, outcome.NotAccepted, outcome.Rejected}[r]
}

// Parent describes the fetched item a link was found in.
type Parent struct {
	Depth     int
	Requisite bool
	// Given is set for a sitemap the user gave (or one its index
	// names): its URLs are followed whatever the depth limit, as URLs
	// given are fetched, at depth 1 (their links within the limit).
	Given bool
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
	roots map[string][]string // with NoParent: the seeds' folders by host name
}

// New returns the scope of a crawl that starts at seeds.
func New(rules Rules, seeds []*url.URL) *Scope {
	s := &Scope{rules: rules, names: make(map[string]struct{}), roots: make(map[string][]string)}
	for _, u := range seeds {
		s.names[s.key(u.Hostname())] = struct{}{}
		s.addRoot(u)
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

// AddHost puts u's host (or domain) in scope, as a seed's is, without
// making its folder a root for NoParent: the crawl calls it for the
// sitemaps given, whose URLs are those of their site.
func (s *Scope) AddHost(u *url.URL) {
	k := s.key(u.Hostname())
	s.mu.Lock()
	s.names[k] = struct{}{}
	s.mu.Unlock()
}

// AddSeed puts u's host (or domain) in scope, as a seed's is: the crawl
// calls it for the target of a seed's redirect, so that a site that moved
// (http to https, example.com to www.example.com) is crawled where it is.
// With NoParent, u's folder joins the seeds' folders.
func (s *Scope) AddSeed(u *url.URL) {
	s.AddHost(u)
	s.addRoot(u)
}

// Check reports whether a link to u found in parent is followed; requisite
// says whether the link was found as a page requisite. Seeds are not checked.
func (s *Scope) Check(parent Parent, u *url.URL, requisite bool) Reason {
	if !s.depthOK(parent, requisite) {
		return TooDeep
	}
	if r := s.allows(u, requisite); r != Follow {
		return r
	}
	// A page whose links are followed is exempt from -A and -R.
	leaf := parent.Depth+1 >= s.rules.MaxDepth
	if len(s.rules.Accept)+len(s.rules.Reject) > 0 && (leaf || !isPage(u)) {
		return s.checkName(u)
	}
	return Follow
}

// Allows applies the rules that do not depend on depth to a link to a
// page: the host or domain, NoParent, and the include and exclude
// patterns. The crawl uses it for redirects.
func (s *Scope) Allows(u *url.URL) Reason { return s.allows(u, false) }

// AllowsRequisite is Allows for a page requisite, to which NoParent does
// not apply: the crawl uses it for the redirects of requisites.
func (s *Scope) AllowsRequisite(u *url.URL) Reason { return s.allows(u, true) }

func (s *Scope) allows(u *url.URL, requisite bool) Reason {
	if s.rules.Mode != Any {
		s.mu.RLock()
		_, ok := s.names[s.key(u.Hostname())]
		s.mu.RUnlock()
		if !ok {
			return OffSite
		}
	}
	if s.rules.NoParent && !requisite && !s.underRoot(u) {
		return AboveStart
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
	if parent.Given {
		return true
	}
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
