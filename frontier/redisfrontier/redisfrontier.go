package redisfrontier

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/crawl-go/crawl/frontier"
)

// DefaultLease is the lease used when Options.Lease is zero.
const DefaultLease = 60 * time.Second

// DefaultPoll is the poll interval used when Options.Poll is zero.
const DefaultPoll = 50 * time.Millisecond

// ErrNotLeased is returned by Done for an item that this Frontier did not
// hand out, or whose lease it already ended.
var ErrNotLeased = errors.New("redisfrontier: done without a lease")

// Options configures Open.
type Options struct {
	// URL locates the Redis server, as redis://[[user]:password@]host[:port][/db]
	// (rediss:// for TLS); the options go-redis's ParseURL accepts are
	// accepted too.
	URL string
	// CrawlID names the crawl. Every process that opens the same CrawlID on
	// the same server shares one crawl. It must not be empty nor contain
	// '{' or '}', which would break the keys' hash tag.
	CrawlID string
	// Lease is how long an item handed out by Next stays leased without a
	// call of Done before any process may hand it out again. It should be
	// well above the longest fetch; zero means DefaultLease.
	Lease time.Duration
	// RetryFor is how long a call whose server cannot be reached (or
	// answers that it is loading, or failing over) is
	// retried, with a backoff, before it fails: a brief outage of Redis
	// (a restart) does not stop the crawl. It is capped at half the
	// lease, and Done and Release also stop retrying when the lease
	// they end runs out (the item is then another process's to fetch).
	// Zero means DefaultRetryFor; a negative value, no retry.
	RetryFor time.Duration
	// Poll is how often a Next that has to wait for items leased by other
	// processes asks the server again; zero means DefaultPoll. Items added
	// and leases ended through the same Frontier wake it at once.
	Poll time.Duration
}

// Frontier is a frontier.Frontier kept in Redis and shared by every process
// that opens the same crawl. It is safe for concurrent use. The zero value
// is not usable; call Open.
type Frontier struct {
	client redis.UniversalClient
	prefix string   // "crawl:{NAME}:"
	name   string   // NAME on HOST:PORT/DB, for messages
	keys   []string // KEYS of every script: routes it to the crawl's slot
	lease  time.Duration
	poll   time.Duration
	// retryFor is Options.RetryFor, within half the lease.
	retryFor time.Duration
	owner    string        // random, identifies this Frontier's leases
	seq      atomic.Uint64 // numbers this Frontier's leases
	done     chan struct{} // closed by Close

	mu     sync.Mutex
	closed bool
	// held maps each URL this Frontier leased to its leases, oldest
	// first (a URL whose lease ran out can be leased again, even by this
	// Frontier, before the first holder calls Done).
	held map[string][]heldLease
	// wake is closed and replaced whenever a waiting Next may proceed
	// because of something done through this Frontier.
	wake chan struct{}
}

var _ frontier.Shared = (*Frontier)(nil)

// Open connects to the Redis server at opts.URL and returns the frontier of
// the crawl opts.CrawlID, creating it empty if no process has used it yet.
// The caller must call Close.
func Open(ctx context.Context, opts Options) (*Frontier, error) {
	if opts.CrawlID == "" || strings.ContainsAny(opts.CrawlID, "{}") {
		return nil, fmt.Errorf("redisfrontier: invalid crawl id %q", opts.CrawlID)
	}
	if opts.Lease < 0 || opts.Poll < 0 {
		return nil, fmt.Errorf("redisfrontier: negative lease (%v) or poll (%v)", opts.Lease, opts.Poll)
	}
	if opts.Lease > 0 && opts.Lease < time.Millisecond {
		return nil, fmt.Errorf("redisfrontier: lease %v is under a millisecond", opts.Lease)
	}
	ropts, err := redis.ParseURL(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("redisfrontier: parsing url: %w", err)
	}
	var id [8]byte
	rand.Read(id[:])
	prefix := "crawl:{" + opts.CrawlID + "}:"
	f := &Frontier{
		client: redis.NewClient(ropts),
		prefix: prefix,
		name:   fmt.Sprintf("%s on %s/%d", opts.CrawlID, ropts.Addr, ropts.DB),
		keys:   []string{prefix + "seen"},
		lease:  orDefault(opts.Lease, DefaultLease),
		poll:   orDefault(opts.Poll, DefaultPoll),
		owner:  hex.EncodeToString(id[:]),
		done:   make(chan struct{}),
		held:   make(map[string][]heldLease),
		wake:   make(chan struct{}),
	}
	switch {
	case opts.RetryFor < 0:
		f.retryFor = 0
	case opts.RetryFor == 0:
		f.retryFor = DefaultRetryFor
	default:
		f.retryFor = opts.RetryFor
	}
	f.retryFor = min(f.retryFor, f.lease/2)
	if err := f.client.Ping(ctx).Err(); err != nil {
		f.client.Close()
		return nil, fmt.Errorf("redisfrontier: connecting to %s: %w", ropts.Addr, err)
	}
	return f, nil
}

