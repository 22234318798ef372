package roundrobin

import (
	"fmt"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRoundRobin(t *testing.T) {
	var qs Queues[string, int]
	for _, s := range []string{"a1", "a2", "a3", "b1", "c1", "b2"} {
		q := qs.Push(s[:1], s)
		q.Meta++
	}
	if qs.Get("a").Meta != 3 || qs.Len() != 6 {
		t.Fatalf("a's meta %d, Len %d", qs.Get("a").Meta, qs.Len())
	}
	var got []string
	for qs.Len() > 0 {
		v, q, emptied := qs.Pop()
		got = append(got, v)
		if emptied != (q.Len() == 0) || emptied != (qs.Get(q.Key) == nil) {
			t.Fatalf("after %s: emptied %v, queue of %d, known %v", v, emptied, q.Len(), qs.Get(q.Key) != nil)
		}
	}
	if want := "[a1 b1 c1 a2 b2 a3]"; fmt.Sprint(got) != want {
		t.Errorf("order %v; want %s", got, want)
	}
}

func TestInsert(t *testing.T) {
	var qs Queues[int, struct{}]
	for _, n := range []int{2, 5, 8} {
		qs.Push("k", n)
	}
	qs.Pop() // 2
	qs.Insert(qs.Get("k"), 3, func(v int) bool { return v > 3 })
	qs.Insert(qs.Get("k"), 9, func(v int) bool { return v > 9 })
	var got []int
	for qs.Len() > 0 {
		v, _, _ := qs.Pop()
		got = append(got, v)
	}
	if fmt.Sprint(got) != "[3 5 8 9]" {
		t.Errorf("after inserts: %v", got)
	}
}

func TestCompaction(t *testing.T) {
	var qs Queues[int, struct{}]
	for i := range 5000 {
		qs.Push("k", i)
	}
	for i := range 4000 {
		if v, _, _ := qs.Pop(); v != i {
			t.Fatalf("pop %d = %d", i, v)
		}
	}
	if q := qs.Get("k"); q.Len() != 1000 || len(q.items) > 2100 {
		t.Errorf("a long queue keeps %d slots for %d items", len(q.items), q.Len())
	}
}
