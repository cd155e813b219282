package connector

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/connectvalue"
	"github.com/bridge-project/bridge/internal/javaser"
)

// testdata/connectoffsets/standalone.offsets was written by Kafka Connect 4.4's own
// FileOffsetBackingStore and OffsetStorageWriter (testdata/java/OffsetsFixture.java).
func TestReadConnectOffsetsFixture(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "connectoffsets", "standalone.offsets"))
	require.NoError(t, err)
	defer f.Close()
	got, err := readConnectOffsets(f)
	require.NoError(t, err)
	assert.Equal(t, []connectOffset{
		{Connector: "local-file-source", Filename: "/tmp/en0.log", Position: 1234},
		{Connector: "local-file-source", Filename: "/var/log/café 😀 \"quoted\".log", Position: 98765432101},
		{Connector: "second-source", Filename: "test.txt", Position: 0},
	}, got)
}

func TestReadConnectOffsetsErrors(t *testing.T) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "connectoffsets", "standalone.offsets"))
	require.NoError(t, err)
	tests := []struct {
		name    string
		data    []byte
		wantErr error
	}{
		{"header cut short", []byte{0xac, 0xed}, io.ErrUnexpectedEOF},
		{"not java serialization", []byte("{\"position\":1}"), javaser.ErrUnsupported},
		{"truncated", fixture[:len(fixture)-20], io.ErrUnexpectedEOF},
		{"a string, not a map", []byte("\xac\xed\x00\x05t\x00\x02hi"), ErrOffsetsFormat},
		{"bad type code", []byte("\xac\xed\x00\x05\x42"), javaser.ErrUnsupported},
		{"dangling reference", []byte("\xac\xed\x00\x05q\x00\x7e\x00\x09"), javaser.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readConnectOffsets(bytes.NewReader(tt.data))
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestReadConnectOffsetsEmptyFile(t *testing.T) {
	got, err := readConnectOffsets(bytes.NewReader(nil))
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestCharsToBytes(t *testing.T) {
	// Each line's end, in Java chars and in bytes.
	const text = "a → b\n😀\r\nbad \xe2\x82 x\rtail"
	tests := []struct {
		name  string
		chars int64
		want  int64
	}{
		{"start", 0, 0},
		{"after arrow line", 6, 8},                // "a → b\n": 6 chars, 8 bytes
		{"after emoji line", 10, 14},              // + "😀\r\n": 2 chars for the emoji
		{"after truncated sequence line", 18, 23}, // + "bad \xe2\x82 x\r": E2 82 is one char
		{"end of file", 22, 27},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := charsToBytes(strings.NewReader(text), tt.chars)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			// A reader that returns one byte at a time splits every multi-byte char.
			got, err = charsToBytes(iotest.OneByteReader(strings.NewReader(text)), tt.chars)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "one byte reads")
			assert.Equal(t, tt.chars, connectvalue.JavaChars([]byte(text)[:tt.want]))
		})
	}
	_, err := charsToBytes(strings.NewReader(text), 23)
	assert.ErrorIs(t, err, ErrPositionPastEOF)
	_, err = charsToBytes(strings.NewReader("😀"), 1)
	assert.ErrorIs(t, err, ErrPositionSplitsChar)
	_, err = charsToBytes(strings.NewReader("x"), -1)
	assert.Error(t, err)
	_, err = charsToBytes(iotest.ErrReader(errors.New("disk on fire")), 1)
	assert.ErrorContains(t, err, "disk on fire")
}

func TestCharsToBytesLargeFile(t *testing.T) {
	// Lines long enough to cross the 64 KiB read buffer at every offset of a multi-byte char.
	var buf bytes.Buffer
	for i := range 20000 {
		buf.WriteString(strings.Repeat("x", i%7))
		buf.WriteString("→😀\xf0\x9f\x98 é\n")
	}
	data := buf.Bytes()
	for _, end := range []int{0, 1, len(data) / 3, len(data) / 2, len(data) - 1, len(data)} {
		// Back up to a line end so the position is one Connect could have saved.
		for end > 0 && data[end-1] != '\n' {
			end--
		}
		got, err := charsToBytes(bytes.NewReader(data), connectvalue.JavaChars(data[:end]))
		require.NoError(t, err)
		assert.Equal(t, int64(end), got)
	}
}

func FuzzCharsToBytes(f *testing.F) {
	f.Add([]byte("a → b\n😀\r\nbad \xe2\x82 x\r"), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		end := int(cut) % (len(data) + 1)
		// Only a char boundary is a position Connect can save; move end to one.
		for p := 0; ; {
			if p >= end {
				end = p
				break
			}
			_, size := connectvalue.DecodeJava(data[p:])
			p += size
		}
		got, err := charsToBytes(iotest.HalfReader(bytes.NewReader(data)), connectvalue.JavaChars(data[:end]))
		require.NoError(t, err)
		assert.Equal(t, int64(end), got)
	})
}

func FuzzReadConnectOffsets(f *testing.F) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "connectoffsets", "standalone.offsets"))
	require.NoError(f, err)
	f.Add(fixture)
	f.Add(fixture[:100])
	huge := append([]byte(nil), fixture...)
	binary.BigEndian.PutUint32(huge[0x64:], 0x7fffffff) // the first array claims 2 GiB
	f.Add(huge)
	f.Fuzz(func(t *testing.T, data []byte) {
		offs, err := readConnectOffsets(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, o := range offs {
			assert.GreaterOrEqual(t, o.Position, int64(0))
		}
	})
}

// TestRealConnectStandalone checks bridge against what a real Connect standalone worker wrote
// (testdata/connectoffsets/real-standalone/README.md): its offsets file, and the values it produced.
func TestRealConnectStandalone(t *testing.T) {
	dir := filepath.Join("testdata", "connectoffsets", "real-standalone")
	conf := parsePropertiesFile(t, filepath.Join(dir, "connector.properties"))
	worker := parsePropertiesFile(t, filepath.Join(dir, "worker.properties"))
	data, err := os.ReadFile(filepath.Join(dir, conf["file"]))
	require.NoError(t, err)

	f, err := os.Open(filepath.Join(dir, worker["offset.storage.file.filename"]))
	require.NoError(t, err)
	defer f.Close()
	offs, err := readConnectOffsets(f)
	require.NoError(t, err)
	require.Len(t, offs, 1)
	assert.Equal(t, conf["name"], offs[0].Connector)
	assert.Equal(t, conf["file"], offs[0].Filename)
	// Connect saved the position after its last line, counted in chars; the file is all lines.
	assert.Equal(t, connectvalue.JavaChars(data), offs[0].Position)
	assert.Less(t, offs[0].Position, int64(len(data)), "non-ASCII makes chars fewer than bytes")
	end, err := charsToBytes(bytes.NewReader(data), offs[0].Position)
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), end)

	want, err := os.ReadFile(filepath.Join(dir, "values.hex"))
	require.NoError(t, err)
	recs := goRecords(data)
	wantValues := strings.Fields(string(want))
	require.Len(t, recs, len(wantValues))
	for i, rec := range recs {
		assert.Equal(t, wantValues[i], hex.EncodeToString(rec.values[FormatJSONSchema]), "record %d", i)
	}
}