// Client returns the frontier's Redis client, for other state of the same
// crawl (its shared rate limits). It is closed by Close.
func (f *Frontier) Client() redis.UniversalClient { return f.client }

// KeyPrefix returns the prefix of the crawl's keys, "crawl:{ID}:": other
// state of the crawl under it stays in the crawl's cluster slot.
func (f *Frontier) KeyPrefix() string { return f.prefix }

// orDefault returns v, or def if v is zero.
func orDefault(v, def time.Duration) time.Duration {
	if v == 0 {
		return def
	}
	return v
}

// Close releases the frontier's connections. Items this Frontier leased and
// did not mark done are queued again at once (best effort: one that cannot
// be is handed out again when its lease runs out), so that a crawl stopped
// early loses no time when it resumes. Waiting Next calls return
// frontier.ErrClosed, and so does every later call. The crawl's state stays
// in Redis; see Delete.
func (f *Frontier) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	close(f.done)
	held := f.held
	f.held = nil
	f.broadcast()
	f.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for url, leases := range held {
		for _, l := range leases {
			if err := releaseScript.Run(ctx, f.client, f.keys, f.prefix, url, l.token).Err(); err != nil {
				errs = append(errs, fmt.Errorf("redisfrontier: releasing lease of %s: %w", url, err))
			}
		}
	}
	if err := f.client.Close(); err != nil {
		errs = append(errs, fmt.Errorf("redisfrontier: closing client: %w", err))
	}
	return errors.Join(errs...)
}

// broadcast wakes the waiting Next calls. f.mu must be held.
func (f *Frontier) broadcast() {
	close(f.wake)
	f.wake = make(chan struct{})
}

// check returns the channel a waiting Next should watch, or
// frontier.ErrClosed.
func (f *Frontier) check() (<-chan struct{}, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, frontier.ErrClosed
	}
	return f.wake, nil
}

// fail wraps err, an error of the Redis client while doing what, so that
// errors.Is finds frontier.ErrClosed after Close, and ctx's error after the
// context ended.
func (f *Frontier) fail(what string, err error) error {
	select {
	case <-f.done:
		return frontier.ErrClosed
	default:
	}
	return fmt.Errorf("redisfrontier: %s: %w", what, err)
}

// encode returns the form in which an item is stored: its URL, host,
// depth, parent and requisite flag ("1" or "0"), each as its length in
// bytes, a colon and its bytes. Unlike JSON, it keeps any byte string
// intact, so the URL the scripts read is the one Done is called with.
func encode(it frontier.Item) string {
	req := "0"
	if it.Requisite {
		req = "1"
	}
	var b strings.Builder
	for _, s := range [...]string{it.URL, it.Host, strconv.Itoa(max(it.Depth, 0)), it.Parent, req} {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	return b.String()
}

// decode parses the output of encode.
func decode(s string) (frontier.Item, error) {
	var f [5]string
	rest := s
	for i := range f {
		n, after, ok := strings.Cut(rest, ":")
		k, err := strconv.Atoi(n)
		if !ok || err != nil || k < 0 || k > len(after) {
			return frontier.Item{}, fmt.Errorf("redisfrontier: decoding item %q: malformed field %d", s, i)
		}
		f[i], rest = after[:k], after[k:]
	}
	depth, err := strconv.Atoi(f[2])
	if err != nil || rest != "" {
		return frontier.Item{}, fmt.Errorf("redisfrontier: decoding item %q: malformed", s)
	}
	return frontier.Item{URL: f[0], Host: f[1], Depth: depth, Parent: f[3], Requisite: f[4] == "1"}, nil
}

// heldLease is a lease this Frontier holds.
type heldLease struct {
	token string
	// until is when the lease runs out, by this machine's clock: at the
	// latest lease after the Next that took it started, so never later
	// than the server's deadline.
	until time.Time
}

// token returns a new lease token, unique over every Frontier.
func (f *Frontier) token() string {
	return f.owner + ":" + strconv.FormatUint(f.seq.Add(1), 10)
}
