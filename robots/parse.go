package robots

import (
	"bytes"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ParseLimit is how many bytes of a robots.txt file Parse reads. RFC 9309
// section 2.5 requires a limit of at least 500 KiB; the rest of a larger file
// is ignored, from the last line break before the limit on, so that a line
// cut in two is never read as a shorter rule.
const ParseLimit = 500 << 10

// maxCrawlDelay caps Crawl-delay values; larger ones are read as this, which
// keeps the conversion to time.Duration from overflowing.
const maxCrawlDelay = 24 * time.Hour

// Rules are the parts of one robots.txt file that apply to one product token:
// the Allow and Disallow rules of the groups selected for it, its Crawl-delay,
// and the file's Sitemap URLs. A Rules is immutable and safe for concurrent
// use. A nil *Rules allows everything.
type Rules struct {
	rules    []rule
	delay    time.Duration
	sitemaps []string
}

// rule is one Allow or Disallow line. Its pattern is in canonical form (see
// canonical); its length in bytes is its priority.
type rule struct {
	pattern string
	allow   bool
}

// Decision is the answer for one URL.
type Decision struct {
	// Allowed reports whether the URL may be fetched.
	Allowed bool
	// Reason says why not, for logs and the manifest: the rule that matched,
	// as in "disallowed by robots.txt: Disallow: /private", or why the file
	// could not be read, as in "robots.txt unreachable (503)". It is empty
	// when Allowed is true.
	Reason string
	// CrawlDelay is the Crawl-delay of the group that applies, zero if none.
	CrawlDelay time.Duration
	// Unavailable reports that the URL is disallowed because its
	// robots.txt could not be read (an answer of 5xx, or none), not by
	// a rule. Status is then the status of the last answer, 0 when none
	// came (the host is unreachable), and Attempts how many fetches
	// were tried.
	Unavailable      bool
	Status, Attempts int
}

// Parse reads a robots.txt file for the product token agent, as RFC 9309
// sections 2.1 and 2.2 say. It never fails: lines it cannot read are skipped.
//
// The groups whose User-agent lines name agent (compared case-insensitively,
// up to the first character that cannot be part of a product token, so that
// "crawl/1.0" names "crawl") are merged into one; if there are none, the
// groups of "User-agent: *" are; if there are none either, nothing is
// disallowed. Consecutive User-agent lines share the group that follows them,
// blank lines included; a User-agent line after a rule starts a new group.
// Rules before the first User-agent line are ignored. Sitemap lines count
// wherever they are, but only with an absolute http or https URL.
//
// Lines end with LF, CR or CRLF; a leading UTF-8 byte order mark and comments
// from "#" to the end of a line are ignored; field names are matched
// case-insensitively, with a few common misspellings ("useragent",
// "dissallow") accepted. A path that starts with neither "/" nor "*" is read
// as if it started with "/". Only the first ParseLimit bytes are read. When
// merged groups give several Crawl-delay values, the largest wins.
func Parse(data []byte, agent string) *Rules {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(data) > ParseLimit {
		data = data[:ParseLimit]
		if i := bytes.LastIndexAny(data, "\r\n"); i >= 0 {
			data = data[:i]
		}
	}
	p := parser{agent: productToken(agent)}
	for len(data) > 0 {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			i = len(data)
		}
		p.line(data[:i])
		data = data[i:]
		if bytes.HasPrefix(data, []byte("\r\n")) {
			data = data[2:]
		} else if len(data) > 0 {
			data = data[1:]
		}
	}
	r := &Rules{sitemaps: p.sitemaps}
	switch {
	case p.own.seen:
		r.rules, r.delay = p.own.rules, p.own.delay
	case p.star.seen:
		r.rules, r.delay = p.star.rules, p.star.delay
	}
	return r
}

// parser is the state of Parse: which kind of group the current line is in,
// and what has been gathered for the agent's groups and for the "*" groups.
type parser struct {
	agent     string // product token, lowercase; "" matches no group but "*"
	inGroup   bool   // a User-agent line has been seen
	sawRule   bool   // the current group has a rule, so a User-agent line starts a new one
	forOwn    bool   // the current group names agent
	forStar   bool   // the current group names "*"
	own, star gathered
	sitemaps  []string
	seenMaps  map[string]bool
}

// gathered holds the merged groups for one user agent.
type gathered struct {
	seen  bool // a group names it, even one without rules
	rules []rule
	delay time.Duration
}

// line reads one line, without its line break.
func (p *parser) line(b []byte) {
	if i := bytes.IndexByte(b, '#'); i >= 0 {
		b = b[:i]
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return
	}
	var key, value []byte
	if i := bytes.IndexByte(b, ':'); i >= 0 {
		key, value = b[:i], b[i+1:]
	} else if i := bytes.IndexAny(b, " \t"); i >= 0 {
		// "Disallow /x": a missing colon is a common typo that
		// Google's parser forgives too.
		key, value = b[:i], b[i+1:]
	} else {
		return
	}
	key = bytes.TrimSpace(key)
	v := string(bytes.TrimSpace(value))
	switch strings.ToLower(string(key)) {
	case "user-agent", "useragent", "user agent":
		p.userAgent(v)
	case "allow":
		p.rule(v, true)
	case "disallow", "dissallow", "dissalow", "disalow", "disallaw":
		p.rule(v, false)
	case "crawl-delay", "crawldelay", "crawl delay":
		p.crawlDelay(v)
	case "sitemap", "site-map":
		p.sitemap(v)
	}
}

