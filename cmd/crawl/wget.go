package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

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
	o.userAgentGiven = s.given("-U")
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
			if u, err := urlnorm.Parse("https://" + a); err == nil {
				scheme := "https"
				if h := u.Hostname(); h == "localhost" || net.ParseIP(h) != nil {
					scheme = "http" // a local or test server rarely speaks TLS
				}
				return usagef("%q is not a URL; did you mean %s://%s?", a, scheme, a)
			}
		}
		return usagef("%q is not a URL (write it with http:// or https://)", a)
	}
	return nil
}
