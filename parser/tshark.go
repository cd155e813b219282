package parser

import "strings"

// tshark's default summary line is printed by print_columns in tshark.c as
//
//	No.(right-aligned, ≥3 or ≥5 wide) Time(right, ≥10) Source(right, ≥12) → Destination(left, ≥12) Protocol Length Info
//
// with one space between columns. Time, Source, Destination and Protocol may all contain
// spaces ("2026-11-27 19:04:02.1", "1h  2m  4.8s", "aa:bb (aa:bb) (TA)", "AFS (RX)"), so the
// line cannot be split on whitespace. The parser anchors on the frame number, recognises the
// time column by its shape, takes the arrow as the end of Source, uses tshark's padding of
// Destination (or, when a long destination leaves no padding, the "name (…) (…)" shape of
// multi-word addresses) to find where Destination ends, and takes the first all-digit word
// after that as Length.

// PacketBytes is a Packet whose text fields are sub-slices of the line given to ParseInto.
// It exists so the hot path copies nothing: the fields stay valid only as long as that
// line's buffer is not reused. Each field's capacity is capped at its length, so appending
// to one never overwrites the line.
type PacketBytes struct {
	Number      int64
	Time        []byte
	Source      []byte
	Destination []byte
	Protocol    []byte
	Length      int
	Info        []byte
}

// Packet copies p into a Packet with its own strings (one allocation for all of them).
func (p *PacketBytes) Packet() Packet {
	fields := [...][]byte{p.Time, p.Source, p.Destination, p.Protocol, p.Info}
	var b strings.Builder
	b.Grow(len(p.Time) + len(p.Source) + len(p.Destination) + len(p.Protocol) + len(p.Info))
	for _, f := range fields {
		b.Write(f)
	}
	// One backing string, cut into the five fields.
	all := b.String()
	var out [len(fields)]string
	for i, f := range fields {
		out[i], all = all[:len(f)], all[len(f):]
	}
	return Packet{Number: p.Number, Time: out[0], Source: out[1], Destination: out[2],
		Protocol: out[3], Length: p.Length, Info: out[4]}
}

// ParseInto parses one line of tshark's default text output into p without allocating.
// p's byte fields alias line. Lines that are not packet summaries (blank lines, the
// "Capturing on 'eth0'" banner, "N packets captured", garbage) return ErrNotPacket and
// leave p unchanged.
func ParseInto(line []byte, p *PacketBytes) error {
	c, err := scanLine(line)
	if err != nil {
		return err
	}
	*p = PacketBytes{
		Number:      c.number,
		Time:        line[c.time.from:c.time.to:c.time.to],
		Source:      line[c.src.from:c.src.to:c.src.to],
		Destination: line[c.dst.from:c.dst.to:c.dst.to],
		Protocol:    line[c.proto.from:c.proto.to:c.proto.to],
		Length:      c.length,
		Info:        line[c.info.from:c.info.to:c.info.to],
	}
	return nil
}

// TsharkString parses one line of tshark's default text output. The returned strings are
// substrings of line, so it does not allocate. See ParseInto for the errors.
func TsharkString(line string) (Packet, error) {
	c, err := scanLine(line)
	if err != nil {
		return Packet{}, err
	}
	return Packet{
		Number:      c.number,
		Time:        line[c.time.from:c.time.to],
		Source:      line[c.src.from:c.src.to],
		Destination: line[c.dst.from:c.dst.to],
		Protocol:    line[c.proto.from:c.proto.to],
		Length:      c.length,
		Info:        line[c.info.from:c.info.to],
	}, nil
}

// Tshark parses one line of tshark's default text output into a Packet that owns its
// strings (one allocation per packet line, none for rejected lines), so line's buffer may
// be reused afterwards. Use ParseInto or TsharkString on hot paths that must not allocate.
func Tshark(line []byte) (Packet, error) {
	c, err := scanLine(line)
	if err != nil {
		return Packet{}, err
	}
	// Copy only the part the fields live in; every field is a substring of that copy.
	s := string(line[c.time.from:c.info.to])
	at := func(sp span) string { return s[sp.from-c.time.from : sp.to-c.time.from] }
	return Packet{
		Number:      c.number,
		Time:        at(c.time),
		Source:      at(c.src),
		Destination: at(c.dst),
		Protocol:    at(c.proto),
		Length:      c.length,
		Info:        at(c.info),
	}, nil
}
