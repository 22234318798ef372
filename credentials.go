package crawl

import (
	"maps"
	"net/url"
	"strings"
)

// This file holds the credentials a crawl sends, by host: those given in
// the URLs of its seeds and sitemaps ("user:password@", which normalized
// URLs drop so that no password is written down) and Config.User.

// credentials returns the basic credentials to send, by host: those the
// seeds' and sitemaps' URLs gave, and Config.User for the other seeds'
// hosts.
func (c *Crawler) credentials() map[string]*url.Userinfo {
	creds := maps.Clone(c.creds)
	if c.cfg.User != nil {
		if creds == nil {
			creds = make(map[string]*url.Userinfo)
		}
		for _, s := range c.seeds {
			if _, ok := creds[s.Host]; !ok {
				creds[s.Host] = c.cfg.User
			}
		}
	}
	return creds
}

// addCreds keeps the credentials of raw, a URL given to the crawl, for
// host, its normalized host: they are sent to that host alone, as
// Config.User is, since the normalized URL drops them. The first URL of a
// host to give credentials decides.
func (c *Crawler) addCreds(raw, host string) {
	user, _ := splitUserinfo(strings.TrimSpace(raw))
	if user == nil {
		return
	}
	if c.creds == nil {
		c.creds = make(map[string]*url.Userinfo)
	}
	if _, ok := c.creds[host]; !ok {
		c.creds[host] = user
	}
}

// splitUserinfo returns the credentials of raw, a URL as given (the
// "user:password@" after "scheme://", before the path), and raw with its
// password masked ("user:***@"); nil and raw when it has none. It reads
// the text itself, so that a URL that does not parse (a bad escape in
// its path, a bad host) neither loses its credentials nor shows its
// password.
func splitUserinfo(raw string) (user *url.Userinfo, masked string) {
	start, at, ok := userinfoSpan(raw)
	if !ok {
		return nil, raw
	}
	unescape := func(s string) string {
		if u, err := url.PathUnescape(s); err == nil {
			return u
		}
		return s
	}
	name, pass, hasPass := strings.Cut(raw[start:at], ":")
	if !hasPass {
		return url.User(unescape(name)), raw
	}
	return url.UserPassword(unescape(name), unescape(pass)), raw[:start] + name + ":***" + raw[at:]
}

// withoutUserinfo returns the URL raw without its credentials, so that no
// password is written into the state; raw itself when it has none.
func withoutUserinfo(raw string) string {
	start, at, ok := userinfoSpan(raw)
	if !ok {
		return raw
	}
	return raw[:start] + raw[at+1:]
}

// userinfoSpan finds the userinfo of raw, read as text: raw[start:at] is
// what stands between "scheme://" and the last "@" before the path.
func userinfoSpan(raw string) (start, at int, ok bool) {
	i := strings.Index(raw, "://")
	if i < 0 {
		return 0, 0, false
	}
	start, end := i+len("://"), len(raw)
	if j := strings.IndexAny(raw[start:], "/?#"); j >= 0 {
		end = start + j
	}
	k := strings.LastIndexByte(raw[start:end], '@')
	if k < 0 {
		return 0, 0, false
	}
	return start, start + k, true
}
