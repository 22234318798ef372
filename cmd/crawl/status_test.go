package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crawl-go/crawl/internal/testredis"
)

// waitFor polls cond every 20ms until it holds, for at most a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func crawlStatus(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"status"}, args...), nil, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestStatusOfRunningCrawl runs a crawl as a process against a server
// that holds every request after the 20th, asks crawl status while the
// crawl is stuck there, then lets it finish, and asks again; then kills a
// crawl and asks once more.
func TestStatusOfRunningCrawl(t *testing.T) {
	const pages, held = 120, 20
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	defer free()
	srv, _ := newTreeSite(t, pages, 4, func(total int) {
		if total > held {
			<-release
		}
	})
	t.Cleanup(free) // before the server closes: Cleanups run last first
	out := t.TempDir()
	host := strings.TrimPrefix(srv.URL, "http://")
	cmd, stderr, exited := startCrawl(t, "-o", out, "--depth", "100", "--robots=false", "--workers", "4", srv.URL+"/p/0")
	defer func() {
		cmd.Process.Kill()
		<-exited
	}()

	// Stuck: 20 fetched, the next ones in flight.
	waitFor(t, "status.json with the held requests in flight", func() bool {
		st, _ := readStatus(statusPath(out))
		return st != nil && st.Running && st.Fetched == held && st.InFlight > 0
	})
	code, got, errOut := crawlStatus(t, out)
	if code != exitOK {
		t.Fatalf("crawl status exited %d: %s", code, errOut)
	}
	t.Logf("crawl status during the crawl:\n%s", got)
	for _, want := range []string{
		"crawl in " + out + ": running (pid " + strconv.Itoa(cmd.Process.Pid) + "), started ",
		"from " + srv.URL + "/p/0, depth 100, scope host",
		"  20 fetched, 0 failed, ", " in flight, ", "last activity: ",
		"  host ", "  " + host + "  ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("crawl status during the crawl lacks %q:\n%s", want, got)
		}
	}

	// The running crawl counts its queue by host (Crawler.QueuedByHost).
	if strings.Contains(got, "shown once the crawl stops") || !regexp.MustCompile(regexp.QuoteMeta(host)+` +[0-9]+ +20 +0`).MatchString(got) {
		t.Errorf("crawl status during the crawl does not count the queue by host:\n%s", got)
	}

	free()
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Fatalf("crawl: %v\n%s", err, stderr.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the crawl did not finish")
	}
	code, got, _ = crawlStatus(t, out)
	t.Logf("crawl status after the crawl:\n%s", got)
	for _, want := range []string{
		// 121: the pages and the host's /sitemap.xml (missing).
		"crawl in " + out + ": finished on ", "with 121 URLs", "120 fetched, 0 failed, 1 not fetched", ", 0 queued",
		"  " + host + "       0      120       0",
	} {
		if code != exitOK || !strings.Contains(got, want) {
			t.Errorf("crawl status after the crawl (exit %d) lacks %q:\n%s", code, want, got)
		}
	}
	st, err := readStatus(statusPath(out))
	if err != nil || st == nil || st.Running || st.Outcome != "finished" || st.Fetched != pages {
		t.Errorf("status.json after the crawl: %+v, %v", st, err)
	}
}

// TestStatusOfKilledCrawl kills a crawl while its requests are held: crawl
// status says the process is gone, and reads the queue from the state.
func TestStatusOfKilledCrawl(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	srv, _ := newTreeSite(t, 100, 4, func(total int) {
		if total > 10 {
			<-release
		}
	})
	t.Cleanup(free)
	out := t.TempDir()
	cmd := exec.Command(os.Args[0], "-o", out, "-q", "--depth", "100", "--robots=false", "--workers", "2", srv.URL+"/p/0")
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "status.json with requests in flight", func() bool {
		st, _ := readStatus(statusPath(out))
		return st != nil && st.Running && st.InFlight > 0
	})
	cmd.Process.Kill()
	cmd.Wait()
	free()
	code, got, _ := crawlStatus(t, out)
	t.Logf("crawl status after a kill:\n%s", got)
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, want := range []string{
		"stopped without finishing (process " + strconv.Itoa(cmd.Process.Pid) + " is gone: killed?)",
		"URLs left: run the same command again to resume", "  " + host + "  ",
	} {
		if code != exitOK || !strings.Contains(got, want) {
			t.Errorf("crawl status (exit %d) lacks %q:\n%s", code, want, got)
		}
	}
	if strings.Contains(got, "  -  ") {
		t.Errorf("the queue per host is not shown:\n%s", got)
	}
	// --state names the same crawl.
	code, byState, _ := crawlStatus(t, "--state", filepath.Join(out, ".crawl", "state.db"))
	if code != exitOK || byState != got {
		t.Errorf("crawl status --state (exit %d):\n%s\nwant\n%s", code, byState, got)
	}
}

