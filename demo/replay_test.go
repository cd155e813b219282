package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge"
)

const sample = `    1 0.000000000    127.0.0.1 → 127.0.0.1    TCP 74 50822 → 18080 [SYN] Seq=0
    2 0.000033610    127.0.0.1 → 127.0.0.1    TCP 74 18080 → 50822 [SYN, ACK] Seq=0 Ack=1
    3 0.010634988          ::1 → ::1          HTTP 161 GET / HTTP/1.1 
`

func TestReplayerRoundsRenumberAndShift(t *testing.T) {
	r := NewReplayer([]byte(sample))
	r.Rounds, r.Speed = 2, 1000
	var out bytes.Buffer
	require.NoError(t, r.Run(context.Background(), &out))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 6)
	assert.Equal(t, strings.Split(sample, "\n")[:3], lines[:3], "first round is the log as captured")
	assert.Equal(t, "    4 0.510634988    127.0.0.1 → 127.0.0.1    TCP 74 50822 → 18080 [SYN] Seq=0", lines[3])
	assert.Equal(t, "    6 0.521269976          ::1 → ::1          HTTP 161 GET / HTTP/1.1 ", lines[5])
}

func TestReplayerStopsOnCancel(t *testing.T) {
	r := NewReplayer([]byte(sample))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := r.Run(ctx, &bytes.Buffer{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestBundledLogIsARealCapture(t *testing.T) {
	r := NewReplayer(bridge.DemoLog)
	require.Greater(t, r.Len(), 1000)
	assert.Greater(t, r.duration, 5.0, "the capture spans seconds, so the demo has a pace")
	for i, tm := range r.times {
		require.GreaterOrEqual(t, tm, 0.0, "line %d has a time: %q", i+1, r.lines[i])
	}
}