func (p *parser) userAgent(v string) {
	if p.sawRule || !p.inGroup {
		p.inGroup, p.sawRule = true, false
		p.forOwn, p.forStar = false, false
	}
	if v == "*" {
		p.forStar = true
		p.star.seen = true
		return
	}
	if t := productToken(v); t != "" && t == p.agent {
		p.forOwn = true
		p.own.seen = true
	}
}

func (p *parser) rule(v string, allow bool) {
	if !p.inGroup {
		return
	}
	p.sawRule = true
	if v == "" || !p.forOwn && !p.forStar {
		// "Disallow:" with no path matches nothing (RFC 9309 section 2.2.2).
		return
	}
	if v[0] != '/' && v[0] != '*' {
		v = "/" + v
	}
	r := rule{pattern: canonical(v), allow: allow}
	if p.forOwn {
		p.own.rules = append(p.own.rules, r)
	}
	if p.forStar {
		p.star.rules = append(p.star.rules, r)
	}
}

func (p *parser) crawlDelay(v string) {
	if !p.inGroup {
		return
	}
	p.sawRule = true
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || secs < 0 || math.IsNaN(secs) {
		return
	}
	d := maxCrawlDelay
	if secs < maxCrawlDelay.Seconds() {
		d = time.Duration(secs * float64(time.Second))
	}
	if p.forOwn {
		p.own.delay = max(p.own.delay, d)
	}
	if p.forStar {
		p.star.delay = max(p.star.delay, d)
	}
}

func (p *parser) sitemap(v string) {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return
	}
	if p.seenMaps[v] {
		return
	}
	if p.seenMaps == nil {
		p.seenMaps = make(map[string]bool)
	}
	p.seenMaps[v] = true
	p.sitemaps = append(p.sitemaps, v)
}

// productToken returns the product token at the start of s, lowercased: the
// longest prefix of letters, "_" and "-" (RFC 9309 section 2.2.1).
func productToken(s string) string {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '-' {
			i++
			continue
		}
		break
	}
	return strings.ToLower(s[:i])
}

// crawlerName returns the part of a User-Agent that names the crawler: the
// token after "compatible;" in a browser-like one ("Mozilla/5.0
// (compatible; MyBot/2.1; +https://example.com/bot)" is MyBot's, as site
// owners write their robots.txt for it), else the User-Agent itself.
func crawlerName(ua string) string {
	i := strings.Index(strings.ToLower(ua), "compatible;")
	if i < 0 {
		return ua
	}
	if name := productToken(ua[i+len("compatible;"):]); name != "" {
		return name
	}
	return ua
}

// CrawlDelay returns the Crawl-delay of the group that applies, zero if none.
func (r *Rules) CrawlDelay() time.Duration {
	if r == nil {
		return 0
	}
	return r.delay
}

// Sitemaps returns the file's Sitemap URLs in the order they appear, without
// duplicates. The caller must not modify the slice.
func (r *Rules) Sitemaps() []string {
	if r == nil {
		return nil
	}
	return r.sitemaps
}

// Paths returns the paths the Allow and Disallow rules name, as URLs a
// scanner would try: each pattern up to its first "*" or "$", without
// duplicates, in the order they appear; "/" alone is left out. They are
// canonical, so percent-encoded as in the file.
func (r *Rules) Paths() []string {
	if r == nil {
		return nil
	}
	var paths []string
	seen := make(map[string]bool)
	for _, ru := range r.rules {
		p := ru.pattern
		if i := strings.IndexAny(p, "*$"); i >= 0 {
			p = p[:i]
		}
		if p == "" || p == "/" || !strings.HasPrefix(p, "/") || seen[p] {
			continue
		}
		seen[p] = true
		paths = append(paths, p)
	}
	return paths
}

// Check applies the rules to u, whose scheme and host are not looked at: the
// longest matching pattern wins, Allow wins a tie, and a URL no rule matches
// is allowed. The path /robots.txt is always allowed (RFC 9309 section
// 2.2.2). Percent-encoding in u and in the rules is compared canonically, so
// "/a%3cd" matches "Disallow: /a%3Cd" and "/%7Euser" matches "/~user".
func (r *Rules) Check(u *url.URL) Decision {
	if r == nil {
		return Decision{Allowed: true}
	}
	target := matchTarget(u)
	d := Decision{Allowed: true, CrawlDelay: r.delay}
	if isRobotsPath(target) {
		return d
	}
	best := -1
	var won rule
	for _, ru := range r.rules {
		n := len(ru.pattern)
		if n < best || n == best && (won.allow || !ru.allow) {
			continue
		}
		if match(ru.pattern, target) {
			best, won = n, ru
		}
	}
	if best >= 0 && !won.allow {
		d.Allowed = false
		d.Reason = "disallowed by robots.txt: Disallow: " + won.pattern
	}
	return d
}

// matchTarget returns the part of u that rules are matched against: the
// path, "/" if empty, and the query if any, in canonical form.
func matchTarget(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" || u.ForceQuery {
		p += "?" + u.RawQuery
	}
	return canonical(p)
}

// isRobotsPath reports whether target, a canonical path and query, names
// /robots.txt, which rules never apply to.
func isRobotsPath(target string) bool {
	path, _, _ := strings.Cut(target, "?")
	return path == "/robots.txt"
}
