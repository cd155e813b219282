package kafkasec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// However a Secret or a Config holding one is printed, logged or marshalled, the secret
// does not show.
func TestSecretNeverPrints(t *testing.T) {
	const pw, key = "hunter2-Very-Secret", "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END PRIVATE KEY-----\n"
	c := Config{TLS: true, CertPEM: "cert", KeyPEM: NewSecret(key), SASL: MechanismScramSHA512,
		Username: "alice", Password: NewSecret(pw)}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, c.Password), fmt.Sprintf(verb, &c))
	}
	outs = append(outs, fmt.Sprint(c), fmt.Sprintln(c.Password), c.Password.String(),
		fmt.Errorf("wrapped: %v", c).Error(), errors.New(fmt.Sprint(c.Secrets())).Error())
	js, err := json.Marshal(c)
	require.NoError(t, err)
	outs = append(outs, string(js))
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var b bytes.Buffer
		slog.New(h(&b)).Info("config", "kafka", c, "pw", c.Password, "any", any(c))
		outs = append(outs, b.String())
	}
	for _, out := range outs {
		assert.NotContains(t, out, pw)
		assert.NotContains(t, out, "MIGHAgEAMBMG")
	}
	assert.Contains(t, fmt.Sprintf("%+v", c), redacted, "the field shows that it is set")
	assert.Equal(t, pw, c.Password.Reveal())
	assert.Equal(t, "", NewSecret("").String(), "an empty secret prints empty, so 'unset' is visible")
}

// The log line shows what is in use and no secret.
func TestConfigLogValue(t *testing.T) {
	var b bytes.Buffer
	c := Config{TLS: true, CAFile: "ca.pem", SkipHostnameCheck: true, SASL: MechanismPlain,
		Username: "alice", Password: NewSecret("s3cret-pw")}
	slog.New(slog.NewTextHandler(&b, nil)).Info("kafka security", "kafka", c)
	assert.Contains(t, b.String(), "kafka.protocol=SASL_SSL kafka.sasl_mechanism=PLAIN kafka.sasl_username=alice "+
		"kafka.ca=ca.pem kafka.client_cert=false kafka.hostname_check=false")
	assert.NotContains(t, b.String(), "s3cret-pw")
}
