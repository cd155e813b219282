package connector

import (
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readStockProps(t *testing.T) map[string]string {
	t.Helper()
	props := map[string]string{}
	for _, name := range []string{"connect-standalone.properties", "connect-file-source.properties"} {
		f, err := os.Open(filepath.Join("..", "testdata", "connect", name))
		require.NoError(t, err)
		p, err := ParseProperties(f)
		f.Close()
		require.NoError(t, err)
		maps.Copy(props, p)
	}
	return props
}

// Kafka's stock files map as Connect reads them; what they do not say keeps its default.
func TestFromPropertiesStockFiles(t *testing.T) {
	cfg, err := FromProperties(DefaultConfig(), readStockProps(t))
	require.NoError(t, err)
	want := DefaultConfig()
	want.Name, want.File, want.Topic = "local-file-source", "test.txt", "connect-test"
	want.Brokers = []string{"localhost:9092"}
	want.ConnectOffsetsFile = "/tmp/connect.offsets"
	want.FlushInterval = 10 * time.Second
	want.Format = FormatJSONSchema
	assert.Equal(t, want, cfg)
	assert.Empty(t, UnusedProperties(readStockProps(t), func(string) bool { return false }))
}

func TestFromProperties(t *testing.T) {
	base := DefaultConfig()
	for _, tc := range []struct {
		name  string
		props map[string]string
		check func(t *testing.T, c Config)
		err   string
	}{
		{"converters and numbers", map[string]string{
			"connector.class": "FileStreamSource", "value.converter": "org.apache.kafka.connect.json.JsonConverter",
			"value.converter.schemas.enable": "false", "batch.size": " 7 ", "offset.flush.interval.ms": "250",
			"bootstrap.servers": "a:1, b:2,", "producer.compression.type": "GZIP",
		}, func(t *testing.T, c Config) {
			assert.Equal(t, FormatJSON, c.Format)
			assert.Equal(t, 7, c.BatchLines)
			assert.Equal(t, 250*time.Millisecond, c.FlushInterval)
			assert.Equal(t, []string{"a:1", "b:2"}, c.Brokers)
			assert.Equal(t, "gzip", c.Compression)
		}, ""},
		{"the connector's override wins", map[string]string{
			"connector.class":           "FileStreamSourceConnector",
			"producer.compression.type": "gzip", "producer.override.compression.type": "lz4",
			"value.converter": "org.apache.kafka.connect.storage.StringConverter",
		}, func(t *testing.T, c Config) {
			assert.Equal(t, "lz4", c.Compression)
			assert.Equal(t, FormatString, c.Format)
		}, ""},
		{"not a file source", map[string]string{"connector.class": "FileStreamSink"}, nil, "bridge source only replaces FileStreamSource"},
		{"bad batch size", map[string]string{"connector.class": "FileStreamSource", "batch.size": "0"}, nil, `batch.size="0"`},
		{"bad converter", map[string]string{"connector.class": "FileStreamSource", "value.converter": "x.Avro"}, nil, "value.converter=x.Avro"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromProperties(base, tc.props)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			tc.check(t, c)
		})
	}
}

func TestUnusedProperties(t *testing.T) {
	p := map[string]string{"file": "x", "zeta": "1", "alpha": "2", "producer.ssl.truststore.location": "y"}
	used := func(k string) bool { return k == "producer.ssl.truststore.location" }
	assert.Equal(t, []string{"alpha", "zeta"}, UnusedProperties(p, used))
}

// Typos must not fall back to the blog's defaults (issue 12): the settings bridge will not
// guess are required, and what nobody reads is named with the key that was most likely meant.
func TestMissingProperties(t *testing.T) {
	require.NoError(t, MissingProperties(readStockProps(t)))
	typos := map[string]string{"bootstrap.server": "k:9092", "connector.class": "FileStreamSource",
		"fiel": "/var/log/en0.log", "topc": "en0", "topic.creation.enable": "true"}
	err := MissingProperties(typos)
	require.ErrorIs(t, err, ErrMissingProperty)
	assert.Contains(t, err.Error(), "bootstrap.servers, file, topic")
	err = MissingProperties(map[string]string{"bootstrap.servers": "k:1", "file": "f", "topic": " "})
	require.ErrorIs(t, err, ErrMissingProperty, "an empty topic is no topic")
	assert.NotContains(t, err.Error(), "file")
}

func TestSplitUnused(t *testing.T) {
	ignored, unknown := SplitUnused([]string{"bootstrap.server", "fiel", "listeners", "plugin.path",
		"producer.acks", "topc", "transforms.x.type", "valeu.converter", "batch.sise"})
	assert.Equal(t, []string{"listeners", "plugin.path", "producer.acks", "transforms.x.type"}, ignored)
	assert.Equal(t, []UnknownProperty{
		{"bootstrap.server", "bootstrap.servers"}, {"fiel", "file"}, {"topc", "topic"},
		{"valeu.converter", "value.converter"}, {"batch.sise", "batch.size"},
	}, unknown)
}
