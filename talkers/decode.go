package talkers

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// decoder reads a Summary's encoding (see encode.go), consuming b.
type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated")

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.fail(errShort)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// count reads a varint that must be ≥ 0.
func (d *decoder) count() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	if v < 0 {
		d.fail(fmt.Errorf("negative count %d", v))
		return 0
	}
	return v
}

func (d *decoder) string() string {
	if d.err != nil {
		return ""
	}
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)-k) {
		d.fail(errShort)
		return ""
	}
	s := string(d.b[k : k+int(n)])
	d.b = d.b[k+int(n):]
	return s
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *decoder) header(s *Summary) error {
	if len(d.b) < 5 || d.b[0] != magic[0] || d.b[1] != magic[1] {
		return errors.New("not a talkers summary")
	}
	if d.b[2] != encodingVersion {
		return fmt.Errorf("version %d, want %d", d.b[2], encodingVersion)
	}
	s.kind, s.by = KeyKind(d.b[3]), Measure(d.b[4])
	d.b = d.b[5:]
	if !s.kind.valid() || !s.by.valid() {
		return errors.New("unknown kind or measure")
	}
	capacity, n := binary.Varint(d.b)
	if n <= 0 || (capacity != Unlimited && (capacity < 1 || capacity > MaxCapacity)) {
		return errors.New("bad capacity")
	}
	d.b = d.b[n:]
	s.capacity = int(capacity)
	s.floor = d.count()
	s.overflowed = d.flag()
	s.weight, s.packets, s.bytes = d.count(), d.count(), d.count()
	return d.err
}

func (d *decoder) flag() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail(errors.New("bad flag"))
	return false
}

func (d *decoder) entries(s *Summary) error {
	n := d.count()
	if d.err != nil {
		return d.err
	}
	// Every entry takes at least minEntryBytes, so n cannot ask for more than the input.
	if n > int64(len(d.b)/minEntryBytes) || (s.capacity != Unlimited && n > int64(s.capacity)) {
		return fmt.Errorf("%d keys do not fit", n)
	}
	s.ents = make([]entry, 0, n)
	s.index.reset(int(n))
	for i := int64(0); i < n && d.err == nil; i++ {
		e := entry{key: Key{A: d.string(), B: d.string()}, err: d.count()}
		e.h = keyHash(e.key)
		c := &e.c
		c.Packets, c.Bytes, c.PacketsAB, c.BytesAB, c.PacketsBA, c.BytesBA =
			d.count(), d.count(), d.count(), d.count(), d.count(), d.count()
		if _, dup := s.index.find(s.ents, e.key, e.h); dup {
			d.fail(fmt.Errorf("key %q twice", e.key))
		}
		if e.err > s.floor {
			d.fail(errors.New("error above the bound"))
		}
		s.index.insert(e.h, int32(len(s.ents)))
		s.ents = append(s.ents, e)
	}
	return d.err
}

func (d *decoder) sketch(s *Summary) error {
	if !d.flag() {
		return d.err
	}
	h := newSketch()
	if len(d.b) < len(h.reg) {
		return errShort
	}
	d.b = d.b[copy(h.reg[:], d.b):]
	for _, r := range h.reg {
		if r > 64-sketchBits+1 {
			return errors.New("bad sketch register")
		}
	}
	s.distinct = h
	return nil
}
