package connector

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

// Every line terminator Connect knows, a partial last line, and values byte for byte.
func TestSourceLinesAndValues(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	appendFile(t, file, "lf\ncrlf\r\nlone cr\rtab\there \"quoted\" é\n\nlast partial")

	r := startSource(t, testConfig(c, dir, file, topic))
	recs := c.ReadAll(t, topic, 5, 30*time.Second)
	want := []string{"lf", "crlf", "lone cr", "tab\there \"quoted\" é", ""}
	require.Len(t, recs, len(want))
	for i, rec := range recs {
		assert.Equal(t, string(FormatJSONSchema.AppendValue(nil, []byte(want[i]))), string(rec.Value), "record %d", i)
		assert.Nil(t, rec.Key, "Connect's FileStreamSource writes a null key")
	}

	// The partial line goes out once completed, and not before.
	appendFile(t, file, " now complete\r")
	appendFile(t, file, "\nnext\n")
	assert.Equal(t, []string{"lf", "crlf", "lone cr", want[3], "", "last partial now complete", "next"}, readN(t, c, topic, 7))
	require.NoError(t, r.stop(t))
	pos, ok := loadOffsets(t, testConfig(c, dir, file, topic))
	require.True(t, ok)
	fi, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, fi.Size(), pos.Offset, "stopped after the last line: offset at the end of the file")
	assert.Equal(t, int64(7), r.src.Stats().RecordsProduced.Load())
}

// A restart resumes at the saved offset: nothing lost, nothing produced twice.
func TestSourceResumeAfterRestart(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 3)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	appendFile(t, file, numbered("first", 0, 1000))

	r := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() == 1000 }, "first run")
	require.NoError(t, r.stop(t))

	appendFile(t, file, numbered("second", 0, 1000))
	r = startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() == 1000 }, "second run")
	require.NoError(t, r.stop(t))

	got := payloads(t, c.ReadEverything(t, topic, false))
	assert.ElementsMatch(t, append(lines("first", 0, 1000), lines("second", 0, 1000)...), got)
}

// A partial line at a stop is read again, whole, after the restart.
func TestSourcePartialLineAcrossRestart(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	appendFile(t, file, "one\ntwo\nthr")

	r := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() == 2 }, "two lines")
	require.NoError(t, r.stop(t))
	pos, _ := loadOffsets(t, cfg)
	assert.Equal(t, int64(len("one\ntwo\n")), pos.Offset, "the offset never points into a line")

	appendFile(t, file, "ee\n")
	r = startSource(t, cfg)
	assert.Equal(t, []string{"one", "two", "three"}, readN(t, c, topic, 3))
	require.NoError(t, r.stop(t))
}

// tshark without -l writes 4096-byte blocks that end mid-line; bridge must produce exactly the
// lines, whatever the cut, also when stopped and restarted in the middle.
func TestSourceTsharkBlocks(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	var want []string
	var log strings.Builder
	for i := range 3000 {
		line := tsharkLine(i)
		want = append(want, line)
		log.WriteString(line + "\n")
	}
	data := []byte(log.String())

	r := startSource(t, cfg)
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	defer f.Close()
	blocks := 0
	for off := 0; off < len(data); off += 4096 {
		_, err := f.Write(data[off:min(off+4096, len(data))])
		require.NoError(t, err)
		blocks++
		time.Sleep(2 * time.Millisecond) // the next block comes later: the reader sees half lines
		if blocks == len(data)/4096/2 {
			require.NoError(t, r.stop(t))
			r = startSource(t, cfg)
		}
	}
	assert.Equal(t, want, readN(t, c, topic, len(want)))
	require.NoError(t, r.stop(t))
	assert.Len(t, c.ReadEverything(t, topic, false), len(want), "a clean stop produces no duplicate")
}

// tsharkLine is a line shaped like tshark's default summary output.
func tsharkLine(i int) string {
	return strings.TrimRight(strings.Join([]string{
		pad(i+1, 6), "0." + pad(i*7919%1000000, 6), "192.168.1." + pad(i%250, 1), "→",
		"93.184.216." + pad(i%200, 1), "TCP", "66", pad(40000+i%20000, 5) + " → 443 [ACK] Seq=1 Ack=1 Win=2048 Len=0",
	}, " "), " ")
}

func pad(n, width int) string {
	s := []byte(strings.Repeat(" ", width))
	num := []byte(itoa(n))
	if len(num) >= width {
		return string(num)
	}
	copy(s[width-len(num):], num)
	return string(s)
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// A missing file is waited for, with one log line, then read from its start.
func TestSourceMissingFileWaits(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "later.log")
	r := startSource(t, testConfig(c, dir, file, topic))
	eventually(t, 10*time.Second, func() bool { return strings.Contains(r.logs.String(), "waiting for the file") }, "wait log")
	time.Sleep(200 * time.Millisecond) // several poll rounds
	assert.Equal(t, 1, strings.Count(r.logs.String(), "waiting for the file"), "logged once")
	appendFile(t, file, "hello\nworld\n")
	assert.Equal(t, []string{"hello", "world"}, readN(t, c, topic, 2))
	require.NoError(t, r.stop(t))
}

