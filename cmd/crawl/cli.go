package main

// This file holds the command line's flag layer. Each flag is defined once
// with all its spellings (crawl's own, and wget's, curl's or aria2's where
// the meaning is the same), the group it is listed under in the help, and
// its flag.Value. parse reads a command line as the Go flag package does,
// with what wget users expect on top:
//
//   - "-flag" and "--flag" are the same, so wget's multi-letter single-dash
//     flags (-np, -nH, -nd) are ordinary flags;
//   - a one-letter flag that takes a value may have it attached, as getopt
//     allows: -l2, -P/tmp/x, -erobots=off;
//   - flags and arguments may be mixed in any order; "--" ends the flags;
//   - a boolean flag takes =true|false|on|off|yes|no|1|0, or --no-FLAG; a
//     boolean word after it with a space (--robots false) is an error, not a
//     URL;
//   - an unknown flag is one line, with the closest flag by edit distance,
//     and a spelling of another tool that crawl does not take says what to
//     write instead.
//
// Why not github.com/spf13/pflag: it parses getopt style, where a single
// dash starts one-letter flags that may be grouped, so -np would be -n -p
// and wget's -np, -nH and -nd could not be spelled at all, and every
// "-depth 3" written for crawl's flag-package parsing so far would break.
// The flag package's rule (one or two dashes, whole names) is wget's for
// these flags; what it lacks is small and is this file.

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// errHelp and errVersion are returned by parse for --help and --version.
var (
	errHelp    = errors.New("help requested")
	errVersion = errors.New("version requested")
)

// usageError is a mistake on the command line: the command exits with
// exitUsage after printing it.
type usageError struct {
	msg string
}

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// boolFlag is the flag.Value of a boolean flag: given alone it is set to
// "true".
type boolFlag interface {
	flag.Value
	IsBoolFlag() bool
}

// flagDef is one flag and its spellings.
type flagDef struct {
	// names are the spellings listed in the help, with their dashes, the
	// main one first: "-o", "-P". aliases are accepted too and listed only
	// in the README's table: "--directory-prefix".
	names   []string
	aliases []string
	// arg names the value in the help ("N", "DIR"); empty for a boolean.
	arg   string
	usage string
	// def is the default shown in the help; empty shows none.
	def   string
	value flag.Value
	group string
	// given is set when the command line gave the flag.
	given bool
	// mask, if set, hides the secret in a value of the flag, for the
	// command line that the WARC files record (flagSet.masked).
	mask func(string) string
}

func (d *flagDef) isBool() bool {
	b, ok := d.value.(boolFlag)
	return ok && b.IsBoolFlag()
}

// spellings returns every spelling of d, with its dashes.
func (d *flagDef) spellings() []string { return append(slices.Clone(d.names), d.aliases...) }

// flagGroup is a group of flags in the help.
type flagGroup struct {
	name, title string
	defs        []*flagDef
}

// flagSet is the flags of a command. It is not safe for concurrent use.
type flagSet struct {
	cmd    string // "crawl", "crawl status": the prefix of messages
	groups []*flagGroup
	byName map[string]*flagDef // by spelling without dashes
	// foreign maps spellings of other tools that crawl does not take to
	// what to write instead.
	foreign map[string]string
	// secrets are where parse found values of flags with a mask.
	secrets []secretAt
}

func newFlagSet(cmd string) *flagSet {
	return &flagSet{cmd: cmd, byName: map[string]*flagDef{}, foreign: map[string]string{}}
}

// group starts a group of flags in the help; the flags defined next join
// it.
func (s *flagSet) group(name, title string) {
	s.groups = append(s.groups, &flagGroup{name: name, title: title})
}

// add defines a flag. Spellings start with one or two dashes; the names
// listed in the help come first, then "|", then the aliases.
func (s *flagSet) add(value flag.Value, arg, def, usage string, spellings ...string) *flagDef {
	d := &flagDef{arg: arg, def: def, usage: usage, value: value}
	list := &d.names
	for _, sp := range spellings {
		if sp == "|" {
			list = &d.aliases
			continue
		}
		name := strings.TrimLeft(sp, "-")
		if _, dup := s.byName[name]; dup || name == "" {
			panic("flag defined twice: " + sp)
		}
		s.byName[name] = d
		*list = append(*list, sp)
	}
	if len(s.groups) == 0 {
		s.group("", "")
	}
	g := s.groups[len(s.groups)-1]
	d.group = g.name
	g.defs = append(g.defs, d)
	return d
}

// boolVar defines a boolean flag.
func (s *flagSet) boolVar(p *bool, value bool, usage string, spellings ...string) *flagDef {
	*p = value
	def := ""
	if value {
		def = "on"
	}
	return s.add((*boolValue)(p), "", def, usage, spellings...)
}

// stringVar defines a flag taking a string.
func (s *flagSet) stringVar(p *string, value, arg, usage string, spellings ...string) *flagDef {
	*p = value
	return s.add((*stringValue)(p), arg, value, usage, spellings...)
}

