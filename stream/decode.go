package stream

import (
	"errors"
	"hash/maphash"
	"unsafe"

	"github.com/bridge-project/bridge/connector"
	"github.com/bridge-project/bridge/parser"
	"github.com/bridge-project/bridge/sink"
)

// Reasons a record yields no tuple.
type skipReason int

const (
	kept          skipReason = iota
	skipNotPacket            // tshark mode: the line is not a packet summary
	skipEnvelope             // the value is a malformed Connect envelope
	skipTooLarge             // the value exceeds MaxValueBytes
)

// decoder turns record values into tuples. It is the only per-record work of the stream,
// so it allocates nothing for a line whose addresses it has seen before.
type decoder struct {
	mode     Parser
	maxValue int
	pkt      parser.PacketBytes
	names    interner
}

func newDecoder(mode Parser, maxValue int) *decoder {
	return &decoder{mode: mode, maxValue: maxValue, names: newInterner(internSlots)}
}

// decode fills t's Src, Dst, Proto and Len from the record value v, or says why it
// cannot; err carries detail for the log when there is any.
func (d *decoder) decode(v []byte, t *sink.Tuple) (skipReason, error) {
	if len(v) > d.maxValue {
		return skipTooLarge, nil
	}
	line, err := connector.DecodeValue(v)
	if err != nil {
		return skipEnvelope, err
	}
	return d.decodeLine(line, t)
}

// decodeLine fills t from one payload line.
func (d *decoder) decodeLine(line []byte, t *sink.Tuple) (skipReason, error) {
	if d.mode == ParserSeed {
		// Seed returns substrings of its argument; the interner copies them before the
		// record's buffer can go away, so a string view of the bytes is safe here.
		src, dst := parser.Seed(unsafe.String(unsafe.SliceData(line), len(line)))
		t.Src, t.Dst = d.names.string(src), d.names.string(dst)
		t.Proto, t.Len = "", 0
		return kept, nil
	}
	if err := parser.ParseInto(line, &d.pkt); err != nil {
		if errors.Is(err, parser.ErrNotPacket) {
			return skipNotPacket, nil
		}
		return skipNotPacket, err
	}
	t.Src = d.names.bytes(d.pkt.Source)
	t.Dst = d.names.bytes(d.pkt.Destination)
	t.Proto = d.names.bytes(d.pkt.Protocol)
	t.Len = d.pkt.Length
	return kept, nil
}

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
