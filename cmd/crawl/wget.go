package main

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	crawl "github.com/crawl-go/crawl"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/urlnorm"
)

// This file holds wget's spellings that do not map one to one on crawl's
// options: -r, -l, -m, -t, -w, -e, and -np, -A, -R.

// depthInf is the depth of "inf".
const depthInf = crawl.UnlimitedDepth

// recursiveDepth is the depth of -r without -l, as in wget.
const recursiveDepth = 5

// depthValue is --depth: a number of levels, or inf.
type depthValue struct{ p *int }

func (d depthValue) String() string { return strconv.Itoa(*d.p) }
func (d depthValue) Set(v string) error {
	n, err := parseDepth(v)
	*d.p = n
	return err
}

// levelValue is wget's -l: as --depth, except that 0 means no limit.
type levelValue struct{ p *int }

func (l levelValue) String() string { return strconv.Itoa(*l.p) }
func (l levelValue) Set(v string) error {
	n, err := parseDepth(v)
	if n == 0 {
		n = depthInf
	}
	*l.p = n
	return err
}

func parseDepth(v string) (int, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "inf", "infinite", "infinity":
		return depthInf, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, errors.New("want a number of levels, or inf")
	}
	return min(n, depthInf), nil
}

// triesValue is wget's -t: the tries in all, the first one included.
type triesValue struct{ retries *int }

func (t triesValue) String() string { return strconv.Itoa(*t.retries + 1) }
func (t triesValue) Set(v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	switch {
	case strings.EqualFold(v, "inf") || err == nil && n == 0:
		return errors.New("crawl does not retry without end; give a number of tries")
	case err != nil || n < 0:
		return errors.New("want a number of tries")
	}
	*t.retries = n - 1
	return nil
}

// execute is wget's -e COMMAND, of which crawl takes robots=on|off.
func (o *crawlOptions) execute(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(name), "robots") {
		return errors.New("crawl takes only robots=off or robots=on here")
	}
	b, err := parseBool(strings.TrimSpace(value))
	if err != nil {
		return fmt.Errorf("robots=%s: %w", value, err)
	}
	o.robots = b
	return nil
}

// resolveWget turns wget's spellings into crawl's options, once the
// command line is read, and returns warnings for what crawl does only in
// part.
func (o *crawlOptions) resolveWget(s *flagSet) (warnings []string, err error) {
	switch {
	case s.given("--depth") && s.given("-l"):
		return nil, usagef("--depth and -l both set the depth; give one")
	case s.given("-l"):
		o.depth = o.level
	case s.given("--depth"):
	case o.mirror:
		o.depth = depthInf
	case o.recursive:
		o.depth = recursiveDepth
	}
	if o.mirror {
		o.update = true
	}
	if s.given("-w") {
		if s.given("--rate") {
			return nil, usagef("-w and --rate both set the rate; give one")
		}
		if o.wait > 0 {
			o.rate = 1 / o.wait.Seconds()
		}
	}
	if o.randomWait && o.rate <= 0 {
		warnings = append(warnings, "--random-wait varies the waits of -w or --rate; without them there are none to vary")
	}
	if o.password != "" {
		if strings.Contains(o.user, ":") || o.user == "" {
			return nil, usagef("--password goes with --user NAME (without a password)")
		}
		o.user += ":" + o.password
	}
	for _, l := range []struct {
		flag string
		list []string
	}{{"-A", o.accept}, {"-R", o.reject}} {
		if err := scope.ValidateNames(l.list); err != nil {
			return nil, usagef("%s: %v", l.flag, err)
		}
	}
	return warnings, nil
}

// globRegexp converts a glob pattern of path.Match to a regexp matching a
// whole path segment.
func globRegexp(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			b.WriteString(`[^/?#]*`)
		case '?':
			b.WriteString(`[^/?#]`)
		case '[':
			class, n, ok := globClass(p[i:])
			if !ok {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(class)
			i += n - 1
		case '\\':
			if i+1 < len(p) {
				i++
			}
			b.WriteString(quoteName(p[i : i+1]))
		default:
			b.WriteString(quoteName(string(c)))
		}
	}
	return b.String()
}

// globClass converts the character class at the start of p ("[a-z]",
// "[^0-9]", "[!x]") to a regexp class, every character escaped, and
// returns its length in p; ok is false when the class is not closed.
func globClass(p string) (class string, n int, ok bool) {
	var b strings.Builder
	b.WriteString("[")
	i := 1
	if i < len(p) && (p[i] == '^' || p[i] == '!') {
		b.WriteString("^")
		i++
	}
	for elems := 0; i < len(p); elems++ {
		if p[i] == ']' && elems > 0 {
			b.WriteString("]")
			return b.String(), i + 1, true
		}
		for k := 0; k < 2 && i < len(p); k++ {
			if p[i] == '\\' && i+1 < len(p) {
				i++
			}
			r, size := utf8.DecodeRuneInString(p[i:])
			fmt.Fprintf(&b, `\x{%x}`, r)
			i += size
			if k == 0 {
				if i+1 >= len(p) || p[i] != '-' || p[i+1] == ']' {
					break
				}
				b.WriteByte('-')
				i++
			}
		}
	}
	return "", 0, false
}

// quoteName quotes a literal part of a file name for a regexp matching the
// URL, where the characters a URL escapes appear escaped.
func quoteName(s string) string {
	return regexp.QuoteMeta(strings.ReplaceAll(url.PathEscape(s), "%2F", "/"))
}

// checkArgs reports an argument that is not a URL: a subcommand's name
// (crawl -q help), a host without a scheme (example.com), or a word.
func checkArgs(args []string) error {
	for _, a := range args {
		if strings.Contains(a, "://") {
			continue
		}
		for _, sub := range subcommands {
			if editDistance(strings.ToLower(a), sub) <= 1 {
				return usagef("%q is not a URL; did you mean crawl %s?", a, sub)
			}
		}
		if strings.ContainsAny(a, ".:/") || a == "localhost" {
			if _, err := urlnorm.Parse("https://" + a); err == nil {
				return usagef("%q is not a URL; did you mean https://%s?", a, a)
			}
		}
		return usagef("%q is not a URL (write it with http:// or https://)", a)
	}
	return nil
}
