// Package outcome names what became of a URL in a crawl: the kinds of
// failure and the policy decisions that manifest.jsonl records for a URL,
// and the reasons a link was not followed that the summary counts. The
// fetcher, the scope rules, the engine, its summary and the manifest share
// these names, and manifests keep them, so they never change.
package outcome

import "strings"

// Kind labels a manifest line that is not a success: the URL failed, or
// the crawl decided not to fetch it (a policy kind). It is the line's
// error_kind; the empty Kind is a success.
type Kind string

// Failures: the URL was asked for and could not be fetched or saved.
const (
	BadURL            Kind = "bad_url"            // not a valid http or https URL
	Timeout           Kind = "timeout"            // an attempt or the whole request timed out
	Connection        Kind = "connection"         // refused, reset, DNS failure, connection lost mid-body
	TLS               Kind = "tls"                // certificate or TLS handshake failure
	TooLarge          Kind = "too_large"          // the body is larger than the size limit
	Redirects         Kind = "redirects"          // too many redirects, a loop, a scheme other than http(s), or refused
	HTTP4xx           Kind = "http_4xx"           // a final status of 400 to 499
	HTTP5xx           Kind = "http_5xx"           // a final status of 500 to 599
	Store             Kind = "store"              // the body could not be written to disk
	HostUnreachable   Kind = "host_unreachable"   // the host was given up: no answer at all
	RobotsUnavailable Kind = "robots_unavailable" // the host's robots.txt answered 5xx through its retries
	Canceled          Kind = "canceled"           // the request was cancelled (an interrupted crawl records none)
	Other             Kind = "other"              // anything else
)

// Policy kinds: the crawl chose not to fetch the URL. Such lines are not
// failures and do not change the exit status.
const (
	Robots              Kind = "robots"                // robots.txt disallows the URL
	TrapURLLength       Kind = "trap_url_length"       // the URL is longer than the limit
	TrapPathDepth       Kind = "trap_path_depth"       // the path has more segments than the limit
	TrapRepeatedSegment Kind = "trap_repeated_segment" // a path segment repeats more than the limit
	TrapHostPages       Kind = "trap_host_pages"       // the host's budget of URLs is spent
	TrapQueryVariants   Kind = "trap_query_variants"   // the path's budget of query strings is spent
)

// Missing is not a failure either: a URL the crawl tried on its own, not
// one the user asked for nor a link of a page (a host's /sitemap.xml, a
// sitemap or a path its robots.txt names), answered 4xx.
const Missing Kind = "missing"

// Policy reports whether k is a decision not to fetch rather than a
// failure.
func (k Kind) Policy() bool { return k == Robots || strings.HasPrefix(string(k), "trap_") }

// Failure reports whether k is a failure: not a success, not a policy
// decision, not a well-known URL missing.
func (k Kind) Failure() bool { return k != "" && !k.Policy() && k != Missing }

// Reason says why a link found in a page was not followed. Unlike a Kind,
// it gets no manifest line: links not followed are only counted.
type Reason string

// Reasons a link is not followed.
const (
	OffSite     Reason = "off_site"     // another host (or domain) than the crawl's scope
	NotIncluded Reason = "not_included" // it matches none of the include patterns
	Excluded    Reason = "excluded"     // it matches an exclude pattern
	TooDeep     Reason = "too_deep"     // beyond the depth limit
	MaxPages    Reason = "max_pages"    // the crawl's budget of URLs is spent
	NoParent    Reason = "no_parent"    // above the start folder (wget's -np)
	NotAccepted Reason = "not_accepted" // a file name none of the accept patterns match (wget's -A)
	Rejected    Reason = "rejected"     // a file name a reject pattern matches (wget's -R)
)

// Redirect is the reason a redirect to a URL was not followed, for a link
// that would not have been followed for r: "redirect_off_site".
func (r Reason) Redirect() Reason { return "redirect_" + r }

// Skip is the reason under which the summary counts a URL recorded with
// the policy kind k, beside the links not followed.
func Skip(k Kind) Reason { return Reason(k) }
