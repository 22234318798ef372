package disk

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/crawl-go/crawl/frontier"
)

// This file holds the on-disk encoding: the keys of the seen set and of the
// queue, and the values of the queue.

// Bucket names, meta keys, and the version of the layout below.
var (
	bucketMeta  = []byte("meta")
	bucketLog   = []byte("log")
	bucketRuns  = []byte("runs")
	bucketQueue = []byte("queue")
	keyVersion  = []byte("version")
	keyDone     = []byte("done")
	keyRuns     = []byte("runs")
	keyFrozen   = []byte("frozen")
	// bucketSeenV1 is the seen set of layout 1, which Open migrates.
	bucketSeenV1 = []byte("seen")
)

// layoutVersion is the version of the layout this package writes. Layout
// 1 kept the seen set in one bucket keyed by seenKey, with the state of
// each URL as its value; Open migrates it.
const layoutVersion = 2

// errCorrupt marks data on disk that this package did not write.
var errCorrupt = errors.New("corrupt frontier database")

// seenKey is the key of a URL in the seen set: 4 bytes of a hash of the
// URL's authority, then 12 bytes of the URL's SHA-256. Two URLs collide
// only if their authorities share the 4-byte prefix and their SHA-256
// share 96 bits: for a billion URLs the chance that any pair does is
// below 10^-10. (The prefix kept a host's keys together in layout 1,
// whose seen set was a B-tree keyed by seenKey; the runs of layout 2 are
// sorted by it too.)
type seenKey [16]byte

const seenKeyLen = len(seenKey{})

func keyOf(url string) seenKey {
	var k seenKey
	binary.BigEndian.PutUint32(k[:4], fnv32a(authority(url)))
	sum := sha256.Sum256([]byte(url))
	copy(k[4:], sum[:12])
	return k
}

// fnv32a is FNV-1a, as hash/fnv computes it, without an allocation.
func fnv32a(s string) uint32 {
	h := uint32(2166136261)
	for i := range len(s) {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// authority returns the part of url between "://" and the path, query or
// fragment. Only the locality of keys depends on it, so it needs no
// parsing.
func authority(url string) string {
	if i := strings.Index(url, "://"); i >= 0 {
		url = url[i+3:]
	}
	if i := strings.IndexAny(url, "/?#"); i >= 0 {
		url = url[:i]
	}
	return url
}

// The seen set is a log and sorted runs (seen.go):
//
//	log    key: a sequence number, uint64 big endian, as in the queue
//	       value: the seenKey of a URL seen; the entries up to meta's
//	       "frozen" (uint64 big endian) are sorted into a run already
//	runs   one nested bucket per run, named by the run's id (uint64 big
//	       endian); in it, key: the last seenKey of a chunk, value: the
//	       chunk, up to a few hundred seenKeys in increasing order, packed
//
// The runs are disjoint, and so are they and the log: each URL seen is in
// exactly one place. meta's "runs" lists the live runs, oldest first, as
// pairs of uint64 big endian (the id, the number of keys); a nested bucket
// of runs not listed there is a merge cut short, deleted on Open. meta's
// "done" is the number of items done, uint64 big endian.

// seqKey is the key of a log entry: a sequence number, big endian.
type seqKey [8]byte

func seqKeyOf(seq uint64) seqKey {
	var k seqKey
	binary.BigEndian.PutUint64(k[:], seq)
	return k
}

// run is a sorted run of the seen set: its id (the name of its bucket)
// and the number of keys it holds.
type run struct{ id, n uint64 }

func runName(id uint64) []byte { return binary.BigEndian.AppendUint64(nil, id) }

func appendRuns(b []byte, runs []run) []byte {
	for _, r := range runs {
		b = binary.BigEndian.AppendUint64(b, r.id)
		b = binary.BigEndian.AppendUint64(b, r.n)
	}
	return b
}

func decodeRuns(v []byte) ([]run, error) {
	if len(v)%16 != 0 {
		return nil, fmt.Errorf("list of runs %x: %w", v, errCorrupt)
	}
	runs := make([]run, 0, len(v)/16)
	for ; len(v) > 0; v = v[16:] {
		runs = append(runs, run{binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:])})
	}
	return runs, nil
}

