package sink

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type tupleJSON struct {
	Src       string `json:"src"`
	Dst       string `json:"dst"`
	Proto     string `json:"proto"`
	Len       int    `json:"len"`
	BatchTime string `json:"batch_time"`
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
}

func TestJSONLWritesOneObjectPerTuple(t *testing.T) {
	var out bytes.Buffer
	s := NewJSONL(&out)
	bt := time.UnixMilli(1764270242000).In(time.FixedZone("CET", 3600))
	tuples := []Tuple{
		{Src: "10.0.0.1", Dst: "10.0.0.2", Proto: "TCP", Len: 66, Topic: "demo2", Partition: 3, Offset: 17},
		{Src: `q"uo\te`, Dst: "tab\there\x01\u2028", Proto: "", Len: 0, Topic: "demo2", Partition: 0, Offset: 0},
	}
	require.NoError(t, s.Write(context.Background(), Batch{Time: bt, Tuples: tuples}))
	require.NoError(t, s.Write(context.Background(), Batch{Time: bt.Add(2 * time.Second)}))
	require.NoError(t, s.Close(context.Background()))

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 2)
	for i, line := range lines {
		var got tupleJSON
		require.NoError(t, json.Unmarshal([]byte(line), &got), line)
		want := tuples[i]
		assert.Equal(t, tupleJSON{
			Src: want.Src, Dst: want.Dst, Proto: want.Proto, Len: want.Len,
			BatchTime: "2025-11-27T20:04:02+01:00", Topic: want.Topic,
			Partition: want.Partition, Offset: want.Offset,
		}, got)
	}
}

func TestJSONLAggregate(t *testing.T) {
	var out bytes.Buffer
	s := NewJSONL(&out)
	require.NoError(t, s.Write(context.Background(), Batch{
		Time:      time.UnixMilli(2500).UTC(),
		Aggregate: true,
		Counts:    []PairCount{{Src: "a", Dst: "b", Count: 3}},
		Distinct:  5,
	}))
	assert.Equal(t, `{"src":"a","dst":"b","count":3,"batch_time":"1970-01-01T00:00:02.5Z"}`+"\n", out.String())
}

func TestCreateJSONLAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	for i := 0; i < 2; i++ {
		s, err := CreateJSONL(path)
		require.NoError(t, err)
		require.NoError(t, s.Write(context.Background(), Batch{
			Time: time.UnixMilli(0).UTC(), Tuples: []Tuple{{Src: "a", Dst: "b", Offset: int64(i)}},
		}))
		require.NoError(t, s.Close(context.Background()))
	}
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(string(raw), "\n"))
	assert.Contains(t, string(raw), `"offset":1}`)
}

func TestCreateJSONLEndsATornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(`{"src":"a"}`+"\n"+`{"src":"b","ds`), 0o644))
	s, err := CreateJSONL(path)
	require.NoError(t, err)
	require.NoError(t, s.Write(context.Background(), Batch{
		Time: time.UnixMilli(0).UTC(), Tuples: []Tuple{{Src: "c", Dst: "d"}},
	}))
	require.NoError(t, s.Close(context.Background()))
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	require.Len(t, lines, 3)
	var got tupleJSON
	assert.NoError(t, json.Unmarshal([]byte(lines[2]), &got), "the new line is whole")
	assert.Equal(t, "c", got.Src)
}

func TestCreateJSONLBadPath(t *testing.T) {
	_, err := CreateJSONL(filepath.Join(t.TempDir(), "missing", "out.jsonl"))
	assert.Error(t, err)
}

// FuzzAppendJSONString: the output is one valid JSON string that decodes to s, with
// every invalid UTF-8 byte as U+FFFD.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a", `"\`, "\x00\x1f\x7f", "\u2028\u2029", "\xff\xfe", "日本\xe6\x97", "\U0010ffff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendJSONString(nil, s)
		var got string
		require.NoError(t, json.Unmarshal(out, &got), "%q -> %s", s, out)
		var want strings.Builder
		for _, r := range s {
			want.WriteRune(r)
		}
		require.Equal(t, want.String(), got)
		require.NotContains(t, string(out), "\n")
	})
}

func BenchmarkJSONLWrite(b *testing.B) {
	batch := Batch{Time: time.UnixMilli(1764270242000)}
	for i := 0; i < 10000; i++ {
		batch.Tuples = append(batch.Tuples, Tuple{
			Src: "192.168.1.10", Dst: "10.0.0.1", Proto: "TCP", Len: 66, Topic: "demo2", Offset: int64(i),
		})
	}
	s := NewJSONL(discard{})
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Write(context.Background(), batch)
	}
}