func TestSourceFormats(t *testing.T) {
	line := "a \"b\"\tc"
	tests := []struct {
		name   string
		format Format
		want   string
	}{
		{"json-schema", FormatJSONSchema, `{"schema":{"type":"string","optional":false},"payload":"a \"b\"\tc"}`},
		{"json", FormatJSON, `"a \"b\"\tc"`},
		{"string", FormatString, line},
	}
	c := kafkatest.New(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topic := c.Topic(t, 1)
			dir := t.TempDir()
			file := filepath.Join(dir, "en0.log")
			appendFile(t, file, line+"\n")
			cfg := testConfig(c, dir, file, topic)
			cfg.Format = tt.format
			r := startSource(t, cfg)
			recs := c.ReadAll(t, topic, 1, 30*time.Second)
			require.Len(t, recs, 1)
			assert.Equal(t, tt.want, string(recs[0].Value))
			require.NoError(t, r.stop(t))
		})
	}
}

func TestConfigValidate(t *testing.T) {
	ok := DefaultConfig()
	ok.File, ok.Topic, ok.Brokers, ok.OffsetsFile = "f", "t", []string{"b:9092"}, "o"
	require.NoError(t, ok.Validate())
	tests := []struct {
		name string
		mut  func(*Config)
	}{
		{"no file", func(c *Config) { c.File = "" }},
		{"no topic", func(c *Config) { c.Topic = "" }},
		{"no brokers", func(c *Config) { c.Brokers = nil }},
		{"no offsets file", func(c *Config) { c.OffsetsFile = "" }},
		{"bad format", func(c *Config) { c.Format = 7 }},
		{"bad oversize", func(c *Config) { c.Oversize = -1 }},
		{"tiny record limit", func(c *Config) { c.MaxRecordBytes = 10 }},
		{"negative interval", func(c *Config) { c.FlushInterval = -time.Second }},
		{"unknown compression", func(c *Config) { c.Compression = "brotli" }},
		{"offsets topic is the data topic", func(c *Config) { c.ExactlyOnce, c.OffsetsTopic = true, "t" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.mut(&cfg)
			assert.ErrorIs(t, cfg.Validate(), ErrInvalidConfig)
		})
	}
	eos := ok
	eos.ExactlyOnce, eos.OffsetsFile = true, ""
	assert.NoError(t, eos.Validate(), "exactly-once keeps offsets in a topic")

	// Nothing is filled in any more: a zero value is refused, and every bad value is named.
	err := Config{File: "f", Topic: "t", Brokers: []string{"b:9092"}, OffsetsFile: "o"}.Validate()
	require.ErrorIs(t, err, ErrInvalidConfig)
	for _, says := range []string{"no connector name", "batch size", "flush interval", "compression"} {
		assert.Contains(t, err.Error(), says)
	}
	two := ok
	two.Topic, two.Compression = "", "brotli"
	err = two.Validate()
	assert.Contains(t, err.Error(), "no topic")
	assert.Contains(t, err.Error(), `compression "brotli"`)
}

func TestParseOversize(t *testing.T) {
	for _, o := range []Oversize{OversizeTruncate, OversizeSkip, OversizeFail} {
		t.Run(o.String(), func(t *testing.T) {
			got, err := ParseOversize(strings.ToUpper(o.String()))
			require.NoError(t, err)
			assert.Equal(t, o, got)
		})
	}
	_, err := ParseOversize("drop")
	assert.ErrorIs(t, err, ErrUnknownOversize)
}

func TestDefaultOffsetsPath(t *testing.T) {
	a := DefaultOffsetsPath("/state", "local-file-source", "/tmp/en0.log")
	assert.Equal(t, "/state", filepath.Dir(a))
	assert.True(t, strings.HasPrefix(filepath.Base(a), "en0.log."), a)
	assert.True(t, strings.HasSuffix(a, ".offsets.json"), a)
	assert.NotEqual(t, a, DefaultOffsetsPath("/state", "other", "/tmp/en0.log"), "per connector")
	assert.NotEqual(t, a, DefaultOffsetsPath("/state", "local-file-source", "/var/en0.log"), "per path")
	assert.Equal(t, a, DefaultOffsetsPath("/state", "local-file-source", "/tmp/../tmp/en0.log"))
}

func TestFileStoreAtomicSave(t *testing.T) {
	dir := t.TempDir()
	s := &FileStore{Path: filepath.Join(dir, "sub", "o.json")}
	_, ok, err := s.Load(t.Context())
	require.NoError(t, err)
	assert.False(t, ok)
	want := Position{Connector: "c", File: "/f", Offset: 42, ID: FileID{Dev: 1, Ino: 2, HeadLen: 3, Head: "ab"}}
	require.NoError(t, s.Save(t.Context(), want))
	got, ok, err := s.Load(t.Context())
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, want, got)
	entries, err := os.ReadDir(filepath.Join(dir, "sub"))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temp file left behind")

	require.NoError(t, os.WriteFile(s.Path, []byte("{torn"), 0o644))
	_, _, err = s.Load(t.Context())
	assert.Error(t, err, "a corrupt offsets file is an error, not a silent restart from 0")
	assert.True(t, bytes.Contains([]byte(err.Error()), []byte("o.json")))
}
