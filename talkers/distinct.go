package talkers

import (
	"math"
	"math/bits"
)

// sketchBits is the HyperLogLog precision: 2^10 one-byte registers, a standard error of
// about 1.04/sqrt(1024) ≈ 3.3%.
const sketchBits = 10

// sketch estimates how many distinct keys a summary saw once it no longer keeps them all
// (Flajolet, Fusy, Gandouet, Meunier, "HyperLogLog", AofA 2007, with the small-range
// linear counting correction). Registers merge by maximum, so estimates merge as the
// summaries do; the hash is fixed (FNV-1a, then a 64-bit finaliser) so sketches made by
// different processes agree.
type sketch struct{ reg [1 << sketchBits]uint8 }

func newSketch() *sketch { return new(sketch) }

func (h *sketch) add(k Key) {
	x := hashKey(k)
	i := x >> (64 - sketchBits)
	rank := uint8(bits.LeadingZeros64(x<<sketchBits|1<<(sketchBits-1)) + 1)
	h.reg[i] = max(h.reg[i], rank)
}

func (h *sketch) merge(o *sketch) {
	for i, r := range o.reg {
		h.reg[i] = max(h.reg[i], r)
	}
}

func (h *sketch) estimate() int64 {
	const m = float64(1 << sketchBits)
	var sum float64
	zeros := 0
	for _, r := range h.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros))
	}
	return int64(e + 0.5)
}

// hashKey is FNV-1a over A, a separator and B, finished with MurmurHash3's fmix64 so the
// top bits HyperLogLog uses are well mixed.
func hashKey(k Key) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := 0; i < len(k.A); i++ {
		h = (h ^ uint64(k.A[i])) * prime
	}
	h = (h ^ 0xff) * prime
	for i := 0; i < len(k.B); i++ {
		h = (h ^ uint64(k.B[i])) * prime
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}
