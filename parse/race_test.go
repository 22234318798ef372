//go:build race

package parse

// raceEnabled is set when the tests run with -race, where the
// differential tests over whole document collections are skipped: they
// check what the scanner reads, which has no concurrency, and take
// minutes under the race detector.
const raceEnabled = true
