package stream

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/bridge-project/bridge/internal/connectvalue"
	"github.com/bridge-project/bridge/parser"
	"github.com/bridge-project/bridge/sink"
)

// ParseMode names how a record's payload line becomes a (src, dst) pair: the line parser
// the --parser flag picks.
type ParseMode string

// The parse modes.
const (
	// ParseTshark finds tshark's Source and Destination columns on every default layout;
	// lines that are not packets are counted and skipped.
	ParseTshark ParseMode = "tshark"
	// ParseSeed is the blog's Python: fields 2 and 4 of payload.split(), or
	// ("None", "None") when there are fewer fields.
	ParseSeed ParseMode = "seed"
)

func (m ParseMode) validate() error {
	if m != ParseTshark && m != ParseSeed {
		return fmt.Errorf("parser %q: want %s or %s", m, ParseTshark, ParseSeed)
	}
	return nil
}

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
	mode     ParseMode
	maxValue int
	pkt      parser.PacketBytes
	names    interner
}

func newDecoder(mode ParseMode, maxValue int) *decoder {
	return &decoder{mode: mode, maxValue: maxValue, names: newInterner(internSlots)}
}

// decode fills t's Src, Dst, Proto and Len from the record value v, or says why it
// cannot; err carries detail for the log when there is any.
func (d *decoder) decode(v []byte, t *sink.Tuple) (skipReason, error) {
	if len(v) > d.maxValue {
		return skipTooLarge, nil
	}
	line, err := connectvalue.DecodeValue(v)
	if err != nil {
		return skipEnvelope, err
	}
	return d.decodeLine(line, t)
}

// decodeLine fills t from one payload line.
func (d *decoder) decodeLine(line []byte, t *sink.Tuple) (skipReason, error) {
	if d.mode == ParseSeed {
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

func (r skipReason) String() string {
	switch r {
	case skipNotPacket:
		return "not a packet line"
	case skipEnvelope:
		return "malformed envelope"
	case skipTooLarge:
		return "value too large"
	default:
		return "kept"
	}
}
