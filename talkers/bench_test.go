package talkers

import (
	"fmt"
	"testing"
	"time"
)

// benchAddrs returns n distinct IPv4 source and destination addresses.
func benchAddrs(n int) (src, dst []string) {
	src, dst = make([]string, n), make([]string, n)
	for i := range src {
		src[i] = fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		dst[i] = fmt.Sprintf("172.%d.%d.%d", 16+i>>16&15, i>>8&255, (i*7)&255)
	}
	return src, dst
}

// BenchmarkAdd is the cost of one packet through Windows.Add (pane lookup, summary
// update, protocol tally; no prefix) with the default capacity: over 1,000,000 distinct
// pairs (every packet a new key, Space-Saving evicting) and over 1,000 repeated pairs.
func BenchmarkAdd(b *testing.B) {
	for _, keys := range []int{1_000_000, 1_000} {
		src, dst := benchAddrs(keys)
		for _, kind := range allKinds {
			b.Run(fmt.Sprintf("%s/keys=%d", kind, keys), func(b *testing.B) {
				w, err := NewWindows(Config{Key: kind, Window: 60 * time.Second, Slide: 2 * time.Second})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					w.Add(epoch, src[i], dst[i], 60+i&1023, "TCP")
					if i++; i == keys {
						i = 0
					}
				}
			})
		}
	}
}

// BenchmarkAdvance is the cost of one slide of a 60s/2s window whose 30 panes each hold
// the default capacity of keys: merging the panes and selecting the top 10.
func BenchmarkAdvance(b *testing.B) {
	src, dst := benchAddrs(DefaultCapacity * 30)
	w, err := NewWindows(Config{Top: 10, Window: 60 * time.Second, Slide: 2 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	for i := range src {
		w.Add(epoch.Add(time.Duration(i/DefaultCapacity)*2*time.Second), src[i], dst[i], 60, "TCP")
	}
	b.ReportAllocs()
	emit := func(Result) {}
	for b.Loop() {
		w.answer(w.next + w.n - 1)
	}
	_ = emit
}