// TestStatusOfRunKilledAtOnce runs a crawl to its end, then the same
// crawl with one more URL, killed as soon as it asks for it: crawl status
// must describe the killed run, not the finished one before it, however
// soon after its start the kill came.
func TestStatusOfRunKilledAtOnce(t *testing.T) {
	asked := make(chan struct{}, 1)
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/held" {
			select {
			case asked <- struct{}{}:
			default:
			}
			<-release
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	out := t.TempDir()
	if code, stderr := runProcess(t, "-q", "--robots=false", "-o", out, srv.URL+"/a"); code != exitOK {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	cmd := exec.Command(os.Args[0], "-q", "--robots=false", "-o", out, srv.URL+"/a", srv.URL+"/held")
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-asked:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the second run did not ask for its URL")
	}
	cmd.Process.Kill()
	cmd.Wait()
	free()
	code, got, _ := crawlStatus(t, out)
	want := "stopped without finishing (process " + strconv.Itoa(cmd.Process.Pid) + " is gone: killed?)"
	if code != exitOK || !strings.Contains(got, want) {
		t.Errorf("crawl status (exit %d) lacks %q:\n%s", code, want, got)
	}
}

func TestStatusErrors(t *testing.T) {
	empty := t.TempDir()
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{empty}, exitFailures, "crawl status: no crawl in " + empty},
		{[]string{filepath.Join(empty, "nothing")}, exitFailures, "is not a directory"},
		{[]string{"--state", "redis://127.0.0.1:1/0"}, exitUsage, "--state redis://... needs --crawl-id NAME"},
		{[]string{"--crawl-id", "x"}, exitUsage, "--crawl-id goes with --state redis://"},
		{[]string{"a", "b"}, exitUsage, "give one directory"},
	} {
		code, _, stderr := crawlStatus(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.msg) {
			t.Errorf("crawl status %q: exit %d, %q; want %d and %q", tt.args, code, stderr, tt.code, tt.msg)
		}
	}
}

// TestStatusShared asks crawl status of a crawl shared through Redis:
// an unknown crawl is an error, a known one shows its queues.
func TestStatusShared(t *testing.T) {
	redis := testredis.URL(t)
	var id [6]byte
	rand.Read(id[:])
	crawlID := "test-status-" + hex.EncodeToString(id[:])
	code, _, stderr := crawlStatus(t, "--state", redis, "--crawl-id", crawlID)
	if code != exitFailures || !strings.Contains(stderr, "no crawl named \""+crawlID+"\"") {
		t.Errorf("unknown crawl: exit %d, %q", code, stderr)
	}
	srv, _ := newTreeSite(t, 30, 3, nil)
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"-o", t.TempDir(), "-q", "--depth", "1", "--robots=false",
		"--state", redis, "--crawl-id", crawlID, srv.URL + "/p/0"}, nil, &bytes.Buffer{}, &errOut); code != exitOK {
		t.Fatalf("crawl: exit %d: %s", code, errOut.String())
	}
	code, got, stderr := crawlStatus(t, "--state", redis, "--crawl-id", crawlID)
	// 5 done: 4 pages and the host's /sitemap.xml.
	if code != exitOK || !strings.Contains(got, "crawl "+crawlID+": 0 queued, 0 in flight, 5 done") {
		t.Errorf("known crawl: exit %d, %q %q", code, got, stderr)
	}
}

// TestStatusWithQueuesByHost reads a status.json of a running crawl that
// knows its queue by host (from Redis, or from the engine when it tells):
// the table shows it.
func TestStatusWithQueuesByHost(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	var counted int
	m := newMonitor(monitorOptions{
		stats: (&fakeCrawl{}).stats, statusPath: statusPath(dir),
		status: statusFile{PID: os.Getpid(), State: "memory", Started: now},
		hosts: func(context.Context) (map[string]int64, error) {
			counted++
			return map[string]int64{"a.test": 7, "b.test:8080": 1234}, nil
		},
	})
	m.tick(context.Background(), now)
	code, got, _ := crawlStatus(t, dir)
	for _, want := range []string{"running (pid ", "  host         queued  fetched  failed", "  a.test            7        0       0", "  b.test:8080   1,234        0       0"} {
		if code != exitOK || counted != 1 || !strings.Contains(got, want) {
			t.Errorf("crawl status (exit %d, %d counts) lacks %q:\n%s", code, counted, want, got)
		}
	}
	if strings.Contains(got, "shown once the crawl stops") {
		t.Errorf("the queues are known:\n%s", got)
	}
}

// TestStatusStateElsewhere: a crawl whose --state is outside its
// directory is shown with its settings and its end, as one with the
// default state is.
func TestStatusStateElsewhere(t *testing.T) {
	srv, _ := newTreeSite(t, 20, 4, nil)
	out := t.TempDir()
	state := filepath.Join(t.TempDir(), "s.db")
	if code, stderr := crawlArgs(t, "-o", out, "-q", "--depth", "3", "--robots=false", "--state", state, srv.URL+"/p/0"); code != exitOK {
		t.Fatalf("crawl: exit %d\n%s", code, stderr)
	}
	code, got, _ := crawlStatus(t, out)
	for _, want := range []string{"finished on", "from " + srv.URL + "/p/0, depth 3"} {
		if code != exitOK || !strings.Contains(got, want) {
			t.Errorf("crawl status (exit %d) lacks %q:\n%s", code, want, got)
		}
	}
}
