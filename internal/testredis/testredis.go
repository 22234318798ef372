// Package testredis finds the Redis server that tests use for real: the
// one CRAWL_TEST_REDIS names (.ci/run starts one on a free loopback port).
package testredis

import (
	"os"
	"testing"
)

// URL returns the URL of the test Redis server, from CRAWL_TEST_REDIS.
// Without it the test is skipped with a message saying how to provide
// one, or fails when CI is set: CI must provide a server.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("CRAWL_TEST_REDIS")
	if u != "" {
		return u
	}
	const msg = "CRAWL_TEST_REDIS is not set: set it to a disposable Redis server, e.g. " +
		"redis-server --port 6399 --save '' --appendonly no --daemonize yes; " +
		"CRAWL_TEST_REDIS=redis://127.0.0.1:6399/0 (.ci/run does this)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
