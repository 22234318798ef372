package main

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// This file holds the flag.Values of the command's own flags: booleans
// that take on, off, yes and no, and the plain types.

type boolValue bool

func (b *boolValue) String() string { return strconv.FormatBool(bool(*b)) }

func (b *boolValue) IsBoolFlag() bool { return true }

func (b *boolValue) Set(v string) error {
	x, err := parseBool(v)
	if err != nil {
		return err
	}
	*b = boolValue(x)
	return nil
}

// parseBool reads a boolean flag's value: true, on, yes, 1 or false, off,
// no, 0, in any case.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "on", "yes", "1", "t", "y":
		return true, nil
	case "false", "off", "no", "0", "f", "n":
		return false, nil
	}
	return false, errors.New("want true, false, on, off, yes or no")
}

type stringValue string

func (s *stringValue) String() string { return string(*s) }

func (s *stringValue) Set(v string) error { *s = stringValue(v); return nil }

type intValue int

func (n *intValue) String() string { return strconv.Itoa(int(*n)) }

func (n *intValue) Set(v string) error {
	x, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return errors.New("want a whole number")
	}
	*n = intValue(x)
	return nil
}

type floatValue float64

func (f *floatValue) String() string { return strconv.FormatFloat(float64(*f), 'g', -1, 64) }

func (f *floatValue) Set(v string) error {
	x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return errors.New("want a number")
	}
	*f = floatValue(x)
	return nil
}

type durationValue time.Duration

func (d *durationValue) String() string { return formatDuration(time.Duration(*d)) }

func (d *durationValue) Set(v string) error {
	x, err := parseSeconds(v)
	if err != nil {
		return err
	}
	*d = durationValue(x)
	return nil
}

// stringsValue is a flag that may be given many times.
type stringsValue []string

func (s *stringsValue) String() string { return strings.Join(*s, ", ") }

func (s *stringsValue) Set(v string) error { *s = append(*s, v); return nil }

// listValue is a comma-separated list that may be given many times, as
// wget's -A and -R are.
type listValue []string

func (l *listValue) String() string { return strings.Join(*l, ",") }

func (l *listValue) Set(v string) error {
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*l = append(*l, x)
		}
	}
	return nil
}

// funcValue is a flag whose Set is a function.
type funcValue struct {
	set func(string) error
}

func (f funcValue) String() string { return "" }

func (f funcValue) Set(v string) error { return f.set(v) }
