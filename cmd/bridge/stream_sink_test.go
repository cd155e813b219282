package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

// TestStreamKafkaSinkCreatesTopic is the README's `bridge stream plain --sink kafka:pairs`
// on a broker that has no topic pairs: it used to exit 1 with UNKNOWN_TOPIC_OR_PARTITION
// at the first batch.
func TestStreamKafkaSinkCreatesTopic(t *testing.T) {
	c := kafkatest.New(t)
	in := c.Topic(t, 1)
	out := in + "-pairs"
	p := c.Client(t)
	t.Cleanup(func() { _, _ = kadm.NewClient(p).DeleteTopics(context.Background(), out) })
	for i := range 5 {
		line := fmt.Sprintf("%d 0.%03d 10.0.0.%d -> 10.1.0.%d TCP 66", i+1, i, i+1, i+1)
		env := `{"schema":{"type":"string","optional":false},"payload":` + strconv.Quote(line) + `}`
		p.Produce(context.Background(), &kgo.Record{Topic: in, Value: []byte(env)}, nil)
	}
	require.NoError(t, p.Flush(context.Background()))

	r := startCLI(t, "stream", in, "--brokers", strings.Join(c.Brokers, ","), "--group", "g-"+in,
		"--from-beginning", "--interval", "200ms", "--sink", "kafka:"+out, "--progress", "off")
	recs := c.ReadAll(t, out, 5, 30*time.Second)
	require.NoError(t, r.stop(t))
	require.Len(t, recs, 5)
	var keys []string
	for _, rec := range recs {
		var v struct{ Src, Dst string }
		require.NoError(t, json.Unmarshal(rec.Value, &v))
		assert.Equal(t, v.Src+" "+v.Dst, string(rec.Key))
		keys = append(keys, string(rec.Key))
	}
	assert.ElementsMatch(t, []string{"10.0.0.1 10.1.0.1", "10.0.0.2 10.1.0.2", "10.0.0.3 10.1.0.3",
		"10.0.0.4 10.1.0.4", "10.0.0.5 10.1.0.5"}, keys)
}
