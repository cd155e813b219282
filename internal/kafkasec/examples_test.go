package kafkasec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/connector"
)

// The example worker configurations in testdata/security read as they say.
func TestExampleProperties(t *testing.T) {
	for file, want := range map[string]Config{
		"connect-standalone-sasl-ssl.properties": {TLS: true, CAFile: "/etc/kafka/secrets/ca.pem", TrustStoreType: StorePEM,
			SASL: MechanismScramSHA512, Username: "connect", Password: NewSecret("change-me")},
		"connect-standalone-mtls.properties": {TLS: true, CAFile: "/etc/kafka/secrets/ca.pem",
			CertFile: "/etc/kafka/secrets/client-keystore.pem", SkipHostnameCheck: true,
			TrustStoreType: StorePEM, KeyStoreType: StorePEM},
	} {
		t.Run(file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("..", "..", "testdata", "security", file))
			require.NoError(t, err)
			defer f.Close()
			p, err := connector.ParseProperties(f)
			require.NoError(t, err)
			c, err := FromProperties(p, ProducerPrefixes...)
			require.NoError(t, err)
			assert.Equal(t, want, c)
			require.NoError(t, c.Validate())
		})
	}
}
