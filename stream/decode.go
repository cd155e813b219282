package stream

import (
	"errors"
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
	return &decoder{mode: mode, maxValue: maxValue, names: newInterner(internMax)}
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

// internMax bounds the interner; past it the table starts over, which costs only
// allocations, never correctness.
const internMax = 1 << 16

// interner hands out one shared string per distinct address: a capture names the same
// few hosts over and over, so this removes nearly all per-record allocations.
type interner struct {
	m   map[string]string
	max int
}

func newInterner(max int) interner { return interner{m: make(map[string]string), max: max} }

func (in *interner) bytes(b []byte) string {
	if s, ok := in.m[string(b)]; ok { // no allocation: the compiler looks up without copying
		return s
	}
	return in.add(string(b))
}

// string interns a string that may alias a buffer the caller does not own.
func (in *interner) string(s string) string {
	if v, ok := in.m[s]; ok {
		return v
	}
	return in.add(string([]byte(s)))
}

func (in *interner) add(s string) string {
	if len(in.m) >= in.max {
		clear(in.m)
	}
	in.m[s] = s
	return s
}
