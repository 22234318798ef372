package crawl

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/scope"
)

// This file holds the settings that define a crawl, which its state keeps,
// and how to tell the user what changed between two runs.

// settings are the options that define which URLs a crawl fetches. A run
// with the same settings as the unfinished crawl in its state resumes it;
// other settings extend it.
type settings struct {
	Seeds           []string         `json:"seeds"`
	Sitemaps        []string         `json:"sitemaps,omitempty"`
	Depth           int              `json:"depth"`
	Requisites      bool             `json:"requisites,omitempty"`
	Scope           string           `json:"scope"`
	Include         []string         `json:"include,omitempty"`
	Exclude         []string         `json:"exclude,omitempty"`
	NoParent        bool             `json:"no_parent,omitempty"`
	Accept          []string         `json:"accept,omitempty"`
	Reject          []string         `json:"reject,omitempty"`
	MaxPages        int              `json:"max_pages,omitempty"`
	Traps           scope.TrapLimits `json:"traps"`
	RespectNoFollow bool             `json:"respect_nofollow,omitempty"`
	Discover        string           `json:"discover,omitempty"`
	Robots          bool             `json:"robots"`
	FollowSitemaps  bool             `json:"follow_sitemaps"`
	KeepSessionIDs  bool             `json:"keep_session_ids,omitempty"`
	// Select are the --select fields, as NAME[]=SELECTOR@attr.
	Select []string `json:"select,omitempty"`
}

// settingsOf returns cfg's settings, with the seeds as normalized (the
// order of the seeds does not matter).
func settingsOf(cfg *Config, seeds []frontier.Item) settings {
	s := settings{
		Depth: cfg.Depth, Requisites: cfg.Requisites, Scope: cfg.Scope.String(),
		MaxPages: cfg.MaxPages, Traps: cfg.Traps, RespectNoFollow: cfg.RespectNoFollow,
		Robots: cfg.Robots, FollowSitemaps: cfg.FollowSitemaps, KeepSessionIDs: cfg.KeepSessionIDs,
	}
	for _, raw := range cfg.Sitemaps {
		s.Sitemaps = append(s.Sitemaps, withoutUserinfo(raw))
	}
	slices.Sort(s.Sitemaps)
	for _, it := range seeds {
		s.Seeds = append(s.Seeds, it.URL)
	}
	slices.Sort(s.Seeds)
	s.Seeds = slices.Compact(s.Seeds)
	s.Include = patterns(cfg.Include)
	s.Exclude = patterns(cfg.Exclude)
	s.NoParent = cfg.NoParent
	if cfg.Discover != parse.ModePage {
		s.Discover = cfg.Discover.String()
	}
	for _, f := range cfg.Select {
		s.Select = append(s.Select, fieldSpec(f))
	}
	s.Accept = slices.Sorted(slices.Values(cfg.Accept))
	s.Reject = slices.Sorted(slices.Values(cfg.Reject))
	return s
}

// fieldSpec writes f as --select takes it: NAME[]=SELECTOR@attr.
func fieldSpec(f parse.Field) string {
	name := f.Name
	if f.All {
		name += "[]"
	}
	spec := name + "=" + f.Selector
	if f.Attr != "" {
		spec += "@" + f.Attr
	}
	return spec
}

func patterns(res []*regexp.Regexp) []string {
	var out []string
	for _, re := range res {
		out = append(out, re.String())
	}
	return out
}

