package kafkasec

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// EnvSecureKafka names the file scripts/kafka-secure.sh writes for the tests: the
// addresses of the secure node's listeners, its CA, a client certificate and the PLAIN
// user. The real-broker tests skip when it is unset.
const EnvSecureKafka = "BRIDGE_TEST_SECURE_KAFKA"

// secureKafka is what scripts/kafka-secure.sh tells the tests.
type secureKafka struct {
	SASLSSL        string `json:"sasl_ssl"`
	SSL            string `json:"ssl"`
	SASLPlaintext  string `json:"sasl_plaintext"`
	Plaintext      string `json:"plaintext"`
	CAFile         string `json:"ca_file"`
	ClientCertFile string `json:"client_cert_file"`
	ClientKeyFile  string `json:"client_key_file"`
	PlainUser      string `json:"plain_user"`
	PlainPassword  string `json:"plain_password"`
}

func secureBroker(t *testing.T) secureKafka {
	t.Helper()
	file := os.Getenv(EnvSecureKafka)
	if file == "" {
		t.Skipf("needs the secure Kafka node: scripts/kafka-secure.sh up, then export %s=... as it prints", EnvSecureKafka)
	}
	data, err := os.ReadFile(file)
	require.NoError(t, err, "%s", EnvSecureKafka)
	var k secureKafka
	require.NoError(t, json.Unmarshal(data, &k))
	return k
}

// admin is a client on the node's plaintext listener, for setup the tests do not test.
func (k secureKafka) admin(t *testing.T) *kadm.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(k.Plaintext))
	require.NoError(t, err)
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

func (k secureKafka) topic(t *testing.T) string {
	t.Helper()
	name := "sec-" + strings.ToLower(rand.Text()[:10])
	adm := k.admin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := adm.CreateTopic(ctx, 1, 1, nil, name)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = adm.DeleteTopic(ctx, name)
	})
	return name
}

// scramUser creates a SCRAM user with a random password through the admin API, waits until
// the SASL_SSL listener accepts it, and deletes it when the test ends.
func (k secureKafka) scramUser(t *testing.T, m Mechanism) (string, string) {
	t.Helper()
	user, pass := "bridge-"+strings.ToLower(rand.Text()[:8]), rand.Text()
	mech := map[Mechanism]kadm.ScramMechanism{MechanismScramSHA256: kadm.ScramSha256, MechanismScramSHA512: kadm.ScramSha512}[m]
	adm := k.admin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := adm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{{User: user, Mechanism: mech, Iterations: 4096, Password: pass}})
	require.NoError(t, err)
	require.NoError(t, res.Error())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = adm.AlterUserSCRAMs(ctx, []kadm.DeleteSCRAM{{User: user, Mechanism: mech}}, nil)
	})
	c := Config{TLS: true, CAFile: k.CAFile, SASL: m, Username: user, Password: NewSecret(pass)}
	opts, err := c.Opts()
	require.NoError(t, err)
	// The credential reaches the listener through the metadata log, a moment later.
	require.Eventually(t, func() bool {
		return Probe(ctx, []string{k.SASLSSL}, opts, 5*time.Second) == nil
	}, 30*time.Second, 200*time.Millisecond, "SCRAM user %s never accepted", user)
	return user, pass
}

// pipeline is one way of connecting: the source's and the stream's arguments (besides
// --brokers and the topic) and environment.
type pipeline struct {
	broker                string
	sourceArgs, streamArg []string
	sourceEnv, streamEnv  []string
	secret                string // must not show in any output
	connectProps          string // worker properties for the source, if any
}

