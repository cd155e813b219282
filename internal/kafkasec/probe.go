package kafkasec

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ProbeError is a broker's refusal of the client's security settings: retrying with the
// same settings cannot succeed, so the caller should stop.
type ProbeError struct {
	Broker string // the seed broker that refused
	Kind   error  // ErrAuth, ErrTLS or ErrMismatch
	Hint   string // what to check
	Err    error  // the client's error
}

func (e *ProbeError) Error() string {
	return fmt.Sprintf("kafka %s: %v: %v; %s", e.Broker, e.Kind, e.Err, e.Hint)
}

// Is matches the kind, so errors.Is(err, ErrAuth) works.
func (e *ProbeError) Is(target error) bool { return target == e.Kind }

func (e *ProbeError) Unwrap() error { return e.Err }

// Probe asks each seed broker once, in parallel and within timeout, for cluster metadata
// over a client made with opts (seed brokers aside). It returns nil as soon as one answers;
// a *ProbeError when a broker refused the security settings (and none answered); else an
// error wrapping ErrUnreachable, which is no reason to stop: the broker may be starting.
// Text from the broker is passed through Redact with secrets.
func Probe(ctx context.Context, brokers []string, opts []kgo.Opt, timeout time.Duration, secrets ...Secret) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	errs := make([]error, len(brokers))
	var wg sync.WaitGroup
	for i, b := range brokers {
		wg.Go(func() {
			errs[i] = ping(ctx, b, opts)
			if errs[i] == nil {
				cancel() // one answer is enough
			}
		})
	}
	wg.Wait()
	var refusal, other error
	for i, err := range errs {
		switch pe := classify(brokers[i], err); {
		case err == nil:
			return nil
		case pe != nil && refusal == nil:
			if text := Redact(pe.Err.Error(), secrets...); text != pe.Err.Error() {
				pe.Err = errors.New(text)
			}
			refusal = pe
		case pe == nil && other == nil:
			other = fmt.Errorf("%w: %s: %s", ErrUnreachable, brokers[i], Redact(err.Error(), secrets...))
		}
	}
	if refusal != nil {
		return refusal
	}
	return other
}

func ping(ctx context.Context, broker string, opts []kgo.Opt) error {
	all := append(append([]kgo.Opt(nil), opts...), kgo.SeedBrokers(broker))
	cl, err := kgo.NewClient(all...)
	if err != nil {
		return err
	}
	defer cl.Close()
	return cl.Ping(ctx)
}

// classify says whether err is a refusal of the security settings, and what to check.
func classify(broker string, err error) *ProbeError {
	if err == nil {
		return nil
	}
	kind, hint := classifyKind(err)
	if kind == nil {
		return nil
	}
	return &ProbeError{Broker: broker, Kind: kind, Hint: hint, Err: err}
}

// The hints name both bridge's flags and the Connect properties, since either may be in use.
func classifyKind(err error) (kind error, hint string) {
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		recHeader tls.RecordHeaderError
		opErr     *net.OpError
		firstRead *kgo.ErrFirstReadEOF
		msg       = err.Error()
	)
	switch {
	case errors.As(err, &unknownCA):
		return ErrTLS, "the broker's certificate is not signed by a CA bridge trusts: give the CA that signed it " +
			"with --tls-ca-file (ssl.truststore.location)"
	case errors.As(err, &hostname):
		return ErrTLS, "the broker's certificate is not issued for the address bridge dialled: set --tls-server-name " +
			"to a name in the certificate, or fix the certificate's subject alternative names"
	case errors.As(err, &invalid):
		return ErrTLS, "the broker's certificate is not valid (expired, not yet valid, or not for server use)"
	case errors.As(err, &opErr) && opErr.Op == "remote error":
		// crypto/tls reports the broker's TLS alert so (tls.AlertError is QUIC's only).
		return ErrTLS, "the broker refused the TLS handshake: does it want a client certificate " +
			"(--tls-cert-file/--tls-key-file, ssl.keystore.*) signed by a CA it trusts?"
	case errors.As(err, &recHeader):
		return ErrMismatch, "the broker did not answer in TLS: that port is not a TLS listener " +
			"(drop --tls / use security.protocol=PLAINTEXT or SASL_PLAINTEXT, or use the broker's TLS port)"
	case errors.Is(err, kerr.SaslAuthenticationFailed):
		return ErrAuth, "check the user name and password (--sasl-username, --sasl-password or " +
			"BRIDGE_SASL_PASSWORD, sasl.jaas.config) and that the user exists for --sasl-mechanism"
	case errors.Is(err, kerr.UnsupportedSaslMechanism):
		return ErrAuth, "the broker's listener does not enable this SASL mechanism: pick one it lists in " +
			"sasl.enabled.mechanisms"
	case errors.Is(err, kerr.IllegalSaslState):
		return ErrMismatch, "the broker's listener does not use SASL: drop --sasl-mechanism " +
			"(security.protocol=PLAINTEXT or SSL), or use the broker's SASL port"
	case strings.Contains(msg, "appear to be a tls alert record"):
		return ErrMismatch, "a plaintext client is talking to a TLS listener: add --tls " +
			"(security.protocol=SSL or SASL_SSL)"
	case errors.As(err, &firstRead):
		return ErrMismatch, "compare --tls and --sasl-mechanism (security.protocol) with the listener's protocol"
	}
	return nil, ""
}
