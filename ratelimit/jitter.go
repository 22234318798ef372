package ratelimit

import "time"

// This file holds the random scaling of waits (Options.RandomWait).

// jitter scales a wait for a token by a random factor in [0.5, 1.5), as
// wget's --random-wait does; it returns d unchanged when RandomWait is
// off or there is no wait. A request that finds a token free is not made
// to wait: wget's first request does not wait either.
func (l *Limiter) jitter(d time.Duration) time.Duration {
	if l.random == nil || d <= 0 {
		return d
	}
	return time.Duration(float64(d) * (0.5 + l.random()))
}
