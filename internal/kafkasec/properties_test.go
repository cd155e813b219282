package kafkasec

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/connector"
)

const propPassword = "pr0ps-Secret-Pw"

func parseProps(t *testing.T, text string) map[string]string {
	t.Helper()
	p, err := connector.ParseProperties(strings.NewReader(text))
	require.NoError(t, err)
	return p
}

func TestFromProperties(t *testing.T) {
	jaas := `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \
    username="alice" password="` + propPassword + `";
`
	for _, tc := range []struct {
		name string
		in   string
		want Config
	}{
		{"nothing", "bootstrap.servers=localhost:9092\n", Config{}},
		{"plaintext", "security.protocol=PLAINTEXT\nssl.truststore.location=/ignored.pem\n", Config{}},
		{"ssl with a PEM truststore", "security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=/etc/kafka/ca.pem\n",
			Config{TLS: true, CAFile: "/etc/kafka/ca.pem", TrustStoreType: StorePEM}},
		{"ssl, case and spaces", "security.protocol = ssl \nssl.truststore.location=ca.pem\n", Config{TLS: true, CAFile: "ca.pem"}},
		{"ssl with a PEM keystore file", "security.protocol=SSL\nssl.keystore.type=PEM\nssl.keystore.location=ks.pem\n",
			Config{TLS: true, CertFile: "ks.pem", KeyStoreType: StorePEM}},
		{"ssl inline", "security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.certificates=-----BEGIN CERTIFICATE-----\\n...\n" +
			"ssl.keystore.type=PEM\nssl.keystore.certificate.chain=CHAIN\nssl.keystore.key=KEY\n",
			Config{TLS: true, CAPEM: "-----BEGIN CERTIFICATE-----\n...", CertPEM: "CHAIN", KeyPEM: NewSecret("KEY"),
				TrustStoreType: StorePEM, KeyStoreType: StorePEM}},
		{"no hostname check", "security.protocol=SSL\nssl.endpoint.identification.algorithm=\n", Config{TLS: true, SkipHostnameCheck: true}},
		{"hostname check", "security.protocol=SSL\nssl.endpoint.identification.algorithm=https\n", Config{TLS: true}},
		{"sasl_ssl scram", "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n" + jaas + "ssl.truststore.location=ca.pem\n",
			Config{TLS: true, CAFile: "ca.pem", SASL: MechanismScramSHA512, Username: "alice", Password: NewSecret(propPassword)}},
		{"sasl_plaintext plain", "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n" + jaas,
			Config{SASL: MechanismPlain, Username: "alice", Password: NewSecret(propPassword)}},
		{"producer. wins over the worker's own",
			"security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n" + jaas + "producer.security.protocol=SASL_SSL\n" +
				"producer.sasl.mechanism=SCRAM-SHA-256\nproducer." + jaas,
			Config{TLS: true, SASL: MechanismScramSHA256, Username: "alice", Password: NewSecret(propPassword)}},
		{"producer.override. wins over producer.",
			"producer.security.protocol=SSL\nproducer.ssl.truststore.location=worker.pem\nproducer.override.ssl.truststore.location=conn.pem\n",
			Config{TLS: true, CAFile: "conn.pem"}},
		{"type JKS without a store", "security.protocol=SSL\nssl.keystore.type=JKS\n", Config{TLS: true, KeyStoreType: StoreJKS}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromProperties(parseProps(t, tc.in), ProducerPrefixes...)
			require.NoError(t, err)
			assert.Equal(t, tc.want, c)
		})
	}
}

func TestFromPropertiesErrors(t *testing.T) {
	jaas := "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"" + propPassword + "\";\n"
	for _, tc := range []struct {
		name, in, says string
	}{
		{"unknown protocol", "security.protocol=TLS\n", "want PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL"},
		{"GSSAPI by default", "security.protocol=SASL_SSL\n" + jaas, "GSSAPI"},
		{"GSSAPI", "security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI\n" + jaas, "want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"},
		{"no JAAS", "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n", "needs sasl.jaas.config"},
		{"Kerberos module", "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true password=\"" + propPassword + "\";\n",
			"com.sun.security.auth.module.Krb5LoginModule is not supported"},
		{"no password", "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=" + PlainLoginModule + " required username=u;\n", "want username"},
		{"broken JAAS", "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=" + PlainLoginModule + " required username=u \"" + propPassword + "\";\n", "value not specified"},
		{"BKS truststore", "security.protocol=SSL\nssl.truststore.type=BKS\nssl.truststore.location=ts.bks\nssl.truststore.password=" + propPassword + "\n", "want PEM, JKS or PKCS12"},
		{"PKCS11 keystore", "security.protocol=SSL\nssl.keystore.type=PKCS11\n", "want PEM, JKS or PKCS12"},
		{"encrypted key", "security.protocol=SSL\nssl.keystore.type=PEM\nssl.keystore.location=ks.pem\nssl.key.password=" + propPassword + "\n", "unencrypted PEM keys only"},
		{"key without chain", "security.protocol=SSL\nssl.keystore.key=" + propPassword + "\n", "go together"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromProperties(parseProps(t, tc.in), ProducerPrefixes...)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrConfig)
			assert.ErrorContains(t, err, tc.says)
			assert.NotContains(t, err.Error(), propPassword)
		})
	}
}

func TestIsPropertyAndHasSecret(t *testing.T) {
	for _, k := range []string{"security.protocol", "producer.sasl.jaas.config", "producer.override.ssl.keystore.key", "ssl.endpoint.identification.algorithm"} {
		assert.True(t, IsProperty(k, ProducerPrefixes...), k)
	}
	for _, k := range []string{"consumer.security.protocol", "ssl.cipher.suites", "bootstrap.servers", "sasl.login.class"} {
		assert.False(t, IsProperty(k, ProducerPrefixes...), k)
	}
	assert.True(t, HasSecret(map[string]string{"producer.sasl.jaas.config": "x"}, ProducerPrefixes...))
	assert.True(t, HasSecret(map[string]string{"ssl.keystore.password": "x"}, ProducerPrefixes...))
	assert.False(t, HasSecret(map[string]string{"sasl.jaas.config": " ", "security.protocol": "SASL_SSL"}, ProducerPrefixes...))
	assert.False(t, HasSecret(map[string]string{"ssl.truststore.location": "ca.pem"}, ProducerPrefixes...))
}
