package disk

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crawl-go/crawl/frontier"
)

// killChildEnv names the directory the child of TestKill9 crawls in.
const killChildEnv = "CRAWL_DISK_TEST_KILL_CHILD"

// TestKill9 runs a crawl in a child process, kills it with SIGKILL at a
// random moment, and checks what the database holds against the log of
// operations the child wrote before making each of them: the operations
// committed must be a prefix of the log, at least up to the last Flush;
// the queue must hold each URL added and not done in that prefix, once.
func TestKill9(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for round := range 4 {
		t.Run(strconv.Itoa(round), func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// The child prints a line after each Flush. Kill it after a
			// random number of them, and a random moment more.
			flushes := 1 + rng.IntN(10)
			lines := bufio.NewScanner(stdout)
			for i := 0; i < flushes && lines.Scan(); i++ {
			}
			time.Sleep(time.Duration(rng.IntN(20_000)) * time.Microsecond)
			cmd.Process.Kill()
			err = cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child ended with %v before it was killed:\n%s", err, stderr.Bytes())
			}
			checkCrash(t, dir)
		})
	}
}

// logOp is an operation of the child, as logged before it was made.
type logOp struct {
	kind  byte // 'A'dd, 'C'laim, 'D'one
	url   string
	depth int
}

func checkCrash(t *testing.T, dir string) {
	data, err := os.ReadFile(filepath.Join(dir, "ops.log"))
	if err != nil {
		t.Fatal(err)
	}
	data = data[:bytes.LastIndexByte(data, '\n')+1] // a line cut by the kill
	var ops []logOp
	flushed := 0 // operations logged before the last Flush returned
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var op logOp
		switch line[0] {
		case 'F':
			flushed = len(ops)
			continue
		case 'A':
			fmt.Sscanf(line, "A %d %s", &op.depth, &op.url)
		default:
			op.url = line[2:]
		}
		op.kind = line[0]
		ops = append(ops, op)
	}

	got := dump(t, filepath.Join(dir, "state.db"))
	inQueue := map[string]bool{}
	for _, it := range got.queue {
		inQueue[it.URL] = true
	}
	// An Add or a Claim is committed if its URL is seen; a Done, if its
	// URL is seen and not queued.
	committed := len(ops)
	for i, op := range ops {
		in := got.seen[keyOf(op.url)] && (op.kind != 'D' || !inQueue[op.url])
		if in && committed < i {
			t.Fatalf("operation %d %c %s is in the database, and operation %d is not: not a prefix", i, op.kind, op.url, committed)
		}
		if !in && committed == len(ops) {
			committed = i
		}
	}
	t.Logf("%d operations logged, %d committed, %d before the last Flush", len(ops), committed, flushed)
	if committed < flushed {
		t.Fatalf("%d operations committed; want at least the %d before the last Flush", committed, flushed)
	}

	// The queue holds what was added and not done, once.
	queued := map[string]int{}
	seen, done := 0, 0
	for _, op := range ops[:committed] {
		switch op.kind {
		case 'A':
			queued[op.url] = op.depth
			seen++
		case 'C':
			seen++
		case 'D':
			delete(queued, op.url)
			done++
		}
	}
	if len(got.seen) != seen {
		t.Errorf("seen set has %d URLs; want %d", len(got.seen), seen)
	}
	if got.done != uint64(done) {
		t.Errorf("%d items counted done; want %d", got.done, done)
	}
	counts := map[string]int{}
	for _, it := range got.queue {
		if counts[it.URL]++; counts[it.URL] == 2 {
			t.Errorf("%s queued twice", it.URL)
		}
		if d, ok := queued[it.URL]; !ok || d != it.Depth {
			t.Errorf("%s queued at depth %d; want %v at depth %d", it.URL, it.Depth, ok, d)
		}
	}
	if len(got.queue) != len(queued) {
		t.Errorf("%d items queued; want %d", len(got.queue), len(queued))
	}

	// Reopened, the frontier hands out exactly that queue.
	f := openT(t, Options{Path: filepath.Join(dir, "state.db"), CacheItems: 64})
	if q, l, d, err := f.Stats(); q != len(queued) || l != 0 || d != done || err != nil {
		t.Fatalf("Stats = %d queued, %d leased, %d done, %v; want %d, 0, %d, nil", q, l, d, err, len(queued), done)
	}
	handed := drain(t, f)
	var wantURLs []string
	for u := range queued {
		wantURLs = append(wantURLs, u)
	}
	slices.Sort(handed)
	slices.Sort(wantURLs)
	if !slices.Equal(handed, wantURLs) {
		t.Fatalf("reopened frontier handed out %d items; want the %d queued", len(handed), len(wantURLs))
	}
}

// runKillChild is the child of TestKill9. It crawls a graph too large to
// finish until it is killed, logging each operation before making it, and
// prints a line after each Flush.
func runKillChild(dir string) int {
	if err := killChild(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func killChild(dir string) error {
	ctx := context.Background()
	// A tiny log, chunks and merge steps: the kill lands in commits that
	// sort the log into a run or merge runs.
	f, err := Open(Options{Path: filepath.Join(dir, "state.db"), BatchDelay: time.Millisecond, CacheItems: 64, ExpectedURLs: 1024,
		logMax: 200, chunkKeys: 7, mergeKeys: 50})
	if err != nil {
		return err
	}
	log, err := os.OpenFile(filepath.Join(dir, "ops.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	// The graph of TestContract's crawl, larger: node i is on host i%7
	// and links to four others.
	const nodes = 1 << 20
	node := func(i, depth int) frontier.Item {
		h := fmt.Sprintf("h%d", i%7)
		return frontier.Item{URL: fmt.Sprintf("http://%s/%d", h, i), Host: h, Depth: depth}
	}
	seen := map[int]bool{}
	var buf []byte
	add := func(depth int, links ...int) error {
		buf = buf[:0]
		var items []frontier.Item
		for _, i := range links {
			if seen[i] {
				continue
			}
			seen[i] = true
			it := node(i, depth)
			items = append(items, it)
			buf = fmt.Appendf(buf, "A %d %s\n", depth, it.URL)
		}
		if _, err := log.Write(buf); err != nil {
			return err
		}
		if n, err := f.Add(ctx, items...); n != len(items) || err != nil {
			return fmt.Errorf("Add = %d, %v; want %d", n, err, len(items))
		}
		return nil
	}
	if err := add(0, 0); err != nil {
		return err
	}
	for step := 1; ; step++ {
		it, err := f.Next(ctx)
		if err != nil {
			return err
		}
		var i int
		fmt.Sscanf(it.URL[len("http://h0/"):], "%d", &i)
		if err := add(it.Depth+1, (i*7+1)%nodes, (i*13+5)%nodes, (i+1)%nodes, (i*3+2)%nodes); err != nil {
			return err
		}
		if step%5 == 0 {
			// A redirect target.
			u := fmt.Sprintf("http://r/%d", step)
			fmt.Fprintf(log, "C %s\n", u)
			if ok, err := f.Claim(ctx, u); !ok || err != nil {
				return fmt.Errorf("Claim = %v, %v", ok, err)
			}
		}
		fmt.Fprintf(log, "D %s\n", it.URL)
		if err := f.Done(ctx, it); err != nil {
			return err
		}
		if step%100 == 0 {
			if err := f.Flush(ctx); err != nil {
				return err
			}
			fmt.Fprintln(log, "F")
			fmt.Println("F")
		}
	}
}