// Right credentials work: PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 over SASL_SSL, a client
// certificate over SSL, each given a different way (flags, BRIDGE_SASL_PASSWORD,
// --sasl-password-file, --config, Connect properties). The source produces through the
// binary and the stream consumes through the binary.
func TestSecureBrokerPipeline(t *testing.T) {
	k := secureBroker(t)
	u256, p256 := k.scramUser(t, MechanismScramSHA256)
	u512, p512 := k.scramUser(t, MechanismScramSHA512)
	dir := t.TempDir()
	pwFile := writeFile(t, dir, "scram256.pw", []byte(p256+"\n"))
	yaml := writeFile(t, dir, "stream.yaml", []byte(fmt.Sprintf(
		"tls: true\ntls-ca-file: %s\nsasl-mechanism: SCRAM-SHA-256\nsasl-username: %s\nsasl-password: %q\n", k.CAFile, u256, p256)))
	tls := []string{"--tls", "--tls-ca-file", k.CAFile}
	for name, pl := range map[string]pipeline{
		"PLAIN by flags and BRIDGE_SASL_PASSWORD": {
			broker:     k.SASLSSL,
			sourceArgs: append(tls, "--sasl-mechanism", "PLAIN", "--sasl-username", k.PlainUser),
			sourceEnv:  []string{"BRIDGE_SASL_PASSWORD=" + k.PlainPassword},
			streamArg:  append(tls, "--sasl-mechanism", "plain", "--sasl-username", k.PlainUser, "--sasl-password", k.PlainPassword),
			secret:     k.PlainPassword,
		},
		"PLAIN, exactly-once source": {
			broker: k.SASLSSL,
			sourceArgs: append(tls, "--exactly-once", "--offsets-topic", "bridge-offsets-secure",
				"--sasl-mechanism", "PLAIN", "--sasl-username", k.PlainUser),
			sourceEnv: []string{"BRIDGE_SASL_PASSWORD=" + k.PlainPassword},
			streamArg: append(tls, "--sasl-mechanism", "PLAIN", "--sasl-username", k.PlainUser),
			streamEnv: []string{"BRIDGE_SASL_PASSWORD=" + k.PlainPassword},
			secret:    k.PlainPassword,
		},
		"SCRAM-SHA-256 by password file and --config": {
			broker:     k.SASLSSL,
			sourceArgs: append(tls, "--sasl-mechanism", "SCRAM-SHA-256", "--sasl-username", u256, "--sasl-password-file", pwFile),
			streamArg:  []string{"--config", yaml},
			secret:     p256,
		},
		"SCRAM-SHA-512 by Connect properties (password overridden) and BRIDGE_* variables": {
			broker: k.SASLSSL,
			connectProps: "producer.security.protocol=SASL_SSL\nproducer.sasl.mechanism=SCRAM-SHA-512\n" +
				"producer.sasl.jaas.config=" + ScramLoginModule + " required \\\n  username=\"" + u512 + "\" password=\"stale-password\";\n" +
				"producer.ssl.truststore.type=PEM\nproducer.ssl.truststore.location=" + k.CAFile + "\n",
			sourceEnv: []string{"BRIDGE_SASL_PASSWORD=" + p512}, // the variable wins over the properties
			streamEnv: []string{"BRIDGE_TLS=true", "BRIDGE_TLS_CA_FILE=" + k.CAFile, "BRIDGE_SASL_MECHANISM=SCRAM-SHA-512",
				"BRIDGE_SASL_USERNAME=" + u512, "BRIDGE_SASL_PASSWORD=" + p512},
			secret: p512,
		},
		"SSL with a client certificate, no hostname check": {
			broker: k.SSL,
			connectProps: "security.protocol=SSL\nssl.truststore.location=" + k.CAFile + "\nssl.keystore.type=PEM\n" +
				"ssl.keystore.location=" + writeFile(t, dir, "keystore.pem", keystore(t, k)) + "\n" +
				"ssl.endpoint.identification.algorithm=\n",
			streamArg: append(tls, "--tls-cert-file", k.ClientCertFile, "--tls-key-file", k.ClientKeyFile,
				"--tls-server-name", "localhost"),
		},
	} {
		t.Run(name, func(t *testing.T) { runPipeline(t, k, pl) })
	}
	// Kafka's default store type is JKS, and PKCS12 the other common one: the stores are
	// made by the JDK's keytool from the node's CA and client certificate, as a Connect
	// operator would make them.
	for _, store := range []struct {
		typ   StoreType
		typed bool
	}{{StoreJKS, true}, {StorePKCS12, true}, {StoreJKS, false}} {
		name := fmt.Sprintf("SSL with a client certificate in %s stores made by keytool", store.typ)
		if !store.typed {
			name += ", type left to Kafka's default"
		}
		t.Run(name, func(t *testing.T) {
			stores := keytoolStores(t, t.TempDir(), store.typ, k.CAFile, k.ClientCertFile, k.ClientKeyFile)
			runPipeline(t, k, pipeline{
				broker:       k.SSL,
				connectProps: stores.properties(store.typed) + "ssl.endpoint.identification.algorithm=\n",
				streamArg: append(tls, "--tls-cert-file", k.ClientCertFile, "--tls-key-file", k.ClientKeyFile,
					"--tls-server-name", "localhost"),
				secret: stores.storePass,
			})
		})
	}
}

