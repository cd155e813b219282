package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/bridge-project/bridge/internal/kafkasec"
)

const cliPassword = "cl1-Secret-Never-Shown"

// Contradictory or incomplete security flags are usage errors (exit 2) that name the flag,
// before any broker is asked, and never echo the password.
func TestCLISecurityUsageErrors(t *testing.T) {
	withoutBridgeEnv(t)
	dir := t.TempDir()
	t.Chdir(dir)
	pwFile := writeFile(t, dir, "pw", []byte(cliPassword+"\n"))
	worker := writeFile(t, dir, "worker.properties", []byte("bootstrap.servers=127.0.0.1:1\n"+
		"security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI\n"+
		"sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required password=\""+cliPassword+"\";\n"))
	conn := writeFile(t, dir, "conn.properties", []byte("name=x\nconnector.class=FileStreamSource\nfile=in.log\ntopic=t\n"))
	closed := closedPort(t)
	for _, tc := range []struct {
		name string
		args []string
		says string
	}{
		{"CA without TLS", []string{"stream", "t", "--tls-ca-file", "ca.pem"}, "--tls-ca-file needs --tls"},
		{"skip verify without TLS", []string{"stream", "t", "--insecure-skip-verify"}, "--insecure-skip-verify needs --tls"},
		{"user without mechanism", []string{"stream", "t", "--sasl-username", "u", "--sasl-password", cliPassword}, "--sasl-username needs --sasl-mechanism"},
		{"unknown mechanism", []string{"stream", "t", "--sasl-mechanism", "GSSAPI", "--sasl-username", "u", "--sasl-password", cliPassword}, "--sasl-mechanism: \"GSSAPI\""},
		{"no password", []string{"stream", "t", "--sasl-mechanism", "PLAIN", "--sasl-username", "u"}, "needs a password"},
		{"no user", []string{"source", "--file", "in.log", "--sasl-mechanism", "SCRAM-SHA-256", "--sasl-password", cliPassword}, "needs a user name"},
		{"password twice", []string{"source", "--file", "in.log", "--sasl-mechanism", "PLAIN", "--sasl-username", "u",
			"--sasl-password", cliPassword, "--sasl-password-file", pwFile}, "not both"},
		{"missing password file", []string{"stream", "t", "--sasl-mechanism", "PLAIN", "--sasl-username", "u",
			"--sasl-password-file", filepath.Join(dir, "nope")}, "--sasl-password-file"},
		{"missing CA file", []string{"stream", "t", "--tls", "--tls-ca-file", filepath.Join(dir, "nope.pem")}, "no such file"},
		{"GSSAPI in the worker properties", []string{"source", worker, conn}, "sasl.mechanism"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(tc.args, "--brokers", closed)
			stdout, stderr, code := runCLI(t, "", args...)
			assert.Equal(t, 2, code, "stderr: %s", stderr)
			assert.Contains(t, stderr, tc.says)
			assert.NotContains(t, stderr+stdout, cliPassword)
		})
	}
}

// --help shows no password, however one was given.
func TestCLIHelpShowsNoSecret(t *testing.T) {
	withoutBridgeEnv(t)
	t.Setenv("BRIDGE_SASL_PASSWORD", cliPassword)
	for _, sub := range []string{"source", "stream"} {
		t.Run(sub, func(t *testing.T) {
			t.Chdir(t.TempDir())
			stdout, stderr, code := runCLI(t, "", sub, "--sasl-password", cliPassword+"2", "--help")
			require.Equal(t, 0, code)
			out := stdout + stderr
			assert.Contains(t, out, "--sasl-password string")
			assert.Contains(t, out, "--tls-ca-file")
			assert.NotContains(t, out, cliPassword)
		})
	}
}

