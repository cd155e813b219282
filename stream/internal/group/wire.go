// Package group is the group-wide half of bridge stream's talkers: the records members
// exchange through the group's internal topic (pane deltas, watermarks, checkpoints), the
// per-partition clocks that say when a record-time window may close, and the merger that
// turns the deltas of a window into the group's one answer. It knows Kafka's records and
// offsets but no client: the stream polls, produces and commits, this package decides.
//
// The design is Kafka Streams' repartition: every member ships per-(input partition,
// pane) deltas, one record to each internal partition naming the windows of the pane
// that partition merges, so all deltas of a window meet on one internal partition,
// whose owner (the group balancer picks it, no member is special) merges them and emits
// the window once every input partition's watermark has passed its end plus the grace.
package group

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Kind tells the internal topic's records apart (the value's second byte).
type Kind byte

// The records of the internal topic.
const (
	KindDelta      Kind = 'd' // a member's summary of one input partition's records in one pane, for one window
	KindPane       Kind = 'p' // the same for every window of the pane merged on the record's partition
	KindWatermark  Kind = 'w' // a member's watermarks of the input partitions it owns
	KindCheckpoint Kind = 'c' // a merger emitted every window of its partition through an end
)

// wireVersion is the first byte of every value this package writes; a reader refuses
// other versions instead of guessing.
const wireVersion = 1

// Sentinel errors of the codec.
var (
	ErrVersion   = errors.New("group record: unknown version")
	ErrKind      = errors.New("group record: unknown kind")
	ErrTruncated = errors.New("group record: truncated")
)

// Delta is the summary of the records one member read from one input partition that fall
// in one pane, for the windows that pane is part of and that one internal partition
// merges: a pane of a 60 s window sliding by 2 s is in 30 windows, and one record
// carries it to each partition rather than one record a window.
type Delta struct {
	WindowEnd int64   // ms since the epoch: the first of Ends, the record's key
	Ends      []int64 // every window the delta is for, ascending; nil means WindowEnd alone
	PaneStart int64   // ms since the epoch
	Topic     string
	Partition int32
	Records   int64  // records the summary holds, counted late whole if the window was emitted
	Summary   []byte // the talkers summary, in its own binary encoding
}

// Mark is the watermark of one input partition: every record its owner will still send
// has a timestamp at or after At (ms), give or take the grace.
type Mark struct {
	Topic     string
	Partition int32
	At        int64
}

// Watermarks is what a member broadcasts to every internal partition after each batch:
// the marks of the input partitions it owns and the partition count of every input
// topic, so a merger knows which partitions it must hear from.
type Watermarks struct {
	Topics map[string]int32
	Marks  []Mark
}

// Checkpoint says the merger of a partition emitted every window through End (ms).
type Checkpoint struct{ Through int64 }

// Answer is a window's group-wide summary, the value of the answers topic.
type Answer struct {
	Start, End int64 // ms since the epoch; the window is [Start, End)
	Records    int64
	Summary    []byte
}

// Windows returns the ends of the windows the delta is for: Ends, or WindowEnd alone.
func (d *Delta) Windows() []int64 {
	if len(d.Ends) == 0 {
		return []int64{d.WindowEnd}
	}
	return d.Ends
}

// AppendDelta appends d's encoding to b.
func AppendDelta(b []byte, d *Delta) []byte {
	b = append(b, wireVersion, byte(KindPane))
	ends := d.Windows()
	b = binary.AppendUvarint(b, uint64(len(ends)))
	b = binary.AppendVarint(b, ends[0])
	for i := 1; i < len(ends); i++ {
		b = binary.AppendUvarint(b, uint64(ends[i]-ends[i-1]))
	}
	b = binary.AppendVarint(b, d.PaneStart)
	b = appendString(b, d.Topic)
	b = binary.AppendVarint(b, int64(d.Partition))
	b = binary.AppendVarint(b, d.Records)
	return append(b, d.Summary...)
}

// AppendWatermarks appends w's encoding to b.
func AppendWatermarks(b []byte, w *Watermarks) []byte {
	b = append(b, wireVersion, byte(KindWatermark))
	b = binary.AppendUvarint(b, uint64(len(w.Topics)))
	for _, t := range sortedKeys(w.Topics) {
		b = appendString(b, t)
		b = binary.AppendVarint(b, int64(w.Topics[t]))
	}
	b = binary.AppendUvarint(b, uint64(len(w.Marks)))
	for _, m := range w.Marks {
		b = appendString(b, m.Topic)
		b = binary.AppendVarint(b, int64(m.Partition))
		b = binary.AppendVarint(b, m.At)
	}
	return b
}

