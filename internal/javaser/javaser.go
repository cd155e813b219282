// Package javaser reads the Java Object Serialization Stream Protocol, enough for the
// HashMap<byte[], byte[]> that Kafka Connect's FileOffsetBackingStore writes with
// ObjectOutputStream. It builds a small tree of plain values and never runs or trusts anything it
// reads, so a hostile or damaged offsets file is only an error.
package javaser

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// The reader handles class descriptors, objects with writeObject data, arrays, strings, enums,
// back references and block data. It builds a tree of *Object, []byte, []any, string and the
// primitive field values.

// Type codes of the stream protocol (java.io.ObjectStreamConstants).
const (
	tcNull           = 0x70
	tcReference      = 0x71
	tcClassDesc      = 0x72
	tcObject         = 0x73
	tcString         = 0x74
	tcArray          = 0x75
	tcClass          = 0x76
	tcBlockData      = 0x77
	tcEndBlockData   = 0x78
	tcReset          = 0x79
	tcBlockDataLong  = 0x7A
	tcException      = 0x7B
	tcLongString     = 0x7C
	tcProxyClassDesc = 0x7D
	tcEnum           = 0x7E

	streamMagic   = 0xACED
	streamVersion = 5
	baseHandle    = 0x7E0000

	scWriteMethod    = 0x01
	scSerializable   = 0x02
	scExternalizable = 0x04
	scBlockData      = 0x08

	maxJavaDepth = 64 // nesting beyond this is not something Connect writes
)

// Errors of reading a stream.
var (
	// ErrUnsupported: the input is not a Java serialization stream this reader handles.
	ErrUnsupported = errors.New("unsupported java serialization stream")
	// ErrEmpty: the input has no bytes at all.
	ErrEmpty = errors.New("empty stream")
)

type javaField struct {
	typecode byte
	name     string
}

// Class is a class descriptor: the class's name and what its instances' data holds.
type Class struct {
	Name   string
	flags  byte
	fields []javaField
	super  *Class
}

// Object is a deserialized object: its field values and, per class that has a writeObject
// method, the block data bytes and objects that method wrote, keyed by class name.
type Object struct {
	Class       *Class
	Fields      map[string]any
	BlockData   map[string][]byte
	Annotations map[string][]any
}

// javaBlock is block data met where an object was expected (inside writeObject annotations).
type javaBlock []byte

type javaReader struct {
	r       *bufio.Reader
	handles []any
	depth   int
}

func javaErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnsupported}, args...)...)
}

// Read reads the stream header and its first object: an *Object, []byte, []any, string, *Class or
// nil, with the objects it refers to below it.
func Read(r io.Reader) (any, error) {
	jr := &javaReader{r: bufio.NewReader(r)}
	var hdr [4]byte
	if _, err := io.ReadFull(jr.r, hdr[:]); err != nil {
		if err == io.EOF {
			return nil, ErrEmpty
		}
		return nil, fmt.Errorf("read stream header: %w", err)
	}
	if binary.BigEndian.Uint16(hdr[:2]) != streamMagic || binary.BigEndian.Uint16(hdr[2:]) != streamVersion {
		return nil, javaErrorf("bad stream header %x", hdr)
	}
	v, err := jr.content()
	if err != nil {
		return nil, err
	}
	if _, ok := v.(javaBlock); ok {
		return nil, javaErrorf("block data where an object was expected")
	}
	return v, nil
}

func (jr *javaReader) u8() (byte, error) {
	b, err := jr.r.ReadByte()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return b, err
}

func (jr *javaReader) bytes(n int) ([]byte, error) {
	// Grow as the data arrives rather than trusting a length prefix with the allocation.
	buf := make([]byte, 0, min(n, 1<<16))
	for len(buf) < n {
		chunk := min(n-len(buf), 1<<16)
		start := len(buf)
		buf = append(buf, make([]byte, chunk)...)
		if _, err := io.ReadFull(jr.r, buf[start:]); err != nil {
			return nil, noEOF(err)
		}
	}
	return buf, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (jr *javaReader) u16() (uint16, error) {
	b, err := jr.bytes(2)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint16(b), nil
}

func (jr *javaReader) i32() (int32, error) {
	b, err := jr.bytes(4)
	if err != nil {
		return 0, err
	}
	return int32(binary.BigEndian.Uint32(b)), nil
}

// utf reads a modified-UTF-8 string with a 2-byte (or, for long strings, 8-byte) length. Names
// here are ASCII class and field names and enum constants, so the bytes are kept as they are.
func (jr *javaReader) utf(long bool) (string, error) {
	var n uint64
	if long {
		b, err := jr.bytes(8)
		if err != nil {
			return "", err
		}
		n = binary.BigEndian.Uint64(b)
	} else {
		m, err := jr.u16()
		if err != nil {
			return "", err
		}
		n = uint64(m)
	}
	if n > math.MaxInt32 {
		return "", javaErrorf("string of %d bytes", n)
	}
	b, err := jr.bytes(int(n))
	return string(b), err
}

func (jr *javaReader) newHandle(v any) int {
	jr.handles = append(jr.handles, v)
	return len(jr.handles) - 1
}

func (jr *javaReader) reference() (any, error) {
	h, err := jr.i32()
	if err != nil {
		return nil, err
	}
	i := int64(h) - baseHandle
	if i < 0 || i >= int64(len(jr.handles)) {
		return nil, javaErrorf("reference to unknown handle %#x", h)
	}
	return jr.handles[i], nil
}

// content reads one element: an object, or block data (only meaningful inside annotations).
func (jr *javaReader) content() (any, error) {
	if jr.depth >= maxJavaDepth {
		return nil, javaErrorf("nested deeper than %d", maxJavaDepth)
	}
	jr.depth++
	defer func() { jr.depth-- }()
	tc, err := jr.u8()
	if err != nil {
		return nil, err
	}
	return jr.element(tc)
}

func (jr *javaReader) element(tc byte) (any, error) {
	switch tc {
	case tcNull:
		return nil, nil
	case tcReference:
		return jr.reference()
	case tcClassDesc, tcProxyClassDesc:
		return jr.classDescAfter(tc)
	case tcObject:
		return jr.object()
	case tcString, tcLongString:
		s, err := jr.utf(tc == tcLongString)
		if err != nil {
			return nil, err
		}
		jr.newHandle(s)
		return s, nil
	case tcArray:
		return jr.array()
	case tcEnum:
		return jr.enum()
	case tcClass:
		cd, err := jr.classDesc()
		if err != nil {
			return nil, err
		}
		jr.newHandle(cd)
		return cd, nil
	case tcBlockData, tcBlockDataLong:
		return jr.blockData(tc)
	case tcReset:
		jr.handles = jr.handles[:0]
		return jr.content()
	}
	return nil, javaErrorf("type code %#x", tc)
}
