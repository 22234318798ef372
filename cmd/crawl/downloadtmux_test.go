package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDownloadProgressInTmux downloads a large file at --limit-rate 4M in
// a terminal of tmux, 80 and 40 columns wide, and reads the screen: two
// rows, the crawl's progress and the download's (its name, bytes,
// percentage and time left), each narrower than the terminal.
func TestDownloadProgressInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (apt-get install tmux)")
	}
	body := bigBody(64 << 20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	defer srv.Close()
	for _, width := range []int{80, 40} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			out := t.TempDir()
			socket := fmt.Sprintf("crawl-dl-test-%d-%d", os.Getpid(), width)
			tmux := func(args ...string) string {
				t.Helper()
				b, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
				if err != nil {
					t.Fatalf("tmux %v: %v: %s", args, err, b)
				}
				return string(b)
			}
			command := fmt.Sprintf("%s -o %s --robots=false --limit-rate 4M %s/ubuntu-24.04.1-desktop-amd64.iso; sleep 60", os.Args[0], out, srv.URL)
			tmux("new-session", "-d", "-x", fmt.Sprint(width), "-y", "10", "-e", "CRAWL_TEST_RUN_MAIN=1", "-e", "TERM=xterm", command)
			defer exec.Command("tmux", "-L", socket, "kill-server").Run()
			var rows []string
			waitFor(t, "the download's row with its time left", func() bool {
				rows = nil
				for _, r := range strings.Split(tmux("capture-pane", "-p"), "\n") {
					if r = strings.TrimRight(r, " "); r != "" {
						rows = append(rows, r)
					}
				}
				return len(rows) == 2 && strings.Contains(rows[1], "%") && strings.Contains(rows[1], "ETA")
			})
			t.Logf("the screen, %d columns, during the download:\n%s", width, strings.Join(rows, "\n"))
			if !progressRow.MatchString(rows[0]) || !strings.HasPrefix(rows[1], "  ubuntu") {
				t.Errorf("want the crawl's row, then the download's; the screen:\n%s", strings.Join(rows, "\n"))
			}
			for _, r := range rows {
				if utf8.RuneCountInString(r) >= width {
					t.Errorf("row %q is %d columns wide", r, utf8.RuneCountInString(r))
				}
			}
		})
	}
}
