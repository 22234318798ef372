package urlnorm

import "strings"

// Session ids.
//
// A site that keeps its sessions in the URL (a servlet container without
// cookies, PHP's session.use_trans_sid, classic ASP, ColdFusion) gives
// every visitor, and a crawler on every visit, a new spelling of each
// page. Heritrix strips them in its canonicalization rules StripSessionIDs
// and StripSessionCFIDs; these rules do the same, matching whole
// parameters rather than substrings of the URL, so that "xsid=..." or a
// value that merely contains "sid=" is left alone:
//
//   - a ";jsessionid=VALUE" path parameter, in any segment and any case,
//     whatever VALUE is: the Servlet specification reserves it for the
//     session, and the container removes it before the application sees
//     the path, so it never selects content;
//   - a query parameter named jsessionid, phpsessid or ASPSESSIONID
//     followed by 8 letters (any case), with a non-empty value: these
//     names are used for nothing else, and their values do not follow one
//     pattern (a jvmRoute suffix ".node1", PHP's configurable length and
//     alphabet), so matching Heritrix's 32 alphanumerics would let real
//     ids through;
//   - a query parameter named sid, sessionid or session_id (any case)
//     whose value starts with at least 16 ASCII letters and digits, among
//     them at least one letter and one digit: these names are also used
//     for story, user or conference-session ids ("sid=3",
//     "sessionid=42"), which are kept;
//   - query parameters CFID and CFTOKEN, when the query has both, with
//     values of letters, digits and "-" (ColdFusion's numeric and UUID
//     forms): alone, either name may mean something else.
//
// The other parameters keep their order and their "&" separators; a query
// left empty is dropped with its "?". Stripping works on the canonical
// escapes, so "PHP%53ESSID" is PHPSESSID, and comes before dot segments
// are resolved: "/a/..;jsessionid=1/b" is "/b", as the servlet container
// reads it.

// minSessionToken is the shortest value of an ambiguous name (sid,
// sessionid, session_id) that is taken for a session id. Real session ids
// are 22 (PHP's minimum sid_length) to 32 or more characters; story and
// record ids are rarely 16 characters that mix letters and digits.
const minSessionToken = 16

// jsessionParam is the path parameter of servlet sessions, matched in any
// case.
const jsessionParam = ";jsessionid="

// stripPathSessionIDs returns the escaped path p without its
// ";jsessionid=..." path parameters, or p itself when it has none.
func stripPathSessionIDs(p string) string {
	i := indexJSession(p, 0)
	if i < 0 {
		return p
	}
	b := make([]byte, 0, len(p))
	last := 0
	for i >= 0 {
		end := i + len(jsessionParam)
		for end < len(p) && p[end] != ';' && p[end] != '/' {
			end++
		}
		b = append(b, p[last:i]...)
		last = end
		i = indexJSession(p, end)
	}
	b = append(b, p[last:]...)
	return string(b)
}

// indexJSession returns the index of the first ";jsessionid=" in p at or
// after from, in any case, or -1.
func indexJSession(p string, from int) int {
	for i := from; i < len(p); i++ {
		j := strings.IndexByte(p[i:], ';')
		if j < 0 {
			return -1
		}
		i += j
		if len(p)-i >= len(jsessionParam) && strings.EqualFold(p[i:i+len(jsessionParam)], jsessionParam) {
			return i
		}
	}
	return -1
}

// paramKind classifies a query parameter for session-id stripping.
type paramKind uint8

const (
	keepParam    paramKind = iota
	sessionParam           // stripped
	cfidParam              // stripped if the query has a cftokenParam too
	cftokenParam           // stripped if the query has a cfidParam too
)

// stripQuerySessionIDs returns the raw query q without its session-id
// parameters, or q itself when it has none. q has canonical escapes.
func stripQuerySessionIDs(q string) string {
	if !maySessionParam(q) {
		return q
	}
	var sessions, cfids, cftokens int
	for rest := q; rest != ""; {
		var param string
		param, rest, _ = strings.Cut(rest, "&")
		switch classifyParam(param) {
		case sessionParam:
			sessions++
		case cfidParam:
			cfids++
		case cftokenParam:
			cftokens++
		}
	}
	coldFusion := cfids > 0 && cftokens > 0
	if sessions == 0 && !coldFusion {
		return q
	}
	b := make([]byte, 0, len(q))
	first := true
	for rest := q; ; {
		param, tail, more := strings.Cut(rest, "&")
		switch classifyParam(param) {
		case sessionParam:
		case cfidParam, cftokenParam:
			if !coldFusion {
				b = appendParam(b, param, &first)
			}
		default:
			b = appendParam(b, param, &first)
		}
		if !more {
			break
		}
		rest = tail
	}
	return string(b)
}

// maySessionParam reports whether a parameter of the query q starts with
// the first letter of a session-id name, as a cheap test before parsing
// the parameters: most queries have none.
func maySessionParam(q string) bool {
	for i := 0; i < len(q); {
		switch q[i] | 0x20 {
		case 'a', 'c', 'j', 'p', 's':
			return true
		}
		j := strings.IndexByte(q[i:], '&')
		if j < 0 {
			return false
		}
		i += j + 1
	}
	return false
}

// appendParam appends param to the query b, after a "&" unless it is the
// first one kept.
func appendParam(b []byte, param string, first *bool) []byte {
	if !*first {
		b = append(b, '&')
	}
	*first = false
	return append(b, param...)
}

// classifyParam tells whether the query parameter "name=value" is a
// session id, by the rules at the top of this file.
func classifyParam(param string) paramKind {
	name, value, ok := strings.Cut(param, "=")
	if !ok || value == "" {
		return keepParam
	}
	switch len(name) {
	case 3, 9, 10:
		switch {
		case strings.EqualFold(name, "jsessionid"), strings.EqualFold(name, "phpsessid"):
			return sessionParam
		case strings.EqualFold(name, "sid"), strings.EqualFold(name, "sessionid"), strings.EqualFold(name, "session_id"):
			if looksLikeSessionToken(value) {
				return sessionParam
			}
		}
	case 4:
		if strings.EqualFold(name, "cfid") && isCFValue(value) {
			return cfidParam
		}
	case 7:
		if strings.EqualFold(name, "cftoken") && isCFValue(value) {
			return cftokenParam
		}
	case 20:
		if strings.EqualFold(name[:12], "aspsessionid") && isLetters(name[12:]) {
			return sessionParam
		}
	}
	return keepParam
}

// looksLikeSessionToken reports whether v starts with at least
// minSessionToken ASCII letters and digits, among them a letter and a
// digit: the shape of a random token, not of a number or a word.
func looksLikeSessionToken(v string) bool {
	var letter, digit bool
	n := 0
	for ; n < len(v); n++ {
		c := v[n]
		switch {
		case '0' <= c && c <= '9':
			digit = true
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			letter = true
		default:
			return n >= minSessionToken && letter && digit
		}
	}
	return n >= minSessionToken && letter && digit
}

// isCFValue reports whether v is a plausible CFID or CFTOKEN value:
// letters, digits and "-".
func isCFValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-') {
			return false
		}
	}
	return v != ""
}

// isLetters reports whether s is made of ASCII letters only.
func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
