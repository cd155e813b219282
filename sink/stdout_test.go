package sink

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pprintCase is testdata/sink/pprint/<case>/input.json: the batches that
// testdata/sink/pyprint.py prints with pyspark's takeAndPrint.
type pprintCase struct {
	Num     int    `json:"num"`
	TZ      string `json:"tz"`
	Batches []struct {
		Ms     int64      `json:"ms"`
		Tuples [][]string `json:"tuples"`
		Counts [][]any    `json:"counts"`
	} `json:"batches"`
}

func TestStdoutGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "testdata", "sink", "pprint", "*"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in := filepath.Join(dir, "input.json")
			raw, err := os.ReadFile(in)
			require.NoError(t, err)
			var c pprintCase
			require.NoError(t, json.Unmarshal(raw, &c))
			loc, err := time.LoadLocation(c.TZ)
			require.NoError(t, err)

			var out bytes.Buffer
			s, err := NewStdout(&out, StdoutConfig{Num: c.Num, Location: loc})
			require.NoError(t, err)
			for _, b := range c.Batches {
				batch := Batch{Time: time.UnixMilli(b.Ms)}
				for _, p := range b.Tuples {
					batch.Tuples = append(batch.Tuples, Tuple{Src: unhex(t, p[0]), Dst: unhex(t, p[1])})
				}
				if b.Counts != nil {
					batch.Aggregate = true
					batch.Distinct = len(b.Counts)
					for _, p := range b.Counts[:min(c.Num, len(b.Counts))] {
						batch.Counts = append(batch.Counts, PairCount{
							Src: unhex(t, p[0].(string)), Dst: unhex(t, p[1].(string)), Count: int64(p[2].(float64)),
						})
					}
				}
				require.NoError(t, s.Write(context.Background(), batch))
			}
			require.NoError(t, s.Close(context.Background()))
			golden(t, filepath.Join(dir, "want.txt"), out.Bytes(), "pprint", in)
		})
	}
}

// TestStdoutGoldenIsPython checks the stored goldens are still what python3 prints.
func TestStdoutGoldenIsPython(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "testdata", "sink", "pprint", "*"))
	require.NoError(t, err)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, "want.txt"))
			require.NoError(t, err)
			assert.Equal(t, string(want), string(python(t, "pprint", filepath.Join(dir, "input.json"))))
		})
	}
}

func TestStdoutFlushesEveryBatch(t *testing.T) {
	var out bytes.Buffer
	s, err := NewStdout(&out, StdoutConfig{Num: 10, Location: time.UTC})
	require.NoError(t, err)
	require.NoError(t, s.Write(context.Background(), Batch{
		Time:   time.UnixMilli(2000),
		Tuples: []Tuple{{Src: "a", Dst: "b"}},
	}))
	assert.Equal(t, "-------------------------------------------\nTime: 1970-01-01 00:00:02\n"+
		"-------------------------------------------\n('a', 'b')\n\n", out.String())
}

func TestStdoutConfigValidate(t *testing.T) {
	require.NoError(t, DefaultStdoutConfig().Validate())
	err := StdoutConfig{Num: -1}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "num must not be negative")
	assert.Contains(t, err.Error(), "no time zone", "every bad field at once")
	_, err = NewStdout(io.Discard, StdoutConfig{Num: -1, Location: time.UTC})
	assert.Error(t, err, "NewStdout validates")
}

func BenchmarkStdoutWrite(b *testing.B) {
	batch := Batch{Time: time.UnixMilli(1764270242000)}
	for i := 0; i < 10000; i++ {
		batch.Tuples = append(batch.Tuples, Tuple{Src: "192.168.1.10", Dst: "10.0.0.1"})
	}
	s, err := NewStdout(discard{}, DefaultStdoutConfig())
	require.NoError(b, err)
	for b.Loop() {
		_ = s.Write(context.Background(), batch)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
