package sink

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/talkers"
)

// window is a talkers answer of one 2 s window with two rows of kind.
func window(kind talkers.KeyKind, by talkers.Measure) Batch {
	end := time.UnixMilli(4000).UTC()
	r := &talkers.Result{
		Start: end.Add(-2 * time.Second), End: end, Key: kind, By: by,
		Rows: []talkers.Row{
			{Key: talkers.Key{A: "10.0.0.1", B: "10.0.0.2"}, Counts: talkers.Counts{Packets: 7, Bytes: 420,
				PacketsAB: 4, BytesAB: 240, PacketsBA: 3, BytesBA: 180}},
			{Key: talkers.Key{A: "10.0.0.3", B: "10.0.0.4"}, Counts: talkers.Counts{Packets: 5, Bytes: 900,
				PacketsAB: 5, BytesAB: 900}, Approx: true, Error: 2},
		},
		Packets: 18, Bytes: 1500, Keys: 4, KeysExact: true,
	}
	if kind == talkers.Host {
		r.Rows[0].B, r.Rows[1].B = "", ""
	}
	return Batch{Time: end, Aggregate: true, Talkers: r}
}

func TestStdoutTalkers(t *testing.T) {
	tests := []struct {
		kind talkers.KeyKind
		by   talkers.Measure
		want string
	}{
		{talkers.Pair, talkers.Packets, "(('10.0.0.1', '10.0.0.2'), 7)\n(('10.0.0.3', '10.0.0.4'), 5)\n...\n"},
		{talkers.Conversation, talkers.Bytes, "(('10.0.0.1', '10.0.0.2'), 420)\n(('10.0.0.3', '10.0.0.4'), 900)\n...\n"},
		{talkers.Host, talkers.Packets, "('10.0.0.1', 7)\n('10.0.0.3', 5)\n...\n"},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			var out bytes.Buffer
			cfg := DefaultStdoutConfig()
			cfg.Num, cfg.Location = 2, time.UTC
			s, err := NewStdout(&out, cfg)
			require.NoError(t, err)
			require.NoError(t, s.Write(context.Background(), window(tt.kind, tt.by)))
			want := dashes + "Time: 1970-01-01 00:00:04\n" + dashes + tt.want + "\n"
			assert.Equal(t, want, out.String(), "four keys, two shown")
		})
	}
}

func TestJSONLTalkers(t *testing.T) {
	ends := `"window_start":"1970-01-01T00:00:02Z","window_end":"1970-01-01T00:00:04Z"`
	tests := []struct {
		kind talkers.KeyKind
		rows []string
	}{
		{talkers.Pair, []string{
			`{"src":"10.0.0.1","dst":"10.0.0.2","count":7,"batch_time":"1970-01-01T00:00:04Z","packets":7,"bytes":420,` + ends + `}`,
			`{"src":"10.0.0.3","dst":"10.0.0.4","count":5,"batch_time":"1970-01-01T00:00:04Z","packets":5,"bytes":900,"approx":true,"error":2,` + ends + `}`,
		}},
		{talkers.Conversation, []string{
			`{"a":"10.0.0.1","b":"10.0.0.2","packets":7,"bytes":420,"packets_ab":4,"bytes_ab":240,"packets_ba":3,"bytes_ba":180,` + ends + `}`,
			`{"a":"10.0.0.3","b":"10.0.0.4","packets":5,"bytes":900,"packets_ab":5,"bytes_ab":900,"packets_ba":0,"bytes_ba":0,"approx":true,"error":2,` + ends + `}`,
		}},
		{talkers.Host, []string{
			`{"host":"10.0.0.1","packets":7,"bytes":420,"tx_packets":4,"tx_bytes":240,"rx_packets":3,"rx_bytes":180,` + ends + `}`,
			`{"host":"10.0.0.3","packets":5,"bytes":900,"tx_packets":5,"tx_bytes":900,"rx_packets":0,"rx_bytes":0,"approx":true,"error":2,` + ends + `}`,
		}},
	}
	totals := `{` + ends + `,"total_packets":18,"total_bytes":1500,"keys":4}`
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			var out bytes.Buffer
			s := NewJSONL(&out)
			require.NoError(t, s.Write(context.Background(), window(tt.kind, talkers.Packets)))
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			require.Len(t, lines, 3)
			for i, want := range append(tt.rows, totals) {
				assert.JSONEq(t, want, lines[i])
			}
		})
	}
}

func TestKafkaTalkers(t *testing.T) {
	for _, kind := range []talkers.KeyKind{talkers.Pair, talkers.Conversation, talkers.Host} {
		t.Run(kind.String(), func(t *testing.T) {
			p := &fakeProducer{}
			s, err := NewKafka(p, "top")
			require.NoError(t, err)
			b := window(kind, talkers.Packets)
			b.Talkers.KeysExact = false
			require.NoError(t, s.Write(context.Background(), b))
			require.Len(t, p.got, 3, "two rows and the window")
			wantKey := "10.0.0.1 10.0.0.2"
			if kind == talkers.Host {
				wantKey = "10.0.0.1"
			}
			assert.Equal(t, wantKey, string(p.got[0].Key))
			assert.Nil(t, p.got[2].Key)
			assert.Contains(t, string(p.got[2].Value), `"keys":4,"keys_approx":true}`)
		})
	}
}