// keystore is the client's key and chain in one file, as Kafka's PEM keystore holds them.
func keystore(t *testing.T, k secureKafka) []byte {
	t.Helper()
	key, err := os.ReadFile(k.ClientKeyFile)
	require.NoError(t, err)
	chain, err := os.ReadFile(k.ClientCertFile)
	require.NoError(t, err)
	return append(key, chain...)
}

const pipelineLines = 50

func runPipeline(t *testing.T, k secureKafka, pl pipeline) {
	topic := k.topic(t)
	dir := t.TempDir()
	var lines strings.Builder
	for i := range pipelineLines {
		fmt.Fprintf(&lines, "%d 0.%03d 10.0.0.%d -> 10.1.0.%d TCP 66\n", i+1, i, i+1, i+1)
	}
	writeFile(t, dir, "en0.log", []byte(lines.String()))

	src := startSource(t, dir, k, topic, pl)
	src.waitFor(t, 60*time.Second, "source start", func() bool { return strings.Contains(src.Stderr.String(), "source starting") })

	args := append([]string{"stream", topic, "--brokers", pl.broker, "--from-beginning", "--parser", "seed",
		"--sink", "jsonl:-", "--group", "g-" + topic, "--interval", "1s"}, pl.streamArg...)
	st := startBridge(t, dir, pl.streamEnv, args...)
	st.waitFor(t, 90*time.Second, "every tuple", func() bool {
		return strings.Count(st.Stdout.String(), "\n") >= pipelineLines
	})
	assert.Equal(t, 0, st.stop(t))
	assert.Equal(t, 0, src.stop(t))

	out := st.Stdout.String()
	for i := range pipelineLines {
		assert.Contains(t, out, fmt.Sprintf(`"src":"10.0.0.%d","dst":"10.1.0.%d"`, i+1, i+1))
	}
	for _, p := range []*proc{src, st} {
		all := p.Stdout.String() + p.Stderr.String()
		assert.NotContains(t, all, "level=ERROR")
		if pl.secret != "" {
			assert.NotContains(t, all, pl.secret)
		}
	}
}

func startSource(t *testing.T, dir string, k secureKafka, topic string, pl pipeline) *proc {
	t.Helper()
	offsets := filepath.Join(dir, "offsets.json")
	if pl.connectProps == "" {
		args := append([]string{"source", "--file", "en0.log", "--topic", topic, "--brokers", pl.broker,
			"--offsets", offsets}, pl.sourceArgs...)
		return startBridge(t, dir, pl.sourceEnv, args...)
	}
	worker := writeFile(t, dir, "worker.properties", []byte("bootstrap.servers="+pl.broker+"\n"+
		"offset.storage.file.filename="+filepath.Join(dir, "connect.offsets")+"\n"+pl.connectProps))
	conn := writeFile(t, dir, "connector.properties", []byte("name=secure-source\n"+
		"connector.class=FileStreamSource\nfile=en0.log\ntopic="+topic+"\n"))
	return startBridge(t, dir, pl.sourceEnv, "source", "--offsets", offsets, worker, conn)
}

