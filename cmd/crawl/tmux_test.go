package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// progressRow matches a row of the screen that shows the progress line.
var progressRow = regexp.MustCompile(`^\d+(s|m\d\ds)\s+\d`)

// TestLiveProgressInTmux runs crawl in a terminal of tmux, 40 and 80
// columns wide, against a server that holds the requests after the 20th,
// and reads the screen: one row shows the progress (a line that wrapped
// would take two, a stale one would stay above), at most as wide as the
// terminal less one column. Once the crawl ends the row is gone and the
// summary is printed.
func TestLiveProgressInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (apt-get install tmux)")
	}
	for _, width := range []int{40, 80} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			release := make(chan struct{})
			var once sync.Once
			free := func() { once.Do(func() { close(release) }) }
			srv, _ := newTreeSite(t, 60, 3, func(total int) {
				if total > 20 {
					<-release
				}
			})
			t.Cleanup(free)
			out := t.TempDir()
			socket := fmt.Sprintf("crawl-test-%d-%d", os.Getpid(), width)
			tmux := func(args ...string) string {
				t.Helper()
				b, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
				if err != nil {
					t.Fatalf("tmux %v: %v: %s", args, err, b)
				}
				return string(b)
			}
			command := fmt.Sprintf("%s -o %s --depth 100 --robots=false %s/p/0; sleep 60", os.Args[0], out, srv.URL)
			tmux("new-session", "-d", "-x", fmt.Sprint(width), "-y", "10", "-e", "CRAWL_TEST_RUN_MAIN=1", "-e", "TERM=xterm", command)
			defer exec.Command("tmux", "-L", socket, "kill-server").Run()
			screen := func() []string {
				var rows []string
				for _, r := range strings.Split(tmux("capture-pane", "-p"), "\n") {
					if r = strings.TrimRight(r, " "); r != "" {
						rows = append(rows, r)
					}
				}
				return rows
			}
			var rows []string
			waitFor(t, "the progress line with 20 fetched", func() bool {
				rows = screen()
				return len(rows) > 0 && strings.Contains(rows[0], " 20 ")
			})
			t.Logf("the screen, %d columns, during the crawl:\n%s", width, strings.Join(rows, "\n"))
			if len(rows) != 1 || !progressRow.MatchString(rows[0]) || len(rows[0]) >= width {
				t.Errorf("want one progress row narrower than %d columns; the screen:\n%s", width, strings.Join(rows, "\n"))
			}
			free()
			waitFor(t, "the summary", func() bool {
				rows = screen()
				return len(rows) > 0 && strings.HasPrefix(rows[0], "crawl: 60 fetched")
			})
			t.Logf("the screen after the crawl:\n%s", strings.Join(rows, "\n"))
			for _, r := range rows {
				if progressRow.MatchString(r) {
					t.Errorf("a progress row is left: %q", r)
				}
			}
		})
	}
}
