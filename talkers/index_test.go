package talkers

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeyIndexAgreesWithAMap churns an index as a flood does (evict one key, add
// another) against a map, with hashes from a few values only so that probes run long,
// wrap around the table and deletions shift slots back.
func TestKeyIndexAgreesWithAMap(t *testing.T) {
	for _, hashes := range []uint32{1, 7, 1 << 30} {
		t.Run(fmt.Sprintf("hashes=%d", hashes), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(hashes)))
			var x keyIndex
			var ents []entry
			model := map[Key]int32{}
			add := func(k Key, at int32) {
				h := keyHash(k) % hashes
				if int(at) == len(ents) {
					ents = append(ents, entry{})
				}
				ents[at] = entry{key: k, h: h}
				x.insert(h, at)
				model[k] = at
			}
			for i := range 200 {
				add(Key{A: fmt.Sprint("k", i)}, int32(i))
			}
			for i := range 20_000 {
				victim := int32(rng.IntN(len(ents)))
				delete(model, ents[victim].key)
				x.remove(ents[victim].h, victim)
				add(Key{A: fmt.Sprint("n", i), B: "b"}, victim)
			}
			require.Equal(t, len(model), x.n)
			for k, at := range model {
				got, ok := x.find(ents, k, keyHash(k)%hashes)
				require.True(t, ok, "key %v", k)
				assert.Equal(t, at, got)
			}
			_, ok := x.find(ents, Key{A: "k0"}, keyHash(Key{A: "k0"})%hashes)
			assert.False(t, ok, "an evicted key is gone")
			assert.LessOrEqual(t, 2*x.n, len(x.slots), "at most half full")
		})
	}
}
