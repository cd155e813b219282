package connector

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/connectvalue"
	"github.com/bridge-project/bridge/internal/connectvalue/connectvaluetest"
)

// connectRecord is what Kafka Connect made of one line: its offset position and the value bytes of
// each Format, in Format order.
type connectRecord struct {
	position int64
	values   [3][]byte
}

// goRecords cuts data into records as bridge does.
func goRecords(data []byte) []connectRecord {
	var recs []connectRecord
	var consumed int
	for {
		line, n := nextLine(data[consumed:])
		if n == 0 {
			return recs
		}
		consumed += n
		rec := connectRecord{position: connectvalue.JavaChars(data[:consumed])}
		for _, f := range []Format{FormatJSONSchema, FormatJSON, FormatString} {
			rec.values[f] = f.AppendValue(nil, line)
		}
		recs = append(recs, rec)
	}
}

func parseConnectRecords(t *testing.T, out []byte) []connectRecord {
	t.Helper()
	var recs []connectRecord
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		fields := strings.Fields(line)
		require.Len(t, fields, 4, "ConnectRecords output %q", line)
		pos, err := strconv.ParseInt(fields[0], 10, 64)
		require.NoError(t, err)
		rec := connectRecord{position: pos}
		for i, h := range fields[1:] {
			if h == "-" {
				h = ""
			}
			rec.values[i], err = hex.DecodeString(h)
			require.NoError(t, err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// connectTestFile joins the decode corpus, random nasty lines and the demo capture with every kind
// of line terminator, and ends with a partial line Connect must hold back.
func connectTestFile(t *testing.T) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	terminators := []string{"\n", "\r\n", "\r"}
	var buf bytes.Buffer
	add := func(line []byte) {
		buf.Write(line)
		buf.WriteString(terminators[rng.IntN(len(terminators))])
	}
	for _, c := range connectvaluetest.Corpus(t) {
		add(c.Data)
	}
	for _, line := range connectvaluetest.NastyBytes(2, 3000) {
		add(line)
	}
	if demo, err := os.ReadFile(filepath.Join("..", "testdata", "demo", "en0.log")); err == nil {
		buf.Write(demo)
	}
	buf.WriteString("x\n\n\r\nlast line without end\xe2\x82")
	return buf.Bytes()
}

// TestValuesMatchConnect runs Kafka Connect's FileStreamSourceTask and converters over a file and
// checks that bridge cuts the same lines, counts the same positions and writes the same bytes.
func TestValuesMatchConnect(t *testing.T) {
	cp := compileJava(t, kafkaClasspath(t), "ConnectRecords")
	data := connectTestFile(t)
	file := filepath.Join(t.TempDir(), "in.log")
	require.NoError(t, os.WriteFile(file, data, 0o600))

	want := parseConnectRecords(t, runJava(t, cp, "ConnectRecords", nil, file))
	got := goRecords(data)
	t.Logf("%d records from Connect", len(want))
	require.Len(t, got, len(want), "record count")
	mismatches := 0
	for i := range want {
		ok := assert.Equal(t, want[i].position, got[i].position, "record %d position", i)
		for f := range want[i].values {
			ok = assert.Equal(t, string(want[i].values[f]), string(got[i].values[f]), "record %d %s", i, Format(f)) && ok
		}
		if !ok {
			if mismatches++; mismatches > 10 {
				t.Fatal("too many mismatches")
			}
		}
	}
}
