package kafkasec

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

const testPassword = "pr0be-s3cret-Value"

// errAny in a table means any error will do.
var errAny = errors.New("any error")

// fakeBroker starts an in-process broker with opts and returns its address.
func fakeBroker(t *testing.T, opts ...kfake.Opt) string {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

// secureFakes starts a TLS+SASL broker (PLAIN and SCRAM users), a TLS broker that wants a
// client certificate and a plaintext one, all trusting ca.
type secureFakes struct {
	ca                            *testCA
	client                        leaf
	saslTLS, mutualTLS, plaintext string
}

func newSecureFakes(t *testing.T) secureFakes {
	t.Helper()
	ca := newTestCA(t, "bridge test CA")
	server := ca.issue(t, "broker", "127.0.0.1", "localhost")
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	f := secureFakes{ca: ca, client: ca.issue(t, "client")}
	f.saslTLS = fakeBroker(t,
		kfake.TLS(&tls.Config{Certificates: []tls.Certificate{server.tls(t)}}),
		kfake.EnableSASL(),
		kfake.Superuser("PLAIN", "plain-user", testPassword),
		kfake.Superuser("SCRAM-SHA-256", "scram256-user", testPassword),
		kfake.Superuser("SCRAM-SHA-512", "scram512-user", testPassword))
	f.mutualTLS = fakeBroker(t, kfake.TLS(&tls.Config{
		Certificates: []tls.Certificate{server.tls(t)},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
	}))
	f.plaintext = fakeBroker(t)
	return f
}

func probe(t *testing.T, broker string, c Config) error {
	t.Helper()
	opts, err := c.Opts()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return Probe(ctx, []string{broker}, opts, DefaultProbeTimeout, c.Secrets()...)
}

func TestProbe(t *testing.T) {
	f := newSecureFakes(t)
	dir := t.TempDir()
	caFile := writeFile(t, dir, "ca.pem", f.ca.pem)
	other := newTestCA(t, "some other CA")
	otherFile := writeFile(t, dir, "other-ca.pem", other.pem)
	certFile := writeFile(t, dir, "client.pem", f.client.certPEM)
	keyFile := writeFile(t, dir, "client.key", f.client.keyPEM)
	stranger := other.issue(t, "stranger")
	strangerCert := writeFile(t, dir, "stranger.pem", append(stranger.certPEM, stranger.keyPEM...))
	sasl := func(m Mechanism, user, pass string) Config {
		return Config{TLS: true, CAFile: caFile, SASL: m, Username: user, Password: NewSecret(pass)}
	}
	closed := closedPort(t)

	for _, tc := range []struct {
		name   string
		broker string
		cfg    Config
		want   error // nil: the broker answered
		says   string
	}{
		{"plain", f.saslTLS, sasl(MechanismPlain, "plain-user", testPassword), nil, ""},
		{"scram-sha-256", f.saslTLS, sasl(MechanismScramSHA256, "scram256-user", testPassword), nil, ""},
		{"scram-sha-512", f.saslTLS, sasl(MechanismScramSHA512, "scram512-user", testPassword), nil, ""},
		// kfake hangs up on bad credentials where Kafka answers SASL_AUTHENTICATION_FAILED
		// (see TestClassify and the real-broker tests), so here they only fail.
		{"wrong password plain", f.saslTLS, sasl(MechanismPlain, "plain-user", testPassword+"x"), errAny, ""},
		{"wrong password scram", f.saslTLS, sasl(MechanismScramSHA256, "scram256-user", testPassword+"x"), errAny, ""},
		{"unknown user", f.saslTLS, sasl(MechanismScramSHA512, "nobody", testPassword), errAny, ""},
		{"unknown CA", f.saslTLS, Config{TLS: true, CAFile: otherFile, SASL: MechanismPlain, Username: "plain-user", Password: NewSecret(testPassword)}, ErrTLS, "not signed by a CA bridge trusts"},
		{"system CAs", f.saslTLS, Config{TLS: true, SASL: MechanismPlain, Username: "plain-user", Password: NewSecret(testPassword)}, ErrTLS, "--tls-ca-file"},
		{"wrong server name", f.saslTLS, Config{TLS: true, CAFile: caFile, ServerName: "kafka.example.com", SASL: MechanismPlain, Username: "plain-user", Password: NewSecret(testPassword)}, ErrTLS, "--tls-server-name"},
		{"wrong server name, hostname check off", f.saslTLS, Config{TLS: true, CAFile: caFile, ServerName: "kafka.example.com", SkipHostnameCheck: true, SASL: MechanismPlain, Username: "plain-user", Password: NewSecret(testPassword)}, nil, ""},
		{"hostname check off still checks the CA", f.saslTLS, Config{TLS: true, CAFile: otherFile, SkipHostnameCheck: true, SASL: MechanismPlain, Username: "plain-user", Password: NewSecret(testPassword)}, ErrTLS, "not signed by a CA bridge trusts"},
		{"insecure skip verify", f.saslTLS, Config{TLS: true, InsecureSkipVerify: true, SASL: MechanismPlain, Username: "plain-user", Password: NewSecret(testPassword)}, nil, ""},
		{"plaintext client on TLS port", f.saslTLS, Config{}, ErrMismatch, ""},
		{"SASL plaintext client on TLS port", f.saslTLS, Config{SASL: MechanismPlain, Username: "plain-user", Password: NewSecret(testPassword)}, ErrMismatch, ""},
		{"client certificate", f.mutualTLS, Config{TLS: true, CAFile: caFile, CertFile: certFile, KeyFile: keyFile}, nil, ""},
		{"no client certificate", f.mutualTLS, Config{TLS: true, CAFile: caFile}, ErrTLS, "client certificate"},
		{"client certificate from an unknown CA", f.mutualTLS, Config{TLS: true, CAFile: caFile, CertFile: strangerCert}, ErrTLS, "client certificate"},
		{"nothing listening", closed, sasl(MechanismPlain, "plain-user", testPassword), ErrUnreachable, "connection refused"},
		{"plaintext", f.plaintext, Config{}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := probe(t, tc.broker, tc.cfg)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.NotContains(t, err.Error(), testPassword)
			if tc.want == errAny {
				return
			}
			assert.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.says)
			if tc.want != ErrUnreachable {
				var pe *ProbeError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, tc.broker, pe.Broker)
			}
		})
	}
}

