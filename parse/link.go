package parse

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/crawl-go/crawl/urlnorm"
)

// Kind tells how a crawler should treat a link.
type Kind uint8

const (
	// Page is a navigational link (a, area, link rel=canonical, meta
	// refresh...): it is followed only within the depth limit.
	Page Kind = iota
	// Requisite is something needed to display the page: images,
	// stylesheets, scripts, frames, media, and the url()s of stylesheets.
	Requisite
)

// String returns "page" or "requisite".
func (k Kind) String() string {
	switch k {
	case Page:
		return "page"
	case Requisite:
		return "requisite"
	default:
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
}

// Link is one link found in a document.
type Link struct {
	// URL is absolute, http or https, and normalized by urlnorm (so without
	// a fragment). URL.String() is the crawl's dedup key.
	URL *url.URL
	// Kind is Requisite if the document used the URL as a requisite at
	// least once, else Page.
	Kind Kind
	// NoFollow is set when every <a> or <area> that linked to the URL had
	// rel=nofollow and no other tag used it. It is only ever set when
	// Options.RespectNoFollow is false.
	NoFollow bool
	// Source is where the link was found: for a link reported by HTML,
	// CSS, JS or Headers, where its first occurrence was; for the
	// occurrence handed to Options.OnLink, that occurrence's.
	Source Source
}

// Mode is what HTML, CSS, JS and Headers report.
type Mode uint8

const (
	// ModePage reports the links a mirror and a polite crawl need: the
	// page's links and requisites as browsers load them (see [HTML]). It is
	// the zero value.
	ModePage Mode = iota
	// ModeAll reports every URL a browser could request or a scanner
	// would test: ModePage's links and the rest of the link table, URLs in
	// scripts, text, comments, conditional comments, srcdoc and data: URLs
	// (see [HTML] and [JS]).
	ModeAll
)

// String returns "page" or "all", as ParseMode reads them.
func (m Mode) String() string {
	switch m {
	case ModePage:
		return "page"
	case ModeAll:
		return "all"
	default:
		return "Mode(" + strconv.Itoa(int(m)) + ")"
	}
}

// ErrMode is the error of ParseMode for a name that is not a Mode.
var ErrMode = errors.New("unknown discovery mode")

// ParseMode returns the Mode named s ("page" or "all", in any case). Its
// error wraps ErrMode.
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(s) {
	case "page":
		return ModePage, nil
	case "all":
		return ModeAll, nil
	}
	return ModePage, fmt.Errorf("%w %q (want page or all)", ErrMode, s)
}

// Options tunes link finding. The zero value reports every link.
type Options struct {
	// RespectNoFollow drops links of <a> and <area> tags with rel=nofollow
	// instead of reporting them with NoFollow set.
	RespectNoFollow bool
	// Normalizer normalizes the links found; its zero value removes
	// session ids (urlnorm.Normalizer).
	Normalizer urlnorm.Normalizer
	// Mode is what to report; its zero value is ModePage.
	Mode Mode
	// OnLink, when set, is called for every occurrence of a link, in
	// document order and before the occurrences of a URL are merged into
	// one Link: duplicates included, each with its own Kind, NoFollow and
	// Source. It sees exactly the occurrences whose URLs the function
	// reports (not the self-links, not those after MaxLinks, not the
	// rel=nofollow ones that RespectNoFollow drops). The Link's URL may be
	// shared with the reported link and with other calls: it must not be
	// modified. OnLink is called on the caller's goroutine, before the
	// function returns.
	OnLink func(Link)
}

// MaxLinks is the most links one call of HTML or CSS reports. The rest of a
// document is not scanned once it is reached, so that a hostile page cannot
// grow memory without bound.
const MaxLinks = 100_000
