package connector

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/bridge-project/bridge/internal/connectvalue"
	"github.com/bridge-project/bridge/internal/javaser"
)

// connectOffset is one FileStreamSource position from a Connect standalone worker's
// offset.storage.file.filename.
type connectOffset struct {
	Connector string // the connector's name= setting
	Filename  string // its file= setting, as the connector saw it
	// Position counts Java chars (UTF-16 code units) of the decoded file up to the end of the last
	// line Connect produced, not bytes; charsToBytes converts it.
	Position int64
}

// readConnectOffsets reads a Connect standalone offsets file: FileOffsetBackingStore writes a
// java.util.HashMap<byte[], byte[]> with ObjectOutputStream, each key the JSON
// ["<connector>",{"filename":"<file>"}] and each value {"position":<chars>}, both written by a
// schemaless JsonConverter. Entries of other connector types (no filename) and removed offsets
// (null values) are skipped. The result is sorted by connector, then filename.
//
// An empty file holds no offsets, as for Connect. A truncated one is an error here, where Connect
// would ignore it and start every file over.
func readConnectOffsets(r io.Reader) ([]connectOffset, error) {
	root, err := javaser.Read(r)
	if errors.Is(err, javaser.ErrEmpty) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read connect offsets: %w", err)
	}
	entries, err := hashMapEntries(root)
	if err != nil {
		return nil, fmt.Errorf("read connect offsets: %w", err)
	}
	var out []connectOffset
	for i := 0; i < len(entries); i += 2 {
		off, ok, err := parseConnectEntry(entries[i], entries[i+1])
		if err != nil {
			return nil, fmt.Errorf("read connect offsets: entry %d: %w", i/2, err)
		}
		if ok {
			out = append(out, off)
		}
	}
	slices.SortFunc(out, func(a, b connectOffset) int {
		return cmp.Or(cmp.Compare(a.Connector, b.Connector), cmp.Compare(a.Filename, b.Filename))
	})
	return out, nil
}

// hashMapEntries returns key, value, key, value... of a deserialized java.util.HashMap (or a
// subclass), which HashMap.writeObject stores as block data (bucket count, size) and then objects.
func hashMapEntries(root any) ([]any, error) {
	obj, ok := root.(*javaser.Object)
	if !ok {
		return nil, fmt.Errorf("%w: top object is %T", ErrOffsetsFormat, root)
	}
	const hashMap = "java.util.HashMap"
	data, hasData := obj.BlockData[hashMap]
	if !hasData {
		return nil, fmt.Errorf("%w: top object is a %s", ErrOffsetsFormat, obj.Class.Name)
	}
	if len(data) < 8 {
		return nil, fmt.Errorf("%w: HashMap without its size", ErrOffsetsFormat)
	}
	size := int32(binary.BigEndian.Uint32(data[4:8]))
	entries := obj.Annotations[hashMap]
	if size < 0 || int64(len(entries)) != 2*int64(size) {
		return nil, fmt.Errorf("%w: HashMap of size %d holds %d objects", ErrOffsetsFormat, size, len(entries))
	}
	return entries, nil
}

// parseConnectEntry decodes one entry; ok is false for entries that are not a file source position.
func parseConnectEntry(k, v any) (off connectOffset, ok bool, err error) {
	key, isBytes := k.([]byte)
	if !isBytes {
		return off, false, fmt.Errorf("%w: key is %T", ErrOffsetsFormat, k)
	}
	if v == nil {
		return off, false, nil // an offset reset through the REST API leaves a null
	}
	value, isBytes := v.([]byte)
	if !isBytes {
		return off, false, fmt.Errorf("%w: value is %T", ErrOffsetsFormat, v)
	}
	var parts []json.RawMessage
	if err := unmarshalConnectJSON(key, &parts); err != nil || len(parts) != 2 {
		return off, false, fmt.Errorf("%w: key %q", ErrOffsetsFormat, key)
	}
	var partition map[string]any
	if err := json.Unmarshal(parts[0], &off.Connector); err != nil {
		return off, false, fmt.Errorf("%w: key %q: %w", ErrOffsetsFormat, key, err)
	}
	if err := json.Unmarshal(parts[1], &partition); err != nil {
		return off, false, fmt.Errorf("%w: key %q: %w", ErrOffsetsFormat, key, err)
	}
	if off.Filename, ok = partition["filename"].(string); !ok {
		return off, false, nil // some other connector's partition
	}
	var pos struct{ Position *json.Number }
	if err := unmarshalConnectJSON(value, &pos); err != nil {
		return off, false, fmt.Errorf("%w: value %q: %w", ErrOffsetsFormat, value, err)
	}
	if pos.Position == nil {
		return off, false, nil // stdin-style offsets carry a null position
	}
	if off.Position, err = pos.Position.Int64(); err != nil || off.Position < 0 {
		return off, false, fmt.Errorf("%w: value %q: bad position", ErrOffsetsFormat, value)
	}
	return off, true, nil
}

// unmarshalConnectJSON decodes JSON written by Connect's internal converter, unwrapping a schema
// envelope in case a worker was configured to keep schemas.
func unmarshalConnectJSON(data []byte, v any) error {
	var env struct {
		Schema  json.RawMessage
		Payload json.RawMessage
	}
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) && json.Unmarshal(data, &env) == nil &&
		env.Payload != nil && env.Schema != nil {
		data = env.Payload
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// charsToBytes converts a FileStreamSource position, counted in Java chars of the file decoded as
// Connect's reader decodes it, to the byte offset in the file: a 4-byte UTF-8 char is 2 chars, each
// U+FFFD that replaced a malformed subpart is 1 char.
//
// Connect itself skips that many bytes when it resumes, which is only right for ASCII files; bridge
// resumes at the byte offset the chars really end at.
func charsToBytes(r io.Reader, chars int64) (int64, error) {
	if chars < 0 {
		return 0, fmt.Errorf("chars to bytes: negative position %d", chars)
	}
	buf := make([]byte, 0, 64<<10)
	var pos, units int64
	eof := false
	for {
		i, err := advanceChars(buf, chars-units, eof, &units)
		pos += int64(i)
		if err != nil {
			return 0, fmt.Errorf("chars to bytes: at byte %d: %w", pos, err)
		}
		if units == chars {
			return pos, nil
		}
		if eof {
			return 0, fmt.Errorf("chars to bytes: %d chars, file has %d: %w", chars, units, ErrPositionPastEOF)
		}
		buf = append(buf[:0], buf[i:]...)
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			eof = true
		} else if err != nil {
			return 0, fmt.Errorf("chars to bytes: %w", err)
		}
	}
}

// advanceChars consumes up to want chars from buf and returns the bytes consumed. Unless eof, it
// stops before a non-ASCII char whose bytes may not all be in buf yet.
func advanceChars(buf []byte, want int64, eof bool, units *int64) (int, error) {
	i := 0
	for ; i < len(buf) && want > 0; want-- {
		if buf[i] < 0x80 {
			i++
			*units++
			continue
		}
		if len(buf)-i < 4 && !eof {
			break
		}
		r, size := connectvalue.DecodeJava(buf[i:])
		n := connectvalue.RuneChars(r)
		if n > want {
			return i, ErrPositionSplitsChar
		}
		want -= n - 1
		*units += n
		i += size
	}
	return i, nil
}
