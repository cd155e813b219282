package kafkatest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestRoundTrip(t *testing.T) {
	c := New(t)
	t.Logf("cluster: brokers=%v real=%v", c.Brokers, c.Real)
	topic := c.Topic(t, 1)
	cl := c.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("hello")}).FirstErr())
	recs := c.ReadAll(t, topic, 1, 20*time.Second)
	require.Len(t, recs, 1)
	assert.Equal(t, "hello", string(recs[0].Value))
}

func TestTopicNamesAreUnique(t *testing.T) {
	c := New(t)
	a, b := c.Topic(t, 1), c.Topic(t, 1)
	assert.NotEqual(t, a, b)
}
