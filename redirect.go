package crawl

import (
	"context"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/frontier"
	"github.com/crawl-go/crawl/scope"
	"github.com/crawl-go/crawl/urlnorm"
)

// itemKey keys the frontier item being fetched in a request's context, for
// followRedirect.
type itemKey struct{}

// followRedirect decides whether the fetcher follows a redirect. The target
// of a seed's redirect joins the scope (the site moved: http to https,
// example.com to www.example.com); any other URL's redirect out of scope
// is recorded and not followed, as its link would not have been. The
// target is claimed in the frontier, so that a body is fetched once: it is
// not followed when the target was seen already (queued, fetched, or
// claimed by another redirect).
func (c *Crawler) followRedirect(ctx context.Context, target string) error {
	u, err := urlnorm.Parse(target)
	if err != nil {
		return err
	}
	if it, ok := ctx.Value(itemKey{}).(*frontier.Item); ok {
		if u.String() == it.URL {
			// The item's own URL once normalized: a redirect that adds a
			// session id (/a to /a;jsessionid=...). Its body is the item's.
			return nil
		}
		if it.Depth == 0 {
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
	return nil
}
