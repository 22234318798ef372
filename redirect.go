package crawl

import (
	"context"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/urlnorm"
)

// fetchState is what followRedirect knows and records of one fetch: the
// frontier item being fetched and the redirect targets it claimed. It is
// used by one fetch at a time: the fetcher follows redirects in order.
type fetchState struct {
	item    frontier.Item
	claimed []string
}

// fetchStateKey keys a fetch's *fetchState in its request's context, for
// followRedirect.
type fetchStateKey struct{}

func withFetchState(ctx context.Context, fs *fetchState) context.Context {
	return context.WithValue(ctx, fetchStateKey{}, fs)
}

// followRedirect decides whether the fetcher follows a redirect. The target
// of a seed's redirect joins the scope (the site moved: http to https,
// example.com to www.example.com); any other URL's redirect out of scope
// is recorded and not followed, as its link would not have been. The
// target is claimed in the frontier, so that a body is fetched once: it is
// not followed when the target was seen already (queued, fetched, or
// claimed by another redirect). The claims are kept with the fetch, so
// that a fetch abandoned on an interrupt gives them back.
func (c *Crawler) followRedirect(ctx context.Context, target string) error {
	u, err := urlnorm.Parse(target)
	if err != nil {
		return err
	}
	fs, _ := ctx.Value(fetchStateKey{}).(*fetchState)
	if fs != nil {
		if u.String() == fs.item.URL {
			// The item's own URL once normalized: a redirect that adds a
			// session id (/a to /a;jsessionid=...). Its body is the item's.
			return nil
		}
		if fs.item.Depth == 0 {
			c.scope.AddSeed(u)
		} else if r := c.scope.Allows(u); r != scope.Follow {
			c.stats.skip("redirect_"+r.String(), 1)
			return fetch.ErrSkipRedirect
		}
	}
	isNew, err := c.frontier.Claim(ctx, u.String())
	if err != nil {
		return err
	}
	if !isNew {
		return fetch.ErrSkipRedirect
	}
	if fs != nil {
		fs.claimed = append(fs.claimed, u.String())
	}
	return nil
}