// A queue key orders items by depth, then host, then sequence number:
//
//	depth  uint32, big endian
//	hostN  uint8, the length of host
//	host   hostN bytes
//	seq    uint64, big endian, increasing over the life of the database
//
// so that the items of one depth and host are a contiguous run in the order
// they were added. A host longer than maxKeyHost bytes is keyed by a
// prefix and a hash of it, and the item's value carries the whole host.
const (
	depthLen   = 4
	seqLen     = 8
	maxKeyHost = 255
)

// keyHost returns the host as it appears in a queue key.
func keyHost(host string) string {
	if len(host) <= maxKeyHost {
		return host
	}
	sum := sha256.Sum256([]byte(host))
	return host[:maxKeyHost-32] + hex.EncodeToString(sum[:16])
}

func depthPrefix(depth int) []byte {
	return binary.BigEndian.AppendUint32(make([]byte, 0, depthLen+1+maxKeyHost+seqLen), uint32(depth))
}

// queueKey returns the key of an item; host is already a keyHost.
func queueKey(depth int, host string, seq uint64) []byte {
	return appendQueueKey(make([]byte, 0, depthLen+1+len(host)+seqLen), depth, host, seq)
}

func appendQueueKey(k []byte, depth int, host string, seq uint64) []byte {
	k = binary.BigEndian.AppendUint32(k, uint32(depth))
	k = append(k, byte(len(host)))
	k = append(k, host...)
	return binary.BigEndian.AppendUint64(k, seq)
}

// splitKey returns a queue key's host part (the length byte and the host)
// and sequence number. hostPart aliases k.
func splitKey(k []byte) (depth int, hostPart []byte, seq uint64, err error) {
	if len(k) < depthLen+1+seqLen || len(k) != depthLen+1+int(k[depthLen])+seqLen {
		return 0, nil, 0, fmt.Errorf("queue key %x: %w", k, errCorrupt)
	}
	depth = int(binary.BigEndian.Uint32(k))
	hostPart = k[depthLen : len(k)-seqLen]
	seq = binary.BigEndian.Uint64(k[len(k)-seqLen:])
	return depth, hostPart, seq, nil
}

// after returns the smallest key greater than every key that starts with
// prefix, and false if there is none.
func after(prefix []byte) ([]byte, bool) {
	k := append([]byte(nil), prefix...)
	for i := len(k) - 1; i >= 0; i-- {
		if k[i] < 0xff {
			k[i]++
			return k[:i+1], true
		}
	}
	return nil, false
}

// An item's value is
//
//	flags  1 byte: flagRequisite, flagHost
//	uvarint length of the URL, then the URL
//	if flagHost: uvarint length of the host, then the host
//	the parent URL, to the end
//
// The depth and (for hosts that fit) the host are in the key. For URLs
// shorter than 128 bytes this is 2 bytes more than the URL and the parent,
// where JSON of the item takes 75 more, and it encodes and decodes about
// 20 times faster (BenchmarkItemEncoding).
const (
	flagRequisite = 1 << iota
	flagHost
)

func appendItem(b []byte, it *frontier.Item) []byte {
	var flags byte
	if it.Requisite {
		flags |= flagRequisite
	}
	long := len(it.Host) > maxKeyHost
	if long {
		flags |= flagHost
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(len(it.URL)))
	b = append(b, it.URL...)
	if long {
		b = binary.AppendUvarint(b, uint64(len(it.Host)))
		b = append(b, it.Host...)
	}
	return append(b, it.Parent...)
}

// decodeItem decodes a value into it, leaving Depth alone and setting Host
// only if the value carries it. The strings are copies: v may be memory
// that bbolt reuses.
func decodeItem(v []byte, it *frontier.Item) error {
	if len(v) < 1 {
		return fmt.Errorf("empty queue value: %w", errCorrupt)
	}
	flags := v[0]
	v = v[1:]
	s, v, ok := cutString(v)
	if !ok {
		return fmt.Errorf("queue value: %w", errCorrupt)
	}
	it.URL = s
	if flags&flagHost != 0 {
		if it.Host, v, ok = cutString(v); !ok {
			return fmt.Errorf("queue value of %s: %w", it.URL, errCorrupt)
		}
	}
	it.Parent = string(v)
	it.Requisite = flags&flagRequisite != 0
	return nil
}

func cutString(v []byte) (string, []byte, bool) {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return "", nil, false
	}
	return string(v[w : w+int(n)]), v[w+int(n):], true
}
