package disk

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// TestKill9 runs the test binary again as the process it kills.
	if dir := os.Getenv(killChildEnv); dir != "" {
		os.Exit(runKillChild(dir))
	}
	goleak.VerifyTestMain(m)
}