// changes describes how s differs from earlier, for the user, and reports
// whether s can only fetch less than earlier did (every change narrows).
func (s settings) changes(earlier settings) (desc []string, narrower bool) {
	narrower = true
	note := func(wider bool, format string, args ...any) {
		desc = append(desc, fmt.Sprintf(format, args...))
		narrower = narrower && !wider
	}
	if s.Depth != earlier.Depth {
		note(s.Depth > earlier.Depth, "--depth %s, was %s", depthString(s.Depth), depthString(earlier.Depth))
	}
	// Crawls before 2026-12-08 kept the seeds' credentials.
	earlierSeeds := make([]string, len(earlier.Seeds))
	for i, u := range earlier.Seeds {
		earlierSeeds[i] = withoutUserinfo(u)
	}
	slices.Sort(earlierSeeds)
	if added, removed := diff(s.Seeds, earlierSeeds); len(added)+len(removed) > 0 {
		note(len(added) > 0, "%s", countChange(len(added), len(removed), "URL"))
	}
	if added, removed := diff(s.Sitemaps, earlier.Sitemaps); len(added)+len(removed) > 0 {
		note(len(added) > 0, "%s", countChange(len(added), len(removed), "sitemap"))
	}
	if s.Scope != earlier.Scope {
		rank := map[string]int{"host": 0, "domain": 1, "any": 2}
		note(rank[s.Scope] > rank[earlier.Scope], "--scope %s, was %s", s.Scope, earlier.Scope)
	}
	if s.Requisites != earlier.Requisites {
		note(s.Requisites, "-p %v, was %v", s.Requisites, earlier.Requisites)
	}
	if !slices.Equal(s.Include, earlier.Include) {
		note(true, "other --include patterns")
	}
	if !slices.Equal(s.Exclude, earlier.Exclude) {
		note(true, "other --exclude patterns")
	}
	if s.NoParent != earlier.NoParent {
		note(!s.NoParent, "--no-parent %v, was %v", s.NoParent, earlier.NoParent)
	}
	if !slices.Equal(s.Accept, earlier.Accept) || !slices.Equal(s.Reject, earlier.Reject) {
		note(true, "other -A or -R lists")
	}
	if s.MaxPages != earlier.MaxPages {
		note(s.MaxPages == 0 || earlier.MaxPages != 0 && s.MaxPages > earlier.MaxPages,
			"--max-pages %d, was %d", s.MaxPages, earlier.MaxPages)
	}
	if s.Traps != earlier.Traps {
		note(true, "other trap limits")
	}
	if !slices.Equal(s.Select, earlier.Select) {
		// Every page is read again, for its record of the new fields.
		note(len(s.Select) > 0, "other --select fields")
	}
	if s.RespectNoFollow != earlier.RespectNoFollow {
		note(!s.RespectNoFollow, "--respect-nofollow %v, was %v", s.RespectNoFollow, earlier.RespectNoFollow)
	}
	if s.Robots != earlier.Robots {
		note(!s.Robots, "--robots %v, was %v", s.Robots, earlier.Robots)
	}
	if s.FollowSitemaps != earlier.FollowSitemaps {
		note(s.FollowSitemaps, "--follow-sitemaps %v, was %v", s.FollowSitemaps, earlier.FollowSitemaps)
	}
	if s.Discover != earlier.Discover {
		note(s.Discover == "all", "--discover %s, was %s", orPage(s.Discover), orPage(earlier.Discover))
	}
	if s.KeepSessionIDs != earlier.KeepSessionIDs {
		note(true, "--keep-session-ids %v, was %v", s.KeepSessionIDs, earlier.KeepSessionIDs)
	}
	return desc, narrower && len(desc) > 0
}

// diff returns the strings of a not in b and those of b not in a; both
// are sorted.
func diff(a, b []string) (added, removed []string) {
	for _, s := range a {
		if _, ok := slices.BinarySearch(b, s); !ok {
			added = append(added, s)
		}
	}
	for _, s := range b {
		if _, ok := slices.BinarySearch(a, s); !ok {
			removed = append(removed, s)
		}
	}
	return added, removed
}

func countChange(added, removed int, noun string) string {
	plural := func(n int) string {
		if n == 1 {
			return fmt.Sprintf("1 %s", noun)
		}
		return fmt.Sprintf("%d %ss", n, noun)
	}
	switch {
	case removed == 0:
		return plural(added) + " added"
	case added == 0:
		return plural(removed) + " left out"
	}
	return plural(added) + " added, " + plural(removed) + " left out"
}

// depthString writes a depth as the command reads it.
func depthString(d int) string {
	if d >= UnlimitedDepth {
		return "inf"
	}
	return fmt.Sprint(d)
}

func orPage(discover string) string {
	if discover == "" {
		return "page"
	}
	return discover
}
