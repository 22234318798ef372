package disk

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bits-and-blooms/bloom/v3"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/crawl-go/crawl/frontier"
)

// Defaults for the zero fields of Options.
const (
	DefaultBatchDelay   = 10 * time.Millisecond
	DefaultCacheItems   = 4096
	DefaultExpectedURLs = 1 << 20
)

const (
	// bloomFP is the false positive rate the Bloom filter is sized for:
	// 9.6 bits per URL.
	bloomFP = 0.01
	// batchOps is the size at which a batch is committed without waiting
	// for the rest of BatchDelay.
	batchOps = 1024
	// maxPending bounds the operations buffered while a commit is being
	// written; Add and Claim wait for the disk beyond it. It bounds the
	// size of commits too, and so the memory each takes: with 4,096, a
	// crawl of 1,000,000 URLs, whose commits are then that large, peaked
	// at 64-68 MB instead of 51-52 (BenchmarkCrawlMemory).
	maxPending = batchOps
	// lockTimeout is how long Open waits for another process to release
	// the database.
	lockTimeout = 100 * time.Millisecond
)

// ErrLocked is returned by Open when another Frontier, in this process or
// another, has the database open.
var ErrLocked = errors.New("disk: frontier database in use")

// ErrNotLeased is returned by Done for an item that is not leased: it was
// not handed out by Next, or its lease has ended already.
var ErrNotLeased = errors.New("disk: item not leased")

// Options configures Open. Every field but Path has a default, selected by
// its zero value.
type Options struct {
	// Path is the database file. It is created, with mode 0600, if it does
	// not exist; its directory must.
	Path string
	// BatchDelay is how long buffered operations wait for others to share
	// their commit, counted from the first of them: the window of work a
	// crash can lose. Zero means DefaultBatchDelay; a negative value means
	// no wait, so that each commit takes what arrived while the previous
	// one was written.
	BatchDelay time.Duration
	// CacheItems is the number of queued items of each depth kept in
	// memory; the rest wait on disk. Zero means DefaultCacheItems.
	CacheItems int
	// ExpectedURLs is the number of URLs the Bloom filter in front of the
	// seen set is sized for, at 1.2 bytes each. More URLs than that are
	// still deduplicated exactly, but more of them cost a disk lookup; the
	// filter is resized on Open and whenever the seen set outgrows it.
	// Zero means DefaultExpectedURLs.
	ExpectedURLs uint

	// The sizes of the seen set on disk (seen.go), which tests make
	// small; zero means the defaults.
	logMax, chunkKeys, mergeKeys int
}

// Frontier is a frontier.Frontier kept in a bbolt database, so that a crawl
// can resume after its process ends, however it ends. See the package
// documentation for what survives a crash.
//
// A Frontier is safe for concurrent use. It runs one goroutine, which
// commits buffered operations, until Close; the zero value is not usable:
// call Open.
type Frontier struct {
	db         *bolt.DB
	delay      time.Duration
	cacheItems int
	perHost    int // items of a host a refill takes per round

	// kick is signalled when the pending batch receives its first
	// operation, hurry when it should be committed without waiting for
	// the rest of the delay; quit is closed by Close, and stopped by the
	// committer when it returns.
	kick, hurry   chan struct{}
	quit, stopped chan struct{}

	// disk is used by the committer only (and by Open before it starts).
	disk *onDisk

	mu sync.Mutex
	// log maps each URL marked seen and not yet sorted into a run, its
	// log entry committed or not, to its sequence number in the log.
	log        map[seenKey]uint64
	bloom      *bloom.BloomFilter
	bloomCap   uint     // URLs the Bloom filter is sized for
	seen       uint     // URLs in the seen set, committed or not
	levels     []*level // by depth
	queued     int      // items queued over all levels
	leased     int      // items leased over all levels
	done       int      // items done, over the life of the database
	leases     map[string]*lease
	seq        uint64 // last sequence number used in a queue key
	pending    *batch // operations not yet committed
	committing *batch // the batch being committed, or nil
	committed  uint64 // generation of the last batch committed
	err        error  // the first commit error: the frontier is unusable
	closed     bool
	// wake is closed and replaced whenever waiting calls may proceed: an
	// item was queued, a lease ended, a batch was committed, or the
	// frontier closed.
	wake chan struct{}
}

var _ frontier.Frontier = (*Frontier)(nil)

// lease is an item handed out by Next. It stays in Frontier.leases after
// Done until the batch that deletes it from the queue is committed, so
// that a refill does not load it again meanwhile.
type lease struct {
	key   []byte // queue key
	depth int
	done  bool
}