// intVar defines a flag taking an integer.
func (s *flagSet) intVar(p *int, value int, arg, usage string, spellings ...string) *flagDef {
	*p = value
	return s.add((*intValue)(p), arg, strconv.Itoa(value), usage, spellings...)
}

// floatVar defines a flag taking a number.
func (s *flagSet) floatVar(p *float64, value float64, arg, usage string, spellings ...string) *flagDef {
	*p = value
	return s.add((*floatValue)(p), arg, strconv.FormatFloat(value, 'g', -1, 64), usage, spellings...)
}

// durationVar defines a flag taking a duration: 1m30s, or seconds as wget
// writes them (30, 1.5).
func (s *flagSet) durationVar(p *time.Duration, value time.Duration, arg, usage string, spellings ...string) *flagDef {
	*p = value
	def := ""
	if value != 0 {
		def = formatDuration(value)
	}
	return s.add((*durationValue)(p), arg, def, usage, spellings...)
}

// notTaken records spellings of other tools that crawl does not take, with
// what to write instead.
func (s *flagSet) notTaken(msg string, spellings ...string) {
	for _, sp := range spellings {
		s.foreign[strings.TrimLeft(sp, "-")] = sp + " " + msg
	}
}

// given reports whether the command line gave the flag with this spelling
// (or another spelling of the same flag).
func (s *flagSet) given(spelling string) bool {
	d := s.byName[strings.TrimLeft(spelling, "-")]
	return d != nil && d.given
}

// parse parses args and returns the arguments that are not flags. It
// returns errHelp or errVersion when they are asked for, and a
// *usageError for a mistake.
func (s *flagSet) parse(args []string) ([]string, error) {
	var pos []string
	var lastBool string // the spelling of the boolean flag just before, given without a value
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(pos, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			if lastBool != "" && isBoolWord(a) {
				return nil, usagef("%s takes no value; write %s=%s", lastBool, lastBool, strings.ToLower(a))
			}
			lastBool = ""
			pos = append(pos, a)
			continue
		}
		lastBool = ""
		dashes := "-"
		body := a[1:]
		if body[0] == '-' {
			dashes, body = "--", body[1:]
		}
		name, value, hasValue := strings.Cut(body, "=")
		spelled := dashes + name
		sep := "="
		d := s.byName[name]
		if d == nil && dashes == "-" && len(body) > 1 {
			// A one-letter flag with its value attached: -l2, -P/tmp.
			if short := s.byName[body[:1]]; short != nil && !short.isBool() {
				d, spelled, value, hasValue, sep = short, "-"+body[:1], body[1:], true, " "
			}
		}
		at := secretAt{arg: i, start: len(a) - len(value)} // where the value is, if in a
		if d == nil {
			if neg, ok := s.negated(name); ok && !hasValue {
				d, value, hasValue = neg, "false", true
			}
		}
		if d == nil {
			switch name {
			case "h", "help":
				return nil, errHelp
			case "V", "version":
				return nil, errVersion
			}
			return nil, s.unknown(dashes, name)
		}
		if d.isBool() {
			if !hasValue {
				value = "true"
				lastBool = spelled
			}
		} else if !hasValue {
			if i+1 == len(args) {
				return nil, usagef("%s needs a value (%s %s)", spelled, spelled, d.argName())
			}
			i++
			value, sep = args[i], " "
			at = secretAt{arg: i}
		}
		if err := d.value.Set(value); err != nil {
			return nil, usagef("%s%s%s: %v", spelled, sep, value, err)
		}
		d.given = true
		if d.mask != nil && !d.isBool() {
			at.mask = d.mask
			s.secrets = append(s.secrets, at)
		}
	}
	return pos, nil
}

// negated returns the boolean flag X of a --no-X that is not a flag of its
// own.
func (s *flagSet) negated(name string) (*flagDef, bool) {
	x, ok := strings.CutPrefix(name, "no-")
	if !ok {
		return nil, false
	}
	d := s.byName[x]
	return d, d != nil && d.isBool()
}

func (d *flagDef) argName() string {
	if d.arg == "" {
		return "VALUE"
	}
	return d.arg
}

// isBoolWord reports whether a is a value a boolean flag takes.
func isBoolWord(a string) bool {
	_, err := parseBool(a)
	return err == nil
}

// parseSeconds reads a duration as Go writes it (1m30s, 500ms) or as wget
// does: seconds (30, 1.5), or a number with s, m, h or d.
func parseSeconds(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return d, nil
	}
	unit := time.Second
	if strings.HasSuffix(v, "d") {
		unit, v = 24*time.Hour, strings.TrimSuffix(v, "d")
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > float64(1<<62)/float64(unit) {
		return 0, errors.New("want a duration like 30 (seconds), 1.5, 2m or 1h30m")
	}
	return time.Duration(f * float64(unit)), nil
}

// formatDuration writes a default duration for the help: 2m0s as 2m.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
