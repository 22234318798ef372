package fetch

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// LoadCookies reads cookies in the Netscape cookies.txt format, which curl,
// wget and browser extensions write, into jar, and returns how many it
// loaded. Each line holds seven tab-separated fields: domain, whether
// subdomains match (TRUE/FALSE), path, secure (TRUE/FALSE), expiry in Unix
// seconds (0 for a session cookie), name and value. Blank lines and lines
// starting with # are skipped, except that a "#HttpOnly_" prefix marks an
// HttpOnly cookie. Expired cookies are skipped. A malformed line is an error
// naming it (name is used in messages); the cookies before it are loaded.
func LoadCookies(jar http.CookieJar, r io.Reader, name string, now time.Time) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		httpOnly := false
		if rest, ok := strings.CutPrefix(text, "#HttpOnly_"); ok {
			text, httpOnly = rest, true
		}
		if strings.TrimSpace(text) == "" || text[0] == '#' {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) == 6 {
			f = append(f, "") // an empty value
		}
		if len(f) != 7 {
			return n, fmt.Errorf("%s:%d: want 7 tab-separated fields, found %d", name, line, len(f))
		}
		domain, sub, path, secure, exp, cname, value := f[0], f[1], f[2], f[3], f[4], f[5], f[6]
		expiry, err := strconv.ParseInt(exp, 10, 64)
		if err != nil {
			return n, fmt.Errorf("%s:%d: bad expiry %q", name, line, exp)
		}
		if expiry != 0 && time.Unix(expiry, 0).Before(now) {
			continue
		}
		host := strings.TrimPrefix(strings.ToLower(domain), ".")
		if host == "" {
			return n, fmt.Errorf("%s:%d: empty domain", name, line)
		}
		c := &http.Cookie{Name: cname, Value: value, Path: path, HttpOnly: httpOnly,
			Secure: strings.EqualFold(secure, "TRUE")}
		if expiry != 0 {
			c.Expires = time.Unix(expiry, 0)
		}
		if strings.EqualFold(sub, "TRUE") {
			c.Domain = host // also sent to subdomains
		}
		scheme := "http"
		if c.Secure {
			scheme = "https"
		}
		jar.SetCookies(&url.URL{Scheme: scheme, Host: host, Path: "/"}, []*http.Cookie{c})
		n++
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("reading %s: %w", name, err)
	}
	return n, nil
}
