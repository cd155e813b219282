package stream

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "regenerate goldens: python3's for seed mode, ours for jsonl")

var parseDir = filepath.Join("..", "testdata", "stream", "parse")

// blogPython runs testdata/stream/blog.py, the blog's own parse, or skips.
func blogPython(t *testing.T, mode, file string) []byte {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	cmd := exec.Command(py, filepath.Join("..", "testdata", "stream", "blog.py"), mode, file)
	cmd.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8")
	out, err := cmd.Output()
	require.NoError(t, err)
	return out
}

func TestParseGolden(t *testing.T) {
	tests := []struct {
		name   string
		cfg    ParseConfig
		input  string
		golden string
		pyMode string // the blog's Python generates this golden
	}{
		// tshark.tsv holds tshark's own -T fields Source and Destination columns for the
		// packet lines (from testdata/parser/rendered) and None for the others; -update
		// never rewrites it.
		{"tshark tsv", ParseConfig{Parser: ParseTshark, Format: OutputTSV}, "input.log", "tshark.tsv", ""},
		{"tshark tsv from envelopes", ParseConfig{Parser: ParseTshark, Format: OutputTSV, Envelope: true}, "envelopes.values", "tshark.tsv", ""},
		{"tshark jsonl", ParseConfig{Parser: ParseTshark, Format: OutputJSONL}, "input.log", "tshark.jsonl", ""},
		{"seed pprint", ParseConfig{Parser: ParseSeed, Format: OutputPprint}, "input.log", "seed.pprint", "lines"},
		{"seed pprint from envelopes", ParseConfig{Parser: ParseSeed, Format: OutputPprint, Envelope: true}, "envelopes.values", "seed-envelope.pprint", "envelopes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := os.Open(filepath.Join(parseDir, tt.input))
			require.NoError(t, err)
			defer in.Close()
			var out bytes.Buffer
			st, err := Parse(in, &out, tt.cfg)
			require.NoError(t, err)
			assert.Equal(t, int64(11), st.Lines)
			golden := filepath.Join(parseDir, tt.golden)
			if *update && tt.golden != "tshark.tsv" {
				data := out.Bytes()
				if tt.pyMode != "" {
					data = blogPython(t, tt.pyMode, filepath.Join(parseDir, tt.input))
				}
				require.NoError(t, os.WriteFile(golden, data, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), out.String())
			if tt.cfg.Parser == ParseTshark {
				assert.Equal(t, int64(5), st.NotPacket)
			}
		})
	}
}

// TestParseSeedIsTheBlog runs the blog's Python on the inputs now, not via the goldens.
func TestParseSeedIsTheBlog(t *testing.T) {
	for _, mode := range []string{"lines", "envelopes"} {
		t.Run(mode, func(t *testing.T) {
			name := map[string]string{"lines": "input.log", "envelopes": "envelopes.values"}[mode]
			want := blogPython(t, mode, filepath.Join(parseDir, name))
			in, err := os.Open(filepath.Join(parseDir, name))
			require.NoError(t, err)
			defer in.Close()
			var out bytes.Buffer
			_, err = Parse(in, &out, ParseConfig{Parser: ParseSeed, Format: OutputPprint, Envelope: mode == "envelopes"})
			require.NoError(t, err)
			assert.Equal(t, string(want), out.String())
		})
	}
}

// TestParseJSONLAgreesWithTSV: the jsonl golden says the same pairs as the tsv one.
func TestParseJSONLAgreesWithTSV(t *testing.T) {
	tsv, err := os.ReadFile(filepath.Join(parseDir, "tshark.tsv"))
	require.NoError(t, err)
	jl, err := os.ReadFile(filepath.Join(parseDir, "tshark.jsonl"))
	require.NoError(t, err)
	tsvLines := strings.Split(strings.TrimSuffix(string(tsv), "\n"), "\n")
	jLines := strings.Split(strings.TrimSuffix(string(jl), "\n"), "\n")
	require.Len(t, jLines, len(tsvLines))
	for i, line := range jLines {
		var obj struct {
			Line     int
			Src, Dst string
			Error    string
		}
		require.NoError(t, json.Unmarshal([]byte(line), &obj))
		assert.Equal(t, i+1, obj.Line)
		if obj.Error != "" {
			assert.Equal(t, "None\tNone", tsvLines[i])
			continue
		}
		assert.Equal(t, obj.Src+"\t"+obj.Dst, tsvLines[i])
	}
}

func TestParseMalformedEnvelope(t *testing.T) {
	in := strings.NewReader(envPrefix + `"abc` + "\n" + string(envelope(pktLine)) + "\n")
	var out bytes.Buffer
	st, err := Parse(in, &out, ParseConfig{Parser: ParseSeed, Format: OutputTSV, Envelope: true})
	require.NoError(t, err)
	assert.Equal(t, "None\tNone\n10.0.0.1\t10.0.0.2\n", out.String())
	assert.Equal(t, ParseStats{Lines: 2, Malformed: 1}, st)
}

func TestParseConfigValidate(t *testing.T) {
	assert.NoError(t, ParseConfig{Parser: ParseSeed, Format: OutputJSONL}.Validate())
	assert.Error(t, ParseConfig{Parser: "x", Format: OutputJSONL}.Validate())
	assert.Error(t, ParseConfig{Parser: ParseSeed, Format: "csv"}.Validate())
}
