package kafkasec

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Mechanism is a SASL mechanism name, as Kafka's sasl.mechanism spells it.
type Mechanism string

// The SASL mechanisms bridge speaks; MechanismNone means no SASL.
const (
	MechanismNone        Mechanism = ""
	MechanismPlain       Mechanism = "PLAIN"
	MechanismScramSHA256 Mechanism = "SCRAM-SHA-256"
	MechanismScramSHA512 Mechanism = "SCRAM-SHA-512"
)

// DefaultProbeTimeout bounds Probe: long enough for a TLS handshake and a SCRAM exchange
// with a busy broker, short enough that a broker that is down delays nothing much.
const DefaultProbeTimeout = 10 * time.Second

// Sentinel errors. Probe wraps ErrAuth, ErrTLS and ErrMismatch (fatal: retrying cannot
// help) and ErrUnreachable (the broker may come up later); Validate and Opts wrap
// ErrConfig.
var (
	ErrAuth        = errors.New("SASL authentication failed")
	ErrTLS         = errors.New("TLS handshake failed")
	ErrMismatch    = errors.New("security protocol mismatch")
	ErrUnreachable = errors.New("no broker answered")
	ErrConfig      = errors.New("kafka security config")
)

// ParseMechanism accepts PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 in any case; "" is
// MechanismNone.
func ParseMechanism(s string) (Mechanism, error) {
	m := Mechanism(strings.ToUpper(strings.TrimSpace(s)))
	switch m {
	case MechanismNone, MechanismPlain, MechanismScramSHA256, MechanismScramSHA512:
		return m, nil
	}
	return "", fmt.Errorf("%w: SASL mechanism %q: want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", ErrConfig, s)
}

// Config is how a client secures its connections. The zero value is PLAINTEXT.
type Config struct {
	// TLS encrypts the connections and checks the broker's certificate.
	TLS bool
	// CAFile is a PEM bundle of the CAs to trust; empty (and no CAPEM) means the system's.
	CAFile string
	// CAPEM are CA certificates given inline (ssl.truststore.certificates).
	CAPEM string
	// CertFile and KeyFile are the client certificate chain and its unencrypted private
	// key, PEM, for brokers that want one. KeyFile may be empty when CertFile holds both,
	// as Kafka's PEM keystore file does.
	CertFile, KeyFile string
	// CertPEM and KeyPEM are the same given inline (ssl.keystore.certificate.chain and
	// ssl.keystore.key).
	CertPEM string
	KeyPEM  Secret
	// TrustStoreType and KeyStoreType say how CAFile and CertFile are stored: PEM, or
	// Kafka's JKS and PKCS12 stores (ssl.truststore.type, ssl.keystore.type); StoreAuto
	// tells them apart by their bytes. A JKS or PKCS12 key store holds the key too, and
	// KeyFile is then unused.
	TrustStoreType, KeyStoreType StoreType
	// TrustStorePassword and KeyStorePassword open JKS and PKCS12 stores; KeyPassword
	// opens the key entry of a JKS store (Kafka's ssl.key.password; default: the store's).
	TrustStorePassword, KeyStorePassword, KeyPassword Secret
	// ServerName is the name the broker's certificate must hold; empty means the host
	// of each broker's address.
	ServerName string
	// InsecureSkipVerify accepts any certificate: encryption without authentication.
	InsecureSkipVerify bool
	// SkipHostnameCheck checks the chain but not the name in it, as Kafka does with
	// ssl.endpoint.identification.algorithm empty.
	SkipHostnameCheck bool

	// SASL is the mechanism; MechanismNone turns SASL off.
	SASL     Mechanism
	Username string
	Password Secret
}

// Protocol names the setting as Kafka's security.protocol does.
func (c Config) Protocol() string {
	switch {
	case c.TLS && c.SASL != MechanismNone:
		return "SASL_SSL"
	case c.TLS:
		return "SSL"
	case c.SASL != MechanismNone:
		return "SASL_PLAINTEXT"
	}
	return "PLAINTEXT"
}

// Secrets returns the secrets the config holds, for Redact.
func (c Config) Secrets() []Secret {
	return []Secret{c.Password, c.KeyPEM, c.TrustStorePassword, c.KeyStorePassword, c.KeyPassword}
}

// Validate reports settings that contradict each other or are missing.
func (c Config) Validate() error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
	}
	if _, err := ParseMechanism(string(c.SASL)); err != nil {
		errs = append(errs, err)
	}
	if c.SASL != MechanismNone && c.Username == "" {
		fail("SASL %s needs a user name", c.SASL)
	}
	if c.SASL != MechanismNone && c.Password.IsZero() {
		fail("SASL %s needs a password", c.SASL)
	}
	if c.SASL == MechanismNone && (c.Username != "" || !c.Password.IsZero()) {
		fail("a SASL user name or password needs a SASL mechanism")
	}
	if !c.TLS && c.tlsFieldSet() {
		fail("CA, client certificate, server name and verification settings need TLS")
	}
	hasCert, hasKey := c.CertFile != "" || c.CertPEM != "", c.KeyFile != "" || !c.KeyPEM.IsZero()
	if hasKey && !hasCert {
		fail("a client key needs a client certificate")
	}
	if (c.CAFile != "" && c.CAPEM != "") || (c.CertFile != "" && c.CertPEM != "") ||
		(c.KeyFile != "" && !c.KeyPEM.IsZero()) {
		fail("give each of the CA, certificate and key as a file or inline, not both")
	}
	return errors.Join(errs...)
}

func (c Config) tlsFieldSet() bool {
	return c.CAFile != "" || c.CAPEM != "" || c.CertFile != "" || c.KeyFile != "" ||
		c.CertPEM != "" || !c.KeyPEM.IsZero() || c.ServerName != "" || c.InsecureSkipVerify ||
		c.SkipHostnameCheck
}

// Opts validates c, reads its PEM files and returns the franz-go options that apply it:
// none for PLAINTEXT.
func (c Config) Opts() ([]kgo.Opt, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var opts []kgo.Opt
	if c.TLS {
		tc, err := c.tlsConfig()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	if m := c.mechanism(); m != nil {
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

func (c Config) mechanism() sasl.Mechanism {
	user, pass := c.Username, c.Password.Reveal()
	switch c.SASL {
	case MechanismPlain:
		return plain.Auth{User: user, Pass: pass}.AsMechanism()
	case MechanismScramSHA256:
		return scram.Auth{User: user, Pass: pass}.AsSha256Mechanism()
	case MechanismScramSHA512:
		return scram.Auth{User: user, Pass: pass}.AsSha512Mechanism()
	}
	return nil
}

// LogValue describes the config for a log line: never a secret, only whether one is set.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("protocol", c.Protocol())}
	if c.SASL != MechanismNone {
		attrs = append(attrs, slog.String("sasl_mechanism", string(c.SASL)),
			slog.String("sasl_username", c.Username))
	}
	if c.TLS {
		attrs = append(attrs, slog.String("ca", c.caSource()),
			slog.Bool("client_cert", c.CertFile != "" || c.CertPEM != ""))
		if c.ServerName != "" {
			attrs = append(attrs, slog.String("server_name", c.ServerName))
		}
		if c.InsecureSkipVerify {
			attrs = append(attrs, slog.Bool("insecure_skip_verify", true))
		} else if c.SkipHostnameCheck {
			attrs = append(attrs, slog.Bool("hostname_check", false))
		}
	}
	return slog.GroupValue(attrs...)
}

func (c Config) caSource() string {
	switch {
	case c.CAFile != "":
		return c.CAFile
	case c.CAPEM != "":
		return "inline"
	}
	return "system"
}
