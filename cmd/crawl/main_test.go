package main

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain runs the command itself when CRAWL_TEST_RUN_MAIN is set, so that
// tests can start it as a real process and send it signals.
func TestMain(m *testing.M) {
	if os.Getenv("CRAWL_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	goleak.VerifyTestMain(m)
}
