package talkers

import (
	"encoding/binary"
	"fmt"
)

// The encoding, version 1, all integers varints (signed: zig-zag):
//
//	"TK" version kind measure capacity(-1 unlimited) floor overflowed weight packets bytes
//	nkeys { len(A) A len(B) B err packets bytes packets_ab bytes_ab packets_ba bytes_ba }
//	sketch flag (0 or 1) [1024 register bytes]
//
// Keys are written in heap order (a limited summary), so a decoded summary has the same
// heap and evicts exactly as the original would.
const (
	encodingVersion = 1
	minEntryBytes   = 9 // two empty strings and seven one-byte varints
)

var magic = [2]byte{'T', 'K'}

// AppendBinary appends the summary's encoding to b (encoding.BinaryAppender).
func (s *Summary) AppendBinary(b []byte) ([]byte, error) {
	s.tighten() // keys go in heap order
	b = append(b, magic[0], magic[1], encodingVersion, byte(s.kind), byte(s.by))
	b = binary.AppendVarint(b, int64(s.capacity))
	b = binary.AppendVarint(b, s.floor)
	b = append(b, boolByte(s.overflowed))
	for _, v := range []int64{s.weight, s.packets, s.bytes, int64(len(s.ents))} {
		b = binary.AppendVarint(b, v)
	}
	for k := range s.ents {
		e := &s.ents[s.encodingOrder(k)]
		b = appendString(b, e.key.A)
		b = appendString(b, e.key.B)
		c := &e.c
		for _, v := range []int64{e.err, c.Packets, c.Bytes, c.PacketsAB, c.BytesAB, c.PacketsBA, c.BytesBA} {
			b = binary.AppendVarint(b, v)
		}
	}
	if s.distinct == nil {
		return append(b, 0), nil
	}
	b = append(b, 1)
	return append(b, s.distinct.reg[:]...), nil
}

// MarshalBinary returns the summary's encoding (encoding.BinaryMarshaler).
func (s *Summary) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// UnmarshalBinary replaces s with the summary encoded in data. It checks every length
// against the bytes that are left before allocating, and rejects anything a Summary
// could not have produced (unknown kind, negative counts, duplicate keys, more keys than
// its capacity), so hostile bytes get ErrEncoding, never a panic or a huge allocation. On error s is
// unchanged.
func (s *Summary) UnmarshalBinary(data []byte) error {
	var t Summary
	d := decoder{b: data}
	for _, step := range []func(*Summary) error{d.header, d.entries, d.sketch} {
		if err := step(&t); err != nil {
			return fmt.Errorf("%w: %v", ErrEncoding, err)
		}
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrEncoding, len(d.b))
	}
	t.heapify()
	*s = t
	return nil
}

// encodingOrder is the entry written k-th: the heap's k-th for a limited summary.
func (s *Summary) encodingOrder(k int) int {
	if s.capacity == Unlimited {
		return k
	}
	return int(s.heap[k].ent)
}
