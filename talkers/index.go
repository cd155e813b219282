package talkers

import (
	"hash/maphash"
	"math/bits"
)

// keyIndex finds a key's entry in a Summary's ents. It is an open-addressing table with
// linear probing and backward-shift deletion (Knuth, TAOCP vol. 3, §6.4, Algorithm R)
// rather than a Go map: under a flood of new keys every packet evicts one key and adds
// another, and a map pays three hashes of the key (lookup, delete, insert) and fills
// with tombstones it must rehash away, where this table hashes the key once and leaves
// no trace of a deleted key. A slot holds the entry's position and the low bits of its
// hash, so a probe compares keys only when the hashes agree, and an evicted entry is
// found by its position without hashing its key again.
type keyIndex struct {
	slots []islot // a power of two, at least twice the keys; nil while loose
	n     int
}

type islot struct {
	hash uint32 // the key's hash, low bits: where its probe starts
	ent  int32  // the entry's position in ents plus one; 0 is an empty slot
}

// indexSeed seeds the index's hash, one for the process, so an entry's hash holds in
// whichever summary it is copied to. The hash is never encoded (the distinct-key
// sketch's is: hashKey).
var indexSeed = maphash.MakeSeed()

// keyHash is k's hash in an index: every entry carries it from when it is made.
func keyHash(k Key) uint32 {
	return uint32(maphash.String(indexSeed, k.A) ^ bits.RotateLeft64(maphash.String(indexSeed, k.B), 29))
}

// reset empties the index, sized for keys without growing.
func (x *keyIndex) reset(keys int) {
	size := 16
	for size < 2*keys {
		size *= 2
	}
	if size <= len(x.slots) {
		clear(x.slots)
	} else {
		x.slots = make([]islot, size)
	}
	x.n = 0
}

// find returns the position in ents of the entry of k, whose hash is h.
func (x *keyIndex) find(ents []entry, k Key, h uint32) (int32, bool) {
	if x.n == 0 {
		return 0, false
	}
	mask := uint32(len(x.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := x.slots[i]
		if sl.ent == 0 {
			return 0, false
		}
		if sl.hash == h && ents[sl.ent-1].key == k {
			return sl.ent - 1, true
		}
	}
}

// insert adds entry e, whose key has hash h and is not in the index yet.
func (x *keyIndex) insert(h uint32, e int32) {
	if 2*(x.n+1) > len(x.slots) {
		x.grow()
	}
	mask := uint32(len(x.slots) - 1)
	i := h & mask
	for x.slots[i].ent != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = islot{hash: h, ent: e + 1}
	x.n++
}

// remove takes entry e, whose key has hash h, out of the index, moving back the slots
// after it that would otherwise be cut off from their probe's start.
func (x *keyIndex) remove(h uint32, e int32) {
	if x.n == 0 {
		return
	}
	mask := uint32(len(x.slots) - 1)
	i := h & mask
	for x.slots[i].ent != e+1 {
		if x.slots[i].ent == 0 {
			return // not indexed
		}
		i = (i + 1) & mask
	}
	for j := (i + 1) & mask; x.slots[j].ent != 0; j = (j + 1) & mask {
		// The slot at j may move to the hole at i unless its probe starts after i
		// (cyclically, in (i, j]).
		if home := x.slots[j].hash & mask; (j-home)&mask >= (j-i)&mask {
			x.slots[i] = x.slots[j]
			i = j
		}
	}
	x.slots[i] = islot{}
	x.n--
}

// grow doubles the table.
func (x *keyIndex) grow() {
	old := x.slots
	x.slots = make([]islot, max(16, 2*len(old)))
	mask := uint32(len(x.slots) - 1)
	for _, sl := range old {
		if sl.ent == 0 {
			continue
		}
		i := sl.hash & mask
		for x.slots[i].ent != 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = sl
	}
}

// rebuild indexes every entry of ents.
func (x *keyIndex) rebuild(ents []entry) {
	x.reset(len(ents))
	for i := range ents {
		x.insert(ents[i].h, int32(i))
	}
}

// drop forgets the table: a loose summary holds none.
func (x *keyIndex) drop() { x.slots, x.n = nil, 0 }
