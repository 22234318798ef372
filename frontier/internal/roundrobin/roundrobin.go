// Package roundrobin holds FIFO queues of items by key, served round
// robin: one item of each key in turn. The frontiers keep one per depth,
// keyed by host, so that one busy host does not hold up the others.
package roundrobin

// Queues are FIFO queues by key, served round robin, keys in the order
// they got items. A queue that empties leaves the rotation and its key is
// forgotten, so that Queues keep nothing for keys without items. The zero
// value is empty and ready to use. Queues are not safe for concurrent use.
type Queues[T, M any] struct {
	byKey map[string]*Queue[T, M]
	ready []*Queue[T, M] // the queues with items, in rotation order
	next  int            // index in ready of the queue to serve next
	n     int            // items in all queues
}

// Queue is the queue of one key. Meta is the caller's, about the key.
type Queue[T, M any] struct {
	Key   string
	Meta  M
	items []T
	head  int
}

// Len is the number of items in q.
func (q *Queue[T, M]) Len() int { return len(q.items) - q.head }

// Len is the number of items in all queues.
func (qs *Queues[T, M]) Len() int { return qs.n }

// Get returns the queue of key, nil when it has no items.
func (qs *Queues[T, M]) Get(key string) *Queue[T, M] { return qs.byKey[key] }

// Keys returns the keys that have items, in rotation order.
func (qs *Queues[T, M]) Keys() []string {
	keys := make([]string, len(qs.ready))
	for i, q := range qs.ready {
		keys[i] = q.Key
	}
	return keys
}

// Push appends v to the queue of key, creating it at the end of the
// rotation if key has none, and returns the queue.
func (qs *Queues[T, M]) Push(key string, v T) *Queue[T, M] {
	q := qs.byKey[key]
	if q == nil {
		if qs.byKey == nil {
			qs.byKey = make(map[string]*Queue[T, M])
		}
		q = &Queue[T, M]{Key: key}
		qs.byKey[key] = q
		qs.ready = append(qs.ready, q)
	}
	q.items = append(q.items, v)
	qs.n++
	return q
}

// Insert puts v in q before its first item for which before(item) is true
// (at the end if none is), to keep an order; q must hold an item.
func (qs *Queues[T, M]) Insert(q *Queue[T, M], v T, before func(T) bool) {
	i := q.head
	for i < len(q.items) && !before(q.items[i]) {
		i++
	}
	var zero T
	q.items = append(q.items, zero)
	copy(q.items[i+1:], q.items[i:])
	q.items[i] = v
	qs.n++
}

// Pop takes the next item round robin: the oldest of the next key's queue.
// It returns the item, its queue, and whether the queue is now empty (it
// has left the rotation, and its key is forgotten). Len must be above 0.
func (qs *Queues[T, M]) Pop() (T, *Queue[T, M], bool) {
	if qs.next >= len(qs.ready) {
		qs.next = 0
	}
	q := qs.ready[qs.next]
	v := q.items[q.head]
	var zero T
	q.items[q.head] = zero
	q.head++
	qs.n--
	if q.head == len(q.items) {
		q.items, q.head = nil, 0
		delete(qs.byKey, q.Key)
		qs.ready = append(qs.ready[:qs.next], qs.ready[qs.next+1:]...)
		if len(qs.ready) == 0 {
			// Maps do not shrink: drop one that may have held
			// thousands of keys.
			qs.byKey, qs.ready = nil, nil
		}
		return v, q, true
	}
	if q.head > 1024 && q.head*2 > len(q.items) {
		// Compact, so that a long queue does not keep its consumed
		// prefix alive.
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	qs.next++
	return v, q, false
}
