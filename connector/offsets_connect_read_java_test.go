package connector

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadConnectOffsetsMatchesJava writes maps of many entries with the JDK's ObjectOutputStream,
// exactly as FileOffsetBackingStore.save does, and reads them back.
func TestReadConnectOffsetsMatchesJava(t *testing.T) {
	cp := compileJava(t, "", "OffsetsWrite")
	for _, size := range []int{0, 1, 2, 300} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			args, want := randomOffsets(t, uint64(size), size)
			file := filepath.Join(t.TempDir(), "connect.offsets")
			runJava(t, cp, "OffsetsWrite", nil, append([]string{file}, args...)...)

			f, err := os.Open(file)
			require.NoError(t, err)
			defer f.Close()
			got, err := readConnectOffsets(f)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

// randomOffsets returns OffsetsWrite's hex arguments for n entries, and the offsets bridge must
// read from them: file source entries, other connectors' entries and removed (null) ones.
func randomOffsets(t *testing.T, seed uint64, n int) ([]string, []connectOffset) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	names := []string{"local-file-source", "src-é", "s😀", strings.Repeat("long", 100)}
	var args []string
	var want []connectOffset
	for i := range n {
		off := connectOffset{
			Connector: names[rng.IntN(len(names))],
			Filename:  fmt.Sprintf("/var/log/%d-\"→\".log", i),
			Position:  rng.Int64N(1 << 40),
		}
		partition := map[string]any{"filename": off.Filename}
		value := []byte(fmt.Sprintf(`{"position":%d}`, off.Position))
		switch rng.IntN(5) {
		case 0:
			partition = map[string]any{"table": off.Filename}
		case 1:
			value = nil
		default:
			want = append(want, off)
		}
		key, err := json.Marshal([]any{off.Connector, partition})
		require.NoError(t, err)
		v := "null"
		if value != nil {
			v = hex.EncodeToString(value)
		}
		args = append(args, hex.EncodeToString(key), v)
	}
	slices.SortFunc(want, func(a, b connectOffset) int {
		return strings.Compare(a.Connector+"\x00"+a.Filename, b.Connector+"\x00"+b.Filename)
	})
	return args, want
}
