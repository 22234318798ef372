package main

import (
	"net/url"
	"strings"
)

// The command line that the WARC files' warcinfo record holds is the one
// given, with its secrets masked (flagSet.masked): the flags below mask
// their values under every spelling, and the password of any URL (seeds,
// --proxy, --state) is masked wherever it stands.

// maskUser masks the password of a --user value.
func maskUser(v string) string {
	if u, _, ok := strings.Cut(v, ":"); ok {
		return u + ":***"
	}
	return v
}

// maskHeader masks the value of a --header: the field name stays.
func maskHeader(v string) string {
	if h, _, ok := strings.Cut(v, ":"); ok {
		return h + ": ***"
	}
	return "***"
}

// maskAll masks a value that is all secret (--password).
func maskAll(string) string { return "***" }

// maskURL masks the password of a URL's userinfo; anything else is
// returned as it is.
func maskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil || u.Host == "" {
		return s
	}
	if _, ok := u.User.Password(); !ok {
		return s
	}
	u.User = url.UserPassword(u.User.Username(), "***")
	return strings.Replace(u.String(), "%2A%2A%2A@", "***@", 1)
}

// secretAt is a value of a flag with a mask: args[arg][start:].
type secretAt struct {
	arg, start int
	mask       func(string) string
}

// masked returns args, which parse has read, with the secrets in the
// values of flags with a mask hidden, and the password of every URL.
func (s *flagSet) masked(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = maskURL(a)
	}
	for _, at := range s.secrets {
		a := args[at.arg]
		out[at.arg] = a[:at.start] + at.mask(a[at.start:])
	}
	return out
}
