package main

import (
	"cmp"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// start is the capture's first instant; tshark's default layout shows times relative to
// the first frame, so it only shows in the pcap's own timestamps.
var start = time.Date(2026, time.March, 10, 9, 0, 0, 0, time.UTC)

// capture collects frames at offsets from start, in whatever order the flows produce them,
// and writes them sorted by time, as a capture of interleaved conversations would be.
type capture struct {
	rnd    *rand.Rand
	frames []frame
}

type frame struct {
	at   time.Duration
	seq  int // ties keep the order the flows produced them in
	data []byte
}

func newCapture() *capture {
	return &capture{rnd: rand.New(rand.NewPCG(16, 2026))}
}

// add serializes the layers into one frame at offset at, fixing lengths and checksums.
func (c *capture) add(at time.Duration, ls ...gopacket.SerializableLayer) {
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
		panic(err) // the layers are built here, so an error is a bug in netgen
	}
	c.frames = append(c.frames, frame{at: at, seq: len(c.frames), data: slices.Clone(buf.Bytes())})
}

// jitter returns a duration spread uniformly over [d/2, 3d/2).
func (c *capture) jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(c.rnd.Int64N(int64(d)))
}

func (c *capture) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(c.rnd.UintN(256))
	}
	return b
}

func (c *capture) write(w io.Writer) error {
	slices.SortFunc(c.frames, func(a, b frame) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq))
	})
	pw := pcapgo.NewWriterNanos(w)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return err
	}
	for _, f := range c.frames {
		ci := gopacket.CaptureInfo{Timestamp: start.Add(f.at), CaptureLength: len(f.data), Length: len(f.data)}
		if err := pw.WritePacket(ci, f.data); err != nil {
			return err
		}
	}
	return nil
}
