package scope

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// This file holds the rules of wget's that look at a link's path:
// --no-parent (Rules.NoParent) and the -A and -R lists of file names
// (Rules.Accept, Rules.Reject).
//
// An element of -A or -R is a glob pattern when it has one of * ? [
// ("*.tar.gz", "report-??.pdf"), matched against the whole file name, and
// otherwise a suffix of the file name ("pdf" takes a.pdf, as in wget, and
// also "xpdf"). The file name is the last segment of the URL's path,
// percent-decoded, without the query. Unlike wget, case does not matter:
// "-A pdf" takes REPORT.PDF.
//
// wget downloads the pages it needs to find the accepted files and deletes
// them afterwards. A crawl keeps them: a link to a page is followed
// whatever the lists say, unless it is at the depth limit (its links would
// not be followed). A page is a URL whose path ends in "/", or whose file
// name ends in .html or .htm (wget's rule) or has no extension (most pages
// of today's sites: /docs/intro).

// ValidateNames reports the first malformed glob pattern of an Accept or
// Reject list.
func ValidateNames(list []string) error {
	for _, p := range list {
		if _, err := path.Match(strings.ToLower(p), ""); err != nil {
			return fmt.Errorf("bad pattern %q: %w", p, err)
		}
		if p == "" {
			return errors.New("empty name pattern")
		}
	}
	return nil
}

// folder returns the folder of a URL path as wget's --no-parent sees it:
// the path up to its last slash.
func folder(escapedPath string) string {
	i := strings.LastIndexByte(escapedPath, '/')
	if i < 0 {
		return "/"
	}
	return escapedPath[:i+1]
}

func rootKey(u *url.URL) string { return strings.ToLower(u.Hostname()) }

// addRoot adds u's folder to the folders of its host, with NoParent.
func (s *Scope) addRoot(u *url.URL) {
	if !s.rules.NoParent {
		return
	}
	k, dir := rootKey(u), folder(u.EscapedPath())
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.roots[k] {
		if strings.HasPrefix(dir, r) {
			return // under a folder there already
		}
	}
	s.roots[k] = append(s.roots[k], dir)
}

// underRoot reports whether u is under one of its host's seed folders, or
// on a host that has none.
func (s *Scope) underRoot(u *url.URL) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	roots, ok := s.roots[rootKey(u)]
	if !ok {
		return true
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	for _, r := range roots {
		if strings.HasPrefix(p, r) {
			return true
		}
	}
	return false
}

// fileName returns the last segment of u's path, percent-decoded.
func fileName(u *url.URL) string {
	p := u.EscapedPath()
	name := p[strings.LastIndexByte(p, '/')+1:]
	if dec, err := url.PathUnescape(name); err == nil {
		name = dec
	}
	return name
}

// isPage reports whether u looks like a page: a folder, a name ending in
// .html or .htm, or a name without an extension.
func isPage(u *url.URL) bool {
	name := strings.ToLower(fileName(u))
	if name == "" || !strings.Contains(name, ".") {
		return true
	}
	return strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".htm")
}

// checkName applies Accept and Reject to u's file name. A folder has none,
// and is followed, as in wget.
func (s *Scope) checkName(u *url.URL) Reason {
	name := strings.ToLower(fileName(u))
	if name == "" {
		return Follow
	}
	if len(s.rules.Accept) > 0 && !matchName(s.rules.Accept, name) {
		return NotAccepted
	}
	if matchName(s.rules.Reject, name) {
		return Rejected
	}
	return Follow
}

// matchName reports whether the lowercase file name matches one of list.
func matchName(list []string, name string) bool {
	for _, p := range list {
		p = strings.ToLower(p)
		if strings.ContainsAny(p, "*?[") {
			if ok, _ := path.Match(p, name); ok {
				return true
			}
		} else if strings.HasSuffix(name, p) {
			return true
		}
	}
	return false
}
