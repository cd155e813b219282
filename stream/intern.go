package stream

import (
	"hash/maphash"
)

// internSlots is the size of the interner's cache: far more than the hosts a capture
// usually names, small enough to stay in cache.
const internSlots = 1 << 12

// interner hands out one shared string per distinct address: a capture names the same
// few hosts over and over, so this removes nearly all per-record allocations. It is a
// direct-mapped cache, not a map: a miss costs one allocation and never a rehash, so
// traffic with ever new addresses stays as cheap as it can be.
type interner struct {
	seed  maphash.Seed
	slots []string
}

func newInterner(slots int) interner {
	return interner{seed: maphash.MakeSeed(), slots: make([]string, slots)}
}

func (in *interner) bytes(b []byte) string {
	i := maphash.Bytes(in.seed, b) & uint64(len(in.slots)-1)
	if s := in.slots[i]; s == string(b) { // compares without converting
		return s
	}
	s := string(b)
	in.slots[i] = s
	return s
}

// string interns a string that may alias a buffer the caller does not own.
func (in *interner) string(s string) string {
	i := maphash.String(in.seed, s) & uint64(len(in.slots)-1)
	if v := in.slots[i]; v == s {
		return v
	}
	v := string([]byte(s))
	in.slots[i] = v
	return v
}
