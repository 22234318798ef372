package frontier

import (
	"context"
	"fmt"
	"sync"

	"github.com/crawl-go/crawl/frontier/internal/roundrobin"
)

// Memory is a Frontier held in memory: for each depth, per-host FIFO queues
// served round robin, and a set of every URL seen. It is lost when the
// process ends. The zero value is not usable; call NewMemory.
type Memory struct {
	mu     sync.Mutex
	seen   map[string]struct{}
	levels []*level // by depth
	queued int      // items queued over all levels
	leased int      // items leased over all levels
	closed bool
	// wake is closed and replaced whenever waiting Next calls may proceed:
	// an item was queued, a lease ended, or the frontier closed.
	wake chan struct{}
}

// level holds the queued items of one depth, by host, served round robin.
type level struct {
	hosts  roundrobin.Queues[Item, struct{}]
	queued int
	leased int
}

// NewMemory returns an empty in-memory frontier.
func NewMemory() *Memory {
	return &Memory{
		seen: make(map[string]struct{}),
		wake: make(chan struct{}),
	}
}

// Add implements Frontier.
func (m *Memory) Add(ctx context.Context, items ...Item) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("adding to frontier: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	added := 0
	for _, it := range items {
		if _, ok := m.seen[it.URL]; ok {
			continue
		}
		m.seen[it.URL] = struct{}{}
		m.level(it.Depth).push(it)
		m.queued++
		added++
	}
	if added > 0 {
		m.broadcast()
	}
	return added, nil
}

// Claim implements Frontier.
func (m *Memory) Claim(ctx context.Context, url string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("claiming in frontier: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false, ErrClosed
	}
	if _, ok := m.seen[url]; ok {
		return false, nil
	}
	m.seen[url] = struct{}{}
	return true, nil
}

func (m *Memory) level(depth int) *level {
	depth = max(depth, 0)
	for len(m.levels) <= depth {
		m.levels = append(m.levels, &level{})
	}
	return m.levels[depth]
}

// take leases the next item if the level rule allows one. It must be called
// with m.mu held.
func (m *Memory) take() (Item, bool) {
	for _, l := range m.levels {
		if l.queued > 0 {
			it := l.pop()
			l.leased++
			m.queued--
			m.leased++
			return it, true
		}
		if l.leased > 0 {
			// Deeper items wait until this level is finished: its
			// links may reach them by a shorter path.
			return Item{}, false
		}
	}
	return Item{}, false
}

func (l *level) push(it Item) {
	l.hosts.Push(it.Host, it)
	l.queued++
}

// pop takes the next item round robin over the level's hosts; l.queued > 0.
func (l *level) pop() Item {
	it, _, _ := l.hosts.Pop()
	l.queued--
	return it
}

func (m *Memory) broadcast() {
	close(m.wake)
	m.wake = make(chan struct{})
}

// Next implements Frontier.
func (m *Memory) Next(ctx context.Context) (Item, error) {
	for {
		// A cancelled caller gets nothing, even when items are queued:
		// an interrupted crawl must not start new work.
		if err := ctx.Err(); err != nil {
			return Item{}, err
		}
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return Item{}, ErrClosed
		}
		if it, ok := m.take(); ok {
			m.mu.Unlock()
			return it, nil
		}
		if m.queued == 0 && m.leased == 0 {
			m.mu.Unlock()
			return Item{}, ErrDone
		}
		wake := m.wake
		m.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return Item{}, ctx.Err()
		}
	}
}

// Done implements Frontier.
func (m *Memory) Done(ctx context.Context, it Item) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := max(it.Depth, 0)
	if d >= len(m.levels) || m.levels[d].leased == 0 {
		return fmt.Errorf("frontier: done without a lease for %s", it.URL)
	}
	m.levels[d].leased--
	m.leased--
	if m.levels[d].leased == 0 {
		m.broadcast() // the next level, or ErrDone, may now be handed out
	}
	return nil
}

// Release implements Frontier. The item goes to the back of its host's
// queue.
func (m *Memory) Release(ctx context.Context, it Item, unclaim ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	d := max(it.Depth, 0)
	if d >= len(m.levels) || m.levels[d].leased == 0 {
		return fmt.Errorf("frontier: release without a lease for %s", it.URL)
	}
	l := m.levels[d]
	l.leased--
	m.leased--
	l.push(it)
	m.queued++
	for _, u := range unclaim {
		delete(m.seen, u)
	}
	m.broadcast()
	return nil
}

// Counts implements Frontier.
func (m *Memory) Counts(context.Context) (Counts, error) {
	q, l := m.Len()
	return Counts{Queued: q, Leased: l}, nil
}

// Close implements Frontier.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.closed = true
		m.broadcast()
	}
	return nil
}

// Len reports how many items are queued and how many are leased.
func (m *Memory) Len() (queued, leased int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.queued, m.leased
}

// QueuedByHost counts the queued items of each host, over all depths.
func (m *Memory) QueuedByHost(context.Context) (map[string]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	counts := make(map[string]int64)
	for _, l := range m.levels {
		for _, h := range l.hosts.Keys() {
			counts[h] += int64(l.hosts.Get(h).Len())
		}
	}
	return counts, nil
}