// Open opens the frontier in opts.Path, creating it if needed. Items that
// were queued or leased when the database was last written are queued;
// the seen set and the count of items done are as they were. Open returns
// an error wrapping ErrLocked if the database is open elsewhere. The
// caller must call Close.
func Open(opts Options) (*Frontier, error) {
	if opts.BatchDelay == 0 {
		opts.BatchDelay = DefaultBatchDelay
	}
	if opts.CacheItems <= 0 {
		opts.CacheItems = DefaultCacheItems
	}
	if opts.ExpectedURLs == 0 {
		opts.ExpectedURLs = DefaultExpectedURLs
	}
	db, err := bolt.Open(opts.Path, 0o600, &bolt.Options{
		Timeout: lockTimeout,
		// The freelist is written with each commit. Without it, Open
		// rebuilds it by reading every page of the file, which all
		// become resident: resuming a crawl of 1,000,000 URLs peaked
		// at 147 MB instead of 43 (BenchmarkCrawlMemory).
		FreelistType: bolt.FreelistMapType,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("opening frontier %s: %w", opts.Path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("opening frontier %s: %w", opts.Path, err)
	}
	f := &Frontier{
		db:         db,
		delay:      max(opts.BatchDelay, 0),
		cacheItems: opts.CacheItems,
		perHost:    max(1, opts.CacheItems/256),
		kick:       make(chan struct{}, 1),
		hurry:      make(chan struct{}, 1),
		quit:       make(chan struct{}),
		stopped:    make(chan struct{}),
		leases:     make(map[string]*lease),
		pending:    newBatch(1),
		wake:       make(chan struct{}),
		log:        make(map[seenKey]uint64),
		disk: &onDisk{
			logMax:    cmp.Or(opts.logMax, defaultLogMax),
			chunkKeys: cmp.Or(opts.chunkKeys, defaultChunkKeys),
			mergeKeys: cmp.Or(opts.mergeKeys, defaultMergeKeys),
		},
	}
	if err := f.load(opts.ExpectedURLs); err != nil {
		db.Close()
		return nil, fmt.Errorf("loading frontier %s: %w", opts.Path, err)
	}
	f.unmap()
	go f.commitLoop()
	return f, nil
}

// Close commits the operations still buffered, stops the committer and
// closes the database. Waiting Next calls return frontier.ErrClosed, and
// so do later calls of every method. Close returns the error that made
// a commit fail, if one did: then the operations since the last
// successful commit are lost.
func (f *Frontier) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	f.broadcast()
	f.mu.Unlock()

	close(f.quit)
	<-f.stopped
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	if cerr := f.db.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("closing frontier database: %w", cerr)
	}
	return err
}

// Stats reports how many items are queued and leased now, and how many
// were done over the life of the database. The counts include operations
// not yet committed. err is the error that stopped the frontier, if any.
func (f *Frontier) Stats() (queued, leased, done int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, 0, 0, frontier.ErrClosed
	}
	return f.queued, f.leased, f.done, f.err
}

// Flush waits until every operation made before the call is committed,
// without waiting for the rest of BatchDelay. It returns ctx.Err() if ctx
// ends first.
func (f *Frontier) Flush(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return frontier.ErrClosed
	}
	target := f.pending.gen
	if len(f.pending.ops) == 0 {
		target-- // the batch being committed, or the last one committed
	}
	for f.committed < target {
		if f.err != nil {
			return f.err
		}
		if f.closed {
			return frontier.ErrClosed
		}
		signal(f.hurry)
		if err := f.wait(ctx); err != nil {
			return fmt.Errorf("flushing frontier: %w", err)
		}
	}
	return f.err
}

// wait releases f.mu until the next broadcast or the end of ctx. It must be
// called with f.mu held, and returns with it held.
func (f *Frontier) wait(ctx context.Context) error {
	wake := f.wake
	f.mu.Unlock()
	defer f.mu.Lock()
	select {
	case <-wake:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// broadcast wakes the waiting calls. It must be called with f.mu held.
func (f *Frontier) broadcast() {
	close(f.wake)
	f.wake = make(chan struct{})
}

// usable returns the error every operation returns once the frontier is
// closed or broken. It must be called with f.mu held.
func (f *Frontier) usable() error {
	if f.closed {
		return frontier.ErrClosed
	}
	return f.err
}

// signal sends on a channel of capacity 1 without waiting: a signal
// already pending is enough.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