// A --config file, password file or Connect properties file that holds a secret and is
// readable by others gets a warning. The broker is a TLS one, which the plaintext SASL
// settings here do not fit, so each run ends at once.
func TestCLIWarnsAboutReadableSecrets(t *testing.T) {
	withoutBridgeEnv(t)
	broker := tlsBroker(t)
	dir := t.TempDir()
	t.Chdir(dir)
	yaml := writeFile(t, dir, "bridge.yaml", []byte("sasl-mechanism: PLAIN\nsasl-username: u\nsasl-password: "+cliPassword+"\n"))
	pwFile := writeFile(t, dir, "pw", []byte(cliPassword+"\n"))
	worker := writeFile(t, dir, "worker.properties", []byte("bootstrap.servers="+broker+"\n"+
		"producer.security.protocol=SASL_PLAINTEXT\nproducer.sasl.mechanism=SCRAM-SHA-256\n"+
		"producer.sasl.jaas.config="+kafkasec.ScramLoginModule+" required username=\"u\" password=\""+cliPassword+"\";\n"))
	conn := writeFile(t, dir, "conn.properties", []byte("name=x\nconnector.class=FileStreamSource\nfile=in.log\ntopic=t\n"))
	for _, tc := range []struct {
		name string
		file string
		args []string
	}{
		{"config file", yaml, []string{"stream", "t", "--brokers", broker, "--config", yaml}},
		{"password file", pwFile, []string{"stream", "t", "--brokers", broker, "--sasl-mechanism", "PLAIN",
			"--sasl-username", "u", "--sasl-password-file", pwFile}},
		{"worker properties", worker, []string{"source", "--offsets", filepath.Join(dir, "o.json"), worker, conn}},
	} {
		for _, mode := range []os.FileMode{0o644, 0o640, 0o600} {
			t.Run(tc.name+" "+mode.String(), func(t *testing.T) {
				require.NoError(t, os.Chmod(tc.file, mode))
				stdout, stderr, code := runCLI(t, "", tc.args...)
				assert.Equal(t, 1, code)
				warned := strings.Contains(stderr, "a file holding a secret is readable by other users") &&
					strings.Contains(stderr, tc.file)
				assert.Equal(t, mode != 0o600, warned, "stderr: %s", stderr)
				assert.Contains(t, stderr, "security protocol mismatch")
				assert.NotContains(t, stderr+stdout, cliPassword)
			})
		}
	}
}

// The security properties of a worker are read, not listed among the ignored ones.
func TestCLISecurityPropertiesAreNotIgnored(t *testing.T) {
	withoutBridgeEnv(t)
	broker := fakeBroker(t)
	dir := t.TempDir()
	t.Chdir(dir)
	worker := writeFile(t, dir, "worker.properties", []byte("bootstrap.servers="+broker+"\n"+
		"security.protocol=PLAINTEXT\nproducer.security.protocol=PLAINTEXT\nssl.endpoint.identification.algorithm=\n"+
		"consumer.security.protocol=SSL\n"))
	conn := writeFile(t, dir, "conn.properties", []byte("name=x\nconnector.class=FileStreamSource\nfile=in.log\ntopic=t\n"))
	writeFile(t, dir, "in.log", []byte("a\n"))
	p := startCLIProc(t, "source", "--offsets", filepath.Join(dir, "o.json"), worker, conn)
	p.waitFor(t, 30*time.Second, "start", func() bool { return strings.Contains(p.stderr.String(), "source starting") })
	assert.Equal(t, 0, p.stop(t))
	stderr := p.stderr.String()
	assert.Contains(t, stderr, "keys=consumer.security.protocol\n", "only the consumer's key is ignored")
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

// closedPort is an address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// fakeBroker starts an in-process plaintext broker for the test.
func fakeBroker(t *testing.T, opts ...kfake.Opt) string {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

// tlsBroker starts an in-process broker that speaks only TLS, with a self-signed certificate.
func tlsBroker(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "broker"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return fakeBroker(t, kfake.TLS(&tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}))
}
