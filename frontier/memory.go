package frontier

import (
	"context"
	"fmt"
	"sync"
)

// Memory is a Frontier held in memory: per-host FIFO queues served round
// robin, and a set of every URL seen. It is lost when the process ends.
// The zero value is not usable; call NewMemory.
type Memory struct {
	mu     sync.Mutex
	seen   map[string]struct{}
	hosts  map[string]*hostQueue
	ready  []*hostQueue // hosts with queued items, in round-robin order
	next   int          // index in ready of the host to serve next
	queued int
	leased int
	closed bool
	// wake is closed and replaced whenever Next callers may proceed: an item
	// was queued, the last lease ended, or the frontier closed.
	wake chan struct{}
}

type hostQueue struct {
	items []Item
	head  int
	ready bool // in Memory.ready
}

// NewMemory returns an empty in-memory frontier.
func NewMemory() *Memory {
	return &Memory{
		seen:  make(map[string]struct{}),
		hosts: make(map[string]*hostQueue),
		wake:  make(chan struct{}),
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
		m.push(it)
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

func (m *Memory) push(it Item) {
	q := m.hosts[it.Host]
	if q == nil {
		q = &hostQueue{}
		m.hosts[it.Host] = q
	}
	q.items = append(q.items, it)
	m.queued++
	if !q.ready {
		q.ready = true
		m.ready = append(m.ready, q)
	}
}

// pop takes the next item round robin over the hosts. It must be called
// with m.mu held and m.queued > 0.
func (m *Memory) pop() Item {
	if m.next >= len(m.ready) {
		m.next = 0
	}
	q := m.ready[m.next]
	it := q.items[q.head]
	q.items[q.head] = Item{}
	q.head++
	m.queued--
	if q.head == len(q.items) {
		// Empty: reset it and take the host out of the rotation. The
		// host's entry stays so that its slice can be reused.
		q.items, q.head, q.ready = q.items[:0], 0, false
		m.ready = append(m.ready[:m.next], m.ready[m.next+1:]...)
	} else {
		if q.head > 1024 && q.head*2 > len(q.items) {
			// Compact, so a long-lived queue does not keep its
			// consumed prefix alive.
			n := copy(q.items, q.items[q.head:])
			clear(q.items[n:])
			q.items, q.head = q.items[:n], 0
		}
		m.next++
	}
	return it
}

func (m *Memory) broadcast() {
	close(m.wake)
	m.wake = make(chan struct{})
}

// Next implements Frontier.
func (m *Memory) Next(ctx context.Context) (Item, error) {
	for {
		m.mu.Lock()
		switch {
		case m.closed:
			m.mu.Unlock()
			return Item{}, ErrClosed
		case m.queued > 0:
			it := m.pop()
			m.leased++
			m.mu.Unlock()
			return it, nil
		case m.leased == 0:
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
	if m.leased == 0 {
		return fmt.Errorf("frontier: done without a lease for %s", it.URL)
	}
	m.leased--
	if m.leased == 0 && m.queued == 0 {
		m.broadcast() // waiting Next calls can now return ErrDone
	}
	return nil
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
