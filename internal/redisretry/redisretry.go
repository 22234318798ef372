// Package redisretry tells the errors of a Redis client that a retry may
// get past, for the crawl's shared state (redisfrontier, redisrate).
package redisretry

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Transient reports whether err, an error of the Redis client, may go
// away on its own: the server could not be reached or the connection was
// lost (a restart, a brief network outage), or it is loading its data or
// failing over. A context's error is not transient: its caller gave up.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, redis.ErrPoolTimeout) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var re redis.Error
	if errors.As(err, &re) {
		for _, p := range []string{"LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN", "READONLY"} {
			if strings.HasPrefix(re.Error(), p) {
				return true
			}
		}
	}
	return false
}
