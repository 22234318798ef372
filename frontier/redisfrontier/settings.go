package redisfrontier

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Name implements frontier.Shared: the crawl id and the server and
// database that keep the crawl, without credentials.
func (f *Frontier) Name() string { return f.name }

// Settings implements frontier.Shared: the value of the crawl's settings
// key, nil when it has none.
func (f *Frontier) Settings(ctx context.Context) ([]byte, error) {
	if _, err := f.check(); err != nil {
		return nil, err
	}
	b, err := f.client.Get(ctx, f.prefix+"settings").Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, f.fail("reading the crawl's settings", err)
	}
	return b, nil
}

// KeepSettings implements frontier.Shared: it sets the crawl's settings
// key to data unless it exists, in one step (a script, not SET NX GET,
// which needs Redis 7), and returns the key's value.
func (f *Frontier) KeepSettings(ctx context.Context, data []byte) ([]byte, bool, error) {
	if _, err := f.check(); err != nil {
		return nil, false, err
	}
	res, err := keepSettingsScript.Run(ctx, f.client, f.keys, f.prefix, data).Slice()
	if err != nil {
		return nil, false, f.fail("storing the crawl's settings", err)
	}
	if len(res) != 2 {
		return nil, false, fmt.Errorf("redisfrontier: unexpected settings reply of %d values", len(res))
	}
	stored, _ := res[0].(int64)
	kept, _ := res[1].(string)
	return []byte(kept), stored == 1, nil
}