// AppendCheckpoint appends c's encoding to b.
func AppendCheckpoint(b []byte, c Checkpoint) []byte {
	b = append(b, wireVersion, byte(KindCheckpoint))
	return binary.AppendVarint(b, c.Through)
}

// AppendAnswer appends a's encoding to b.
func AppendAnswer(b []byte, a *Answer) []byte {
	b = append(b, wireVersion)
	b = binary.AppendVarint(b, a.Start)
	b = binary.AppendVarint(b, a.End)
	b = binary.AppendVarint(b, a.Records)
	return append(b, a.Summary...)
}

// KindOf returns the kind of an internal record's value.
func KindOf(v []byte) (Kind, error) {
	if len(v) < 2 {
		return 0, ErrTruncated
	}
	if v[0] != wireVersion {
		return 0, fmt.Errorf("%w %d", ErrVersion, v[0])
	}
	switch k := Kind(v[1]); k {
	case KindDelta, KindPane, KindWatermark, KindCheckpoint:
		return k, nil
	default:
		return 0, fmt.Errorf("%w %q", ErrKind, v[1])
	}
}

// DecodeDelta decodes a delta of either kind; its Summary aliases v.
func DecodeDelta(v []byte) (Delta, error) {
	k, err := KindOf(v)
	if err == nil && k == KindDelta {
		return decodeDelta(reader{b: v[2:]}, 0)
	}
	r, err := open(v, KindPane)
	if err != nil {
		return Delta{}, err
	}
	n := r.count()
	if n == 0 && r.err == nil {
		return Delta{}, errors.New("group record: a delta for no window")
	}
	return decodeDelta(r, n)
}

// decodeDelta reads a delta's fields after its kind: a 'p' record's n window ends
// first, a 'd' record's one (n 0).
func decodeDelta(r reader, n int) (Delta, error) {
	var d Delta
	d.WindowEnd = r.varint()
	if n > 0 {
		d.Ends = make([]int64, 1, n)
		d.Ends[0] = d.WindowEnd
		for i := 1; i < n && r.err == nil; i++ {
			d.Ends = append(d.Ends, d.Ends[i-1]+int64(r.uvarint()))
		}
	}
	d.PaneStart, d.Topic = r.varint(), r.string()
	d.Partition, d.Records = r.int32(), r.varint()
	d.Summary = r.rest()
	return d, r.err
}

// DecodeWatermarks decodes a watermark record.
func DecodeWatermarks(v []byte) (Watermarks, error) {
	r, err := open(v, KindWatermark)
	if err != nil {
		return Watermarks{}, err
	}
	n := r.count()
	w := Watermarks{Topics: make(map[string]int32, n)}
	for i := 0; i < n && r.err == nil; i++ {
		t := r.string()
		w.Topics[t] = r.int32()
	}
	n = r.count()
	w.Marks = make([]Mark, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		w.Marks = append(w.Marks, Mark{Topic: r.string(), Partition: r.int32(), At: r.varint()})
	}
	if r.err == nil && len(r.b) > 0 {
		r.err = fmt.Errorf("group record: %d trailing bytes", len(r.b))
	}
	return w, r.err
}

// DecodeCheckpoint decodes a checkpoint record.
func DecodeCheckpoint(v []byte) (Checkpoint, error) {
	r, err := open(v, KindCheckpoint)
	if err != nil {
		return Checkpoint{}, err
	}
	c := Checkpoint{Through: r.varint()}
	return c, r.err
}

// DecodeAnswer decodes an answer; its Summary aliases v.
func DecodeAnswer(v []byte) (Answer, error) {
	if len(v) < 1 {
		return Answer{}, ErrTruncated
	}
	if v[0] != wireVersion {
		return Answer{}, fmt.Errorf("%w %d", ErrVersion, v[0])
	}
	r := reader{b: v[1:]}
	a := Answer{Start: r.varint(), End: r.varint(), Records: r.varint()}
	a.Summary = r.rest()
	return a, r.err
}

func open(v []byte, want Kind) (reader, error) {
	k, err := KindOf(v)
	if err != nil {
		return reader{}, err
	}
	if k != want {
		return reader{}, fmt.Errorf("%w: %q, want %q", ErrKind, k, want)
	}
	return reader{b: v[2:]}, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// reader decodes hostile bytes: the first error sticks, and no count is trusted beyond
// the bytes that could hold it.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = ErrTruncated
	}
	r.b = nil
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) int32() int32 {
	v := r.varint()
	if v < 0 || v > 1<<31-1 {
		r.fail()
		return 0
	}
	return int32(v)
}

// count reads a length of items that take at least one byte each.
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *reader) string() string {
	n := r.count()
	if r.err != nil {
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) rest() []byte {
	if r.err != nil {
		return nil
	}
	b := r.b
	r.b = nil
	return b
}
