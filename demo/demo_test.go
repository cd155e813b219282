package demo

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/testutil"
)

type syncBuffer = testutil.SyncBuffer

func TestDemoPrintsBatchesOfRealTuples(t *testing.T) {
	var out syncBuffer
	stop := startDemo(t, demoConfig(func(c *Config) { c.Interval, c.Speed = 500*time.Millisecond, 4 }), &out)
	require.Eventually(t, func() bool {
		return strings.Contains(out.String(), "('10.20.0.107', '10.20.0.1')\n")
	}, 60*time.Second, 50*time.Millisecond, "a batch with tuples from the bundled capture; got:\n%s", out.String())
	stop()
	first := strings.SplitN(out.String(), "\n", 4)
	require.Len(t, first, 4)
	assert.Equal(t, strings.Repeat("-", 43), first[0])
	assert.Regexp(t, `^Time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$`, first[1])
	assert.Equal(t, strings.Repeat("-", 43), first[2])
}

func TestDemoLiveWithoutTshark(t *testing.T) {
	err := Run(context.Background(), demoConfig(func(c *Config) { c.Live, c.Iface, c.Tshark = true, "lo", "no-such-tshark-binary" }), io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
	assert.ErrorIs(t, err, ErrNoTshark)
	assert.Contains(t, err.Error(), "apt-get install tshark")
}

// demoConfig is DefaultConfig with set's changes.
func demoConfig(set func(*Config)) Config {
	c := DefaultConfig()
	set(&c)
	return c
}

func TestDemoConfigValidate(t *testing.T) {
	assert.Error(t, demoConfig(func(c *Config) { c.Live = true }).Validate(), "--live without -i")
	assert.Error(t, demoConfig(func(c *Config) { c.Num = -1 }).Validate())
	assert.NoError(t, DefaultConfig().Validate())
	err := demoConfig(func(c *Config) { c.Interval, c.Topic, c.Live = 0, "", true }).Validate()
	for _, says := range []string{"needs an interface", "must not be empty", "must be positive"} {
		assert.ErrorContains(t, err, says, "every bad field is reported")
	}
}
