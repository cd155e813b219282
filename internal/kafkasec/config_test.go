package kafkasec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMechanism(t *testing.T) {
	for in, want := range map[string]Mechanism{
		"": MechanismNone, "plain": MechanismPlain, "SCRAM-SHA-256": MechanismScramSHA256,
		" scram-sha-512 ": MechanismScramSHA512,
	} {
		t.Run(in, func(t *testing.T) {
			m, err := ParseMechanism(in)
			require.NoError(t, err)
			assert.Equal(t, want, m)
		})
	}
	for _, in := range []string{"GSSAPI", "OAUTHBEARER", "SCRAM-SHA-1"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseMechanism(in)
			assert.ErrorIs(t, err, ErrConfig)
		})
	}
}

func TestProtocol(t *testing.T) {
	assert.Equal(t, "PLAINTEXT", Config{}.Protocol())
	assert.Equal(t, "SSL", Config{TLS: true}.Protocol())
	assert.Equal(t, "SASL_PLAINTEXT", Config{SASL: MechanismPlain}.Protocol())
	assert.Equal(t, "SASL_SSL", Config{TLS: true, SASL: MechanismScramSHA256}.Protocol())
}

func TestValidate(t *testing.T) {
	pw := NewSecret("pw")
	for _, tc := range []struct {
		name string
		cfg  Config
		says string // "" means valid
	}{
		{"plaintext", Config{}, ""},
		{"sasl ssl", Config{TLS: true, CAFile: "ca.pem", SASL: MechanismPlain, Username: "u", Password: pw}, ""},
		{"no user", Config{SASL: MechanismPlain, Password: pw}, "needs a user name"},
		{"no password", Config{SASL: MechanismScramSHA256, Username: "u"}, "needs a password"},
		{"user without mechanism", Config{Username: "u", Password: pw}, "needs a SASL mechanism"},
		{"unknown mechanism", Config{SASL: "GSSAPI", Username: "u", Password: pw}, "want PLAIN"},
		{"CA without TLS", Config{CAFile: "ca.pem"}, "need TLS"},
		{"skip verify without TLS", Config{InsecureSkipVerify: true}, "need TLS"},
		{"key without cert", Config{TLS: true, KeyFile: "k.pem"}, "needs a client certificate"},
		{"CA twice", Config{TLS: true, CAFile: "ca.pem", CAPEM: "x"}, "not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.says == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, ErrConfig)
			assert.ErrorContains(t, err, tc.says)
		})
	}
}

// The options come out of files that hold what they should, and a bad file is a clear error
// that shows none of a key.
func TestOpts(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t, "ca")
	client := ca.issue(t, "client")
	caFile := writeFile(t, dir, "ca.pem", ca.pem)
	certFile := writeFile(t, dir, "client.pem", client.certPEM)
	keyFile := writeFile(t, dir, "client.key", client.keyPEM)
	both := writeFile(t, dir, "keystore.pem", append(append([]byte{}, client.keyPEM...), client.certPEM...))
	encrypted := writeFile(t, dir, "enc.key", []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkq\n-----END ENCRYPTED PRIVATE KEY-----\n"))
	jks := writeFile(t, dir, "truststore.jks", []byte{0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2})

	ok := []Config{
		{},
		{TLS: true},
		{TLS: true, CAFile: caFile, CertFile: certFile, KeyFile: keyFile},
		{TLS: true, CAPEM: string(ca.pem), CertPEM: string(client.certPEM), KeyPEM: NewSecret(string(client.keyPEM))},
		{TLS: true, CAFile: caFile, CertFile: both}, // Kafka's one-file PEM keystore
		{SASL: MechanismScramSHA512, Username: "u", Password: NewSecret("p")},
	}
	for i, c := range ok {
		opts, err := c.Opts()
		require.NoError(t, err, "case %d", i)
		n := 0
		if c.TLS {
			n++
		}
		if c.SASL != MechanismNone {
			n++
		}
		assert.Len(t, opts, n, "case %d", i)
	}
	tc, err := Config{TLS: true, CAFile: caFile, CertFile: both, ServerName: "kafka.internal"}.tlsConfig()
	require.NoError(t, err)
	assert.Len(t, tc.Certificates, 1)
	assert.Equal(t, "kafka.internal", tc.ServerName)
	assert.False(t, tc.InsecureSkipVerify)
	assert.NotNil(t, tc.RootCAs)

	for _, bad := range []struct {
		cfg  Config
		says string
	}{
		{Config{TLS: true, CAFile: filepath.Join(dir, "missing.pem")}, "no such file"},
		{Config{TLS: true, CAFile: jks}, "JKS trust store " + jks},
		{Config{TLS: true, CertFile: certFile}, "client certificate and key"},
		{Config{TLS: true, CertFile: certFile, KeyFile: encrypted}, "encrypted"},
		{Config{TLS: true, CertFile: certFile, KeyFile: caFile}, "client certificate and key"},
	} {
		_, err := bad.cfg.Opts()
		assert.ErrorIs(t, err, ErrConfig)
		assert.ErrorContains(t, err, bad.says)
		assert.NotContains(t, err.Error(), "MIIBvTBXBgkq")
	}
}

func TestExposed(t *testing.T) {
	f := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(f, []byte("x"), 0o600))
	for mode, want := range map[os.FileMode]bool{0o600: false, 0o400: false, 0o640: true, 0o604: true, 0o644: true, 0o700: false} {
		require.NoError(t, os.Chmod(f, mode))
		got, m, err := Exposed(f)
		require.NoError(t, err)
		assert.Equal(t, want, got, "mode %#o", mode)
		assert.Equal(t, mode, m)
	}
	_, _, err := Exposed(filepath.Join(t.TempDir(), "missing"))
	assert.Error(t, err)
}
