package main

import (
	"net/url"
	"strings"
)

// maskArgs returns the command line args with its secrets masked, for the
// WARC files' warcinfo record: the password of --user, the value of every
// -H header, and the password in any URL (seeds, --proxy, --state).
func maskArgs(args []string) []string {
	out := make([]string, len(args))
	next := "" // the flag whose value is the next argument
	for i, a := range args {
		if next != "" {
			out[i] = maskValue(next, a)
			next = ""
			continue
		}
		out[i] = maskURL(a)
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
			continue
		}
		switch name {
		case "user", "H":
			if hasValue {
				out[i] = a[:len(a)-len(value)] + maskValue(name, value)
			} else {
				next = name
			}
		}
	}
	return out
}

// maskValue masks the value of the flag name.
func maskValue(name, v string) string {
	switch name {
	case "user":
		if u, _, ok := strings.Cut(v, ":"); ok {
			return u + ":***"
		}
		return v
	case "H":
		if h, _, ok := strings.Cut(v, ":"); ok {
			return h + ": ***"
		}
		return "***"
	}
	return maskURL(v)
}

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
