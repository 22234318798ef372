package main

import (
	"fmt"
	"strings"
)

// This file holds what the command says of a flag it does not take: what
// another tool means by it and how crawl spells that, or the closest of
// crawl's own flags.

// unknown returns the error for an unknown flag: what another tool means
// by it and what crawl spells it, or the closest flag of crawl's.
func (s *flagSet) unknown(dashes, name string) error {
	if msg, ok := s.foreign[name]; ok {
		return usagef("%s", msg)
	}
	msg := fmt.Sprintf("unknown flag %s%s", dashes, name)
	if sug := s.suggest(name); sug != "" {
		msg += "; did you mean " + sug + "?"
	}
	return usagef("%s", msg)
}

// suggest returns the spelling closest to name, or "" when none is close:
// a flag whose name starts with name, or one within a small edit distance.
func (s *flagSet) suggest(name string) string {
	lower := strings.ToLower(name)
	best, bestDist := "", 0
	var prefixed []string
	for _, g := range s.groups {
		for _, d := range g.defs {
			for _, sp := range d.spellings() {
				n := strings.TrimLeft(sp, "-")
				if len(lower) >= 3 && len(n) > len(lower) && strings.HasPrefix(n, lower) {
					prefixed = append(prefixed, sp)
				}
				dist := editDistance(lower, strings.ToLower(n))
				if best == "" || dist < bestDist {
					best, bestDist = sp, dist
				}
			}
		}
	}
	for _, n := range []string{"help", "version"} {
		if dist := editDistance(lower, n); dist < bestDist {
			best, bestDist = "--"+n, dist
		}
	}
	// One edit for short names, two for longer ones: beyond that most
	// suggestions are noise (-x is one edit from -q, and unrelated).
	limit := 1
	if len(name) >= 5 {
		limit = 2
	}
	if len(name) <= 1 {
		limit = 0
	}
	switch {
	case bestDist > 0 && bestDist <= limit:
		return best
	case len(prefixed) == 1:
		return prefixed[0]
	}
	return ""
}

// editDistance is the optimal string alignment distance between a and b:
// the insertions, deletions, substitutions and transpositions of adjacent
// bytes that turn a into b.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// The values of flags.
