package parse

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
)

// ErrBadField is wrapped by the errors of [ParseField] and [Extract] for a
// field spec or Field that cannot be used.
var ErrBadField = errors.New("bad field")

// Field is one field to extract, NAME=SELECTOR[@attr] (or
// NAME[]=SELECTOR[@attr] for all matches), as [ParseField] reads it.
//
// A Field from ParseField holds its compiled selector; one built as a
// literal is compiled by each Extract call. Fields are safe for concurrent
// use.
type Field struct {
	// Name is the key of the value in Extract's result.
	Name string
	// Selector is a CSS selector (cascadia syntax, groups with "," allowed).
	Selector string
	// Attr, when not empty, asks for that attribute of the matches instead
	// of their text.
	Attr string
	// All asks for every match (a []string) instead of the first (a string
	// or nil).
	All bool

	sel cascadia.Selector // compiled Selector; nil until ParseField
}

// ParseField parses a field spec: NAME=SELECTOR, NAME=SELECTOR@attr,
// NAME[]=SELECTOR or NAME[]=SELECTOR@attr.
//
// NAME is everything before the first '='; a trailing "[]" asks for all
// matches. The attribute is a trailing "@identifier" (letters, digits, '-',
// '_', ':' and '.') that comes after the selector's last ']' or ')', so an
// '@' inside an attribute selector or a pseudo-class argument is part of the
// selector: in `a[href^="mailto:x@y"]` there is no attribute, and in
// `a[href^="mailto:"]@href` the attribute is href. Errors wrap
// [ErrBadField] and say what is wrong.
func ParseField(spec string) (Field, error) {
	name, sel, ok := strings.Cut(spec, "=")
	if !ok {
		return Field{}, fmt.Errorf("parse field %q: %w: want NAME=SELECTOR[@attr]", spec, ErrBadField)
	}
	var f Field
	name = strings.TrimSpace(name)
	if n, isAll := strings.CutSuffix(name, "[]"); isAll {
		name, f.All = strings.TrimSpace(n), true
	}
	if name == "" {
		return Field{}, fmt.Errorf("parse field %q: %w: empty name", spec, ErrBadField)
	}
	f.Name = name
	sel = strings.TrimSpace(sel)
	if at := strings.LastIndexByte(sel, '@'); at >= 0 && at > strings.LastIndexAny(sel, "])") {
		attr := sel[at+1:]
		if !isAttrName(attr) {
			return Field{}, fmt.Errorf("parse field %q: %w: %q after '@' is not an attribute name", spec, ErrBadField, attr)
		}
		f.Attr, sel = attr, strings.TrimSpace(sel[:at])
	}
	if sel == "" {
		return Field{}, fmt.Errorf("parse field %q: %w: empty selector", spec, ErrBadField)
	}
	f.Selector = sel
	if err := f.compile(); err != nil {
		return Field{}, fmt.Errorf("parse field %q: %w", spec, err)
	}
	return f, nil
}

// compile compiles f.Selector into f.sel.
func (f *Field) compile() error {
	s, err := cascadia.Compile(f.Selector)
	if err != nil {
		return fmt.Errorf("%w: selector %q: %w", ErrBadField, f.Selector, err)
	}
	f.sel = s
	return nil
}

// isAttrName reports whether s is usable as an attribute name after '@'.
func isAttrName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == ':' || c == '.') {
			return false
		}
	}
	return true
}

// Extract parses body as HTML and evaluates fields on it. The result maps
// each field's name to:
//
//   - NAME=SELECTOR: the text of the first match with surrounding
//     whitespace trimmed, or nil (JSON null) when nothing matches;
//   - NAME=SELECTOR@attr: the attribute of the first match as written, or
//     nil when nothing matches or the first match lacks the attribute;
//   - NAME[]=...: a []string with the text or attribute of every match in
//     document order (matches that lack the attribute are left out); an
//     empty slice, not nil, when nothing matches.
//
// A later field with the same name replaces an earlier one. Unlike [HTML],
// Extract builds a DOM, so call it only when fields were asked for. Errors
// wrap [ErrBadField] for a literal Field whose selector does not compile.
func Extract(body []byte, fields []Field) (map[string]any, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("extract: parse html: %w", err)
	}
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		if f.sel == nil {
			if err := f.compile(); err != nil {
				return nil, fmt.Errorf("extract field %q: %w", f.Name, err)
			}
		}
		matches := doc.FindMatcher(f.sel)
		if f.All {
			vals := make([]string, 0, matches.Length())
			matches.Each(func(_ int, s *goquery.Selection) {
				if v, ok := value(s, f.Attr); ok {
					vals = append(vals, v)
				}
			})
			out[f.Name] = vals
			continue
		}
		if v, ok := value(matches.First(), f.Attr); ok {
			out[f.Name] = v
		} else {
			out[f.Name] = nil
		}
	}
	return out, nil
}

// value returns the trimmed text of the first node of s, or its attribute
// attr when attr is not empty. ok is false when s is empty or lacks attr.
func value(s *goquery.Selection, attr string) (string, bool) {
	if s.Length() == 0 {
		return "", false
	}
	if attr != "" {
		return s.Attr(attr)
	}
	return strings.TrimSpace(s.First().Text()), true
}
