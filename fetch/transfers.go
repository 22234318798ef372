package fetch

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// This file holds Transfers, the bodies being read that are large enough
// for a progress display to show on their own.

// MinTransfer is the size from which a body is listed in Transfers: its
// Content-Length, or the bytes read so far when it has none.
const MinTransfer = 1 << 20

// Transfers lists the large bodies being read by the Fetchers that share
// it (Options.Transfers), for a progress display. It is safe for
// concurrent use; the zero value is an empty list.
type Transfers struct {
	mu  sync.Mutex
	seq uint64
	m   map[*transfer]struct{}
}

// Transfer is a body being read, as Transfers.Snapshot saw it.
type Transfer struct {
	// ID tells transfers apart from one snapshot to the next.
	ID uint64
	// URL is where the body comes from, after redirects.
	URL string
	// Received is the bytes of the body so far, including Resumed, the
	// bytes that a partial download had already (Request.Resume).
	Received, Resumed int64
	// Total is the length of the whole body, -1 when the response did
	// not say.
	Total int64
	// Started is when the body began to arrive.
	Started time.Time
}

// transfer is a listed body: its fixed part, and the bytes read, which
// the reading goroutine updates.
type transfer struct {
	t        Transfer
	received atomic.Int64
}

// start lists a body.
func (ts *Transfers) start(url string, total, resumed, received int64) *transfer {
	tr := &transfer{t: Transfer{URL: url, Total: total, Resumed: resumed, Started: time.Now()}}
	tr.received.Store(received)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.seq++
	tr.t.ID = ts.seq
	if ts.m == nil {
		ts.m = make(map[*transfer]struct{})
	}
	ts.m[tr] = struct{}{}
	return tr
}

// end removes a body from the list.
func (ts *Transfers) end(tr *transfer) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	delete(ts.m, tr)
}

// Snapshot returns the bodies being read, the largest first (by Total, or
// by Received when the Total is not known), then the oldest. A nil
// Transfers has none.
func (ts *Transfers) Snapshot() []Transfer {
	if ts == nil {
		return nil
	}
	ts.mu.Lock()
	out := make([]Transfer, 0, len(ts.m))
	for tr := range ts.m {
		t := tr.t
		t.Received = tr.received.Load()
		out = append(out, t)
	}
	ts.mu.Unlock()
	size := func(t Transfer) int64 {
		if t.Total >= 0 {
			return t.Total
		}
		return t.Received
	}
	slices.SortFunc(out, func(a, b Transfer) int {
		if sa, sb := size(a), size(b); sa != sb {
			if sa > sb {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}