// A wrong password, an unknown user, an unknown CA, a plaintext client on the TLS port, a
// TLS client on the plaintext port, a missing client certificate and a certificate for
// another name each end the command by itself with exit code 1 and a message that says
// why, without showing the password.
func TestSecureBrokerRefusals(t *testing.T) {
	k := secureBroker(t)
	u256, p256 := k.scramUser(t, MechanismScramSHA256)
	dir := t.TempDir()
	unknownCA := writeFile(t, dir, "unknown-ca.pem", newTestCA(t, "a CA the broker never heard of").pem)
	topic := k.topic(t)
	writeFile(t, dir, "en0.log", []byte("1 0.0 10.0.0.1 -> 10.0.0.2 TCP 66\n"))
	tls := []string{"--tls", "--tls-ca-file", k.CAFile}
	wrong := "Wr0ng-" + p256
	for _, tc := range []struct {
		name   string
		broker string
		args   []string
		env    []string
		says   []string
	}{
		{"wrong SCRAM password", k.SASLSSL, append(tls, "--sasl-mechanism", "SCRAM-SHA-256", "--sasl-username", u256),
			[]string{"BRIDGE_SASL_PASSWORD=" + wrong}, []string{"SASL authentication failed", "check the user name and password"}},
		{"wrong PLAIN password", k.SASLSSL, append(tls, "--sasl-mechanism", "PLAIN", "--sasl-username", k.PlainUser, "--sasl-password", wrong),
			nil, []string{"SASL authentication failed"}},
		{"unknown user", k.SASLSSL, append(tls, "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", "nobody-"+u256, "--sasl-password", wrong),
			nil, []string{"SASL authentication failed"}},
		{"unknown CA", k.SASLSSL, []string{"--tls", "--tls-ca-file", unknownCA, "--sasl-mechanism", "SCRAM-SHA-256", "--sasl-username", u256, "--sasl-password", p256},
			nil, []string{"TLS handshake failed", "x509: certificate signed by unknown authority", "--tls-ca-file"}},
		{"plaintext client on the SASL_SSL port", k.SASLSSL, []string{"--sasl-mechanism", "SCRAM-SHA-256", "--sasl-username", u256, "--sasl-password", p256},
			nil, []string{"security protocol mismatch", "add --tls"}},
		{"plaintext client on the SSL port", k.SSL, nil, nil, []string{"security protocol mismatch", "add --tls"}},
		{"TLS client on the plaintext port", k.Plaintext, tls, nil, []string{"security protocol mismatch"}},
		{"no SASL on the SASL_PLAINTEXT port", k.SASLPlaintext, nil, nil, []string{"security protocol mismatch", "is SASL missing?"}},
		{"no client certificate", k.SSL, tls, nil, []string{"TLS handshake failed", "client certificate"}},
		{"certificate for another name", k.SASLSSL, append(tls, "--tls-server-name", "kafka.example.com", "--sasl-mechanism", "PLAIN",
			"--sasl-username", k.PlainUser, "--sasl-password", k.PlainPassword), nil, []string{"TLS handshake failed", "not kafka.example.com"}},
	} {
		for _, sub := range []string{"source", "stream"} {
			t.Run(tc.name+" "+sub, func(t *testing.T) {
				args := []string{"stream", topic, "--brokers", tc.broker}
				if sub == "source" {
					args = []string{"source", "--file", "en0.log", "--topic", topic, "--brokers", tc.broker,
						"--offsets", filepath.Join(t.TempDir(), "o.json")}
				}
				p := startBridge(t, dir, tc.env, append(args, tc.args...)...)
				require.Equal(t, 1, p.exitCode(t, 60*time.Second), "stderr: %s", p.Stderr.String())
				stderr := p.Stderr.String()
				for _, s := range tc.says {
					assert.Contains(t, stderr, s)
				}
				assert.Equal(t, 1, strings.Count(stderr, "bridge: kafka "+tc.broker), "one refusal, reported once: %s", stderr)
				for _, secret := range []string{wrong, p256, k.PlainPassword} {
					assert.NotContains(t, stderr+p.Stdout.String(), secret)
				}
			})
		}
	}
}
