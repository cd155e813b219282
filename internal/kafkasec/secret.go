package kafkasec

import (
	"fmt"
	"log/slog"
	"strings"
)

// redacted is what a Secret prints as, whatever the verb.
const redacted = "[redacted]"

// Secret is a password or private key. It prints, logs and marshals as "[redacted]" (or
// "" when empty), so a config struct holding one can be logged or wrapped in an error
// without leaking it; Reveal is the only way to the value.
type Secret struct{ v string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{v: s} }

// Reveal returns the secret itself, for the code that must send it.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == "" }

// String returns "[redacted]", or "" for an empty secret.
func (s Secret) String() string {
	if s.v == "" {
		return ""
	}
	return redacted
}

// Format makes every fmt verb (%v, %+v, %#v, %s, %q, %x ...) print String.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s.String())
		return
	}
	fmt.Fprint(f, s.String())
}

// LogValue keeps the secret out of slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps the secret out of JSON, YAML and TOML output.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Redact replaces every occurrence of the secrets in msg, for text bridge did not
// write itself (a broker's error message) before it is shown.
func Redact(msg string, secrets ...Secret) string {
	for _, s := range secrets {
		// Replacing a one-character secret would garble the whole message.
		if len(s.v) > 1 {
			msg = strings.ReplaceAll(msg, s.v, redacted)
		}
	}
	return msg
}