// One broker answering is enough; a refusal outranks a broker that is down.
func TestProbeSeveralSeeds(t *testing.T) {
	f := newSecureFakes(t)
	caFile := writeFile(t, t.TempDir(), "ca.pem", f.ca.pem)
	closed := closedPort(t)
	good := Config{TLS: true, CAFile: caFile, SASL: MechanismPlain, Username: "plain-user", Password: NewSecret(testPassword)}
	require.NoError(t, probeAll(t, []string{closed, f.saslTLS}, good))

	bad := good
	bad.CAFile = writeFile(t, t.TempDir(), "other.pem", newTestCA(t, "other").pem)
	err := probeAll(t, []string{closed, f.saslTLS}, bad)
	assert.ErrorIs(t, err, ErrTLS)
	assert.NotErrorIs(t, err, ErrUnreachable)
}

func probeAll(t *testing.T, brokers []string, c Config) error {
	t.Helper()
	opts, err := c.Opts()
	require.NoError(t, err)
	return Probe(context.Background(), brokers, opts, DefaultProbeTimeout, c.Secrets()...)
}

// closedPort returns an address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// A broker's message that echoes the password is redacted.
func TestRedact(t *testing.T) {
	msg := Redact("user alice password hunter22 rejected", NewSecret("hunter22"), NewSecret(""), NewSecret("x"))
	assert.Equal(t, "user alice password [redacted] rejected", msg)
}

// The errors franz-go returns for a broker's refusals, as seen against real Kafka, map to
// the right kind.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"SASL authentication failed", fmt.Errorf("%w: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256", kerr.SaslAuthenticationFailed), ErrAuth},
		{"mechanism not enabled", kerr.UnsupportedSaslMechanism, ErrAuth},
		{"SASL on a plain listener", kerr.IllegalSaslState, ErrMismatch},
		{"TLS alert read as a size", errors.New("invalid large response size 352518912 > limit 104857600; the first three bytes received appear to be a tls alert record for TLS v1.2; is this a plaintext connection speaking to a tls endpoint?"), ErrMismatch},
		{"first read EOF", &kgo.ErrFirstReadEOF{}, ErrMismatch},
		{"TLS record header", fmt.Errorf("unable to dial: %w", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), ErrMismatch},
		{"broker's alert", &net.OpError{Op: "remote error", Err: errors.New("tls: bad certificate")}, ErrTLS},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, nil},
		{"timeout", context.DeadlineExceeded, nil},
		{"EOF", io.EOF, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind, hint := classifyKind(tc.err)
			assert.Equal(t, tc.want, kind)
			assert.Equal(t, tc.want == nil, hint == "")
		})
	}
}
