package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/connector"
	"github.com/bridge-project/bridge/internal/kafkasec"
	"github.com/bridge-project/bridge/stream"
)

// addSecurityFlags registers the TLS and SASL flags that source and stream share. No
// default holds a secret, so --help never shows one.
func addSecurityFlags(f *pflag.FlagSet) {
	f.Bool("tls", false, "connect to Kafka over TLS (security.protocol SSL, or SASL_SSL with --sasl-mechanism)")
	f.String("tls-ca-file", "", "with --tls: PEM file of the CAs that sign the brokers' certificates (default: the system's)")
	f.String("tls-cert-file", "", "with --tls: PEM client certificate chain, for brokers that want one")
	f.String("tls-key-file", "", "with --tls: unencrypted PEM key of --tls-cert-file (default: read from --tls-cert-file)")
	f.String("tls-server-name", "", "with --tls: the name the brokers' certificates must hold (default: each broker's host)")
	f.Bool("insecure-skip-verify", false, "with --tls: accept any broker certificate - encryption without authentication, for tests only")
	f.String("sasl-mechanism", "", "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (default: no SASL)")
	f.String("sasl-username", "", "SASL user name")
	f.String("sasl-password", "", "SASL password; BRIDGE_SASL_PASSWORD or --sasl-password-file keep it out of the process list")
	f.String("sasl-password-file", "", "file whose first line is the SASL password")
}

// secureSource applies the security settings of the Connect properties (when given) and of
// the flags to cfg, then checks with the brokers that they accept them.
func secureSource(cmd *cobra.Command, s *settings, args []string, cfg *connector.Config, log *slog.Logger) error {
	var base kafkasec.Config
	if len(args) == 2 {
		var err error
		if base, err = securityFromProps(args, log); err != nil {
			return usageError{err}
		}
	}
	sec, opts, err := resolveSecurity(cmd, s, base, log)
	if err != nil {
		return err
	}
	cfg.ClientOpts = append(cfg.ClientOpts, opts...)
	if err := cfg.Validate(); err != nil {
		return usageError{err} // before the probe: a bad flag needs no broker to tell
	}
	return probeKafka(cmd.Context(), log, cfg.Brokers, opts, sec)
}

// secureStream applies the security flags to cfg and checks with the brokers that they
// accept them.
func secureStream(cmd *cobra.Command, s *settings, cfg *stream.Config, log *slog.Logger) error {
	sec, opts, err := resolveSecurity(cmd, s, kafkasec.Config{}, log)
	if err != nil {
		return err
	}
	cfg.ClientOpts = append(cfg.ClientOpts, opts...)
	return probeKafka(cmd.Context(), log, cfg.Brokers, opts, sec)
}

// isSecurityProp reports whether 'bridge source' reads a Connect property as a security
// setting, so it is not listed among the ignored ones.
func isSecurityProp(key string) bool {
	return kafkasec.IsProperty(key, kafkasec.ProducerPrefixes...)
}

// securityFromProps reads the producer's security settings from the worker and connector
// properties, and warns about either file if it holds a secret others can read.
func securityFromProps(files []string, log *slog.Logger) (kafkasec.Config, error) {
	props := map[string]string{}
	for _, name := range files {
		p, err := readProps(name)
		if err != nil {
			return kafkasec.Config{}, err
		}
		if kafkasec.HasSecret(p, kafkasec.ProducerPrefixes...) {
			warnExposed(log, name)
		}
		for k, v := range p {
			props[k] = v
		}
	}
	c, err := kafkasec.FromProperties(props, kafkasec.ProducerPrefixes...)
	if err != nil {
		return c, err
	}
	if c.CertFile != "" && c.KeyFile == "" {
		warnExposed(log, c.CertFile) // Kafka's PEM keystore file holds the key
	}
	return c, nil
}

// resolveSecurity lays the flags (and their BRIDGE_* variables and --config keys) over
// base, validates the result and builds its client options.
func resolveSecurity(cmd *cobra.Command, s *settings, base kafkasec.Config, log *slog.Logger) (kafkasec.Config, []kgo.Opt, error) {
	c := overlayTLS(cmd, s, base)
	overlaySASL(cmd, s, &c, log)
	if err := s.Err(); err != nil {
		return c, nil, err
	}
	if err := securityFlagsNeed(cmd, s, c); err != nil {
		return c, nil, usageError{err}
	}
	warnSecretFiles(cmd, s, c, log)
	opts, err := c.Opts()
	if err != nil {
		return c, nil, usageError{err}
	}
	logSecurity(log, c)
	return c, opts, nil
}

func overlayTLS(cmd *cobra.Command, s *settings, c kafkasec.Config) kafkasec.Config {
	if s.Changed(cmd, "tls") {
		if c.TLS = s.Bool("tls"); !c.TLS {
			c = kafkasec.Config{SASL: c.SASL, Username: c.Username, Password: c.Password}
		}
	}
	if s.Changed(cmd, "tls-ca-file") {
		c.CAFile, c.CAPEM = s.String("tls-ca-file"), ""
	}
	if s.Changed(cmd, "tls-cert-file") {
		// A certificate from the flags comes with its key from the flags (or inside it).
		c.CertFile, c.CertPEM, c.KeyFile, c.KeyPEM = s.String("tls-cert-file"), "", "", kafkasec.Secret{}
	}
	if s.Changed(cmd, "tls-key-file") {
		c.KeyFile, c.KeyPEM = s.String("tls-key-file"), kafkasec.Secret{}
	}
	if s.Changed(cmd, "tls-server-name") {
		c.ServerName = s.String("tls-server-name")
	}
	if s.Changed(cmd, "insecure-skip-verify") {
		c.InsecureSkipVerify = s.Bool("insecure-skip-verify")
	}
	return c
}

func overlaySASL(cmd *cobra.Command, s *settings, c *kafkasec.Config, log *slog.Logger) {
	if s.Changed(cmd, "sasl-mechanism") {
		m, err := kafkasec.ParseMechanism(s.String("sasl-mechanism"))
		if err != nil {
			s.Fail(fmt.Errorf("invalid value for --sasl-mechanism: %q: want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
				s.String("sasl-mechanism")))
			return
		}
		if c.SASL = m; m == kafkasec.MechanismNone {
			c.Username, c.Password = "", kafkasec.Secret{}
		}
	}
	if s.Changed(cmd, "sasl-username") {
		c.Username = s.String("sasl-username")
	}
	pw, file := s.Changed(cmd, "sasl-password"), s.Changed(cmd, "sasl-password-file")
	switch {
	case pw && file:
		s.Fail(errors.New("give --sasl-password (or BRIDGE_SASL_PASSWORD) or --sasl-password-file, not both"))
	case pw:
		c.Password = kafkasec.NewSecret(s.String("sasl-password"))
	case file:
		p, err := readPasswordFile(s.String("sasl-password-file"))
		if err != nil {
			s.Fail(err)
		}
		c.Password = p
	}
}

// readPasswordFile returns the file's first line, without its line end.
func readPasswordFile(name string) (kafkasec.Secret, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return kafkasec.Secret{}, fmt.Errorf("--sasl-password-file: %w", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return kafkasec.Secret{}, fmt.Errorf("--sasl-password-file %s: the first line is empty", name)
	}
	return kafkasec.NewSecret(line), nil
}

// securityFlagsNeed names the flag a setting given by flag is missing, in flag terms.
func securityFlagsNeed(cmd *cobra.Command, s *settings, c kafkasec.Config) error {
	if !c.TLS {
		for _, f := range []string{"tls-ca-file", "tls-cert-file", "tls-key-file", "tls-server-name", "insecure-skip-verify"} {
			if s.Changed(cmd, f) && s.String(f) != "" && s.String(f) != "false" {
				return fmt.Errorf("--%s needs --tls", f)
			}
		}
	}
	if c.SASL == kafkasec.MechanismNone {
		for _, f := range []string{"sasl-username", "sasl-password", "sasl-password-file"} {
			if s.Changed(cmd, f) {
				return fmt.Errorf("--%s needs --sasl-mechanism", f)
			}
		}
	}
	return c.Validate()
}

// warnSecretFiles warns about each file named by a flag or --config that holds a secret
// and is readable by others.
func warnSecretFiles(cmd *cobra.Command, s *settings, c kafkasec.Config, log *slog.Logger) {
	if file := s.String("config"); file != "" && s.v.InConfig("sasl-password") {
		warnExposed(log, file)
	}
	if s.Changed(cmd, "sasl-password-file") {
		warnExposed(log, s.String("sasl-password-file"))
	}
	switch {
	case s.Changed(cmd, "tls-key-file") && c.KeyFile != "":
		warnExposed(log, c.KeyFile)
	case s.Changed(cmd, "tls-cert-file") && c.CertFile != "" && c.KeyFile == "":
		warnExposed(log, c.CertFile) // the key is in the certificate file
	}
}

func warnExposed(log *slog.Logger, file string) {
	exposed, mode, err := kafkasec.Exposed(file)
	if err != nil || !exposed {
		return // an unreadable file is reported where it is read
	}
	log.Warn("a file holding a secret is readable by other users; chmod 600 it",
		"file", file, "mode", fmt.Sprintf("%#o", mode))
}

func logSecurity(log *slog.Logger, c kafkasec.Config) {
	if c.Protocol() == "PLAINTEXT" {
		return
	}
	log.Info("kafka security", "kafka", c)
	if c.InsecureSkipVerify {
		log.Warn("--insecure-skip-verify: the brokers' certificates are not checked; anyone on the path can read and change the traffic")
	}
	if c.SASL == kafkasec.MechanismPlain && !c.TLS {
		log.Warn("SASL PLAIN without TLS sends the password in clear text; add --tls or use SCRAM")
	}
}

// probeKafka asks the brokers once whether they accept the security settings. A refusal
// (wrong password, untrusted certificate, protocol mismatch) ends the command with exit
// code 1; a broker that does not answer yet is only logged, as bridge waits for it anyway.
func probeKafka(ctx context.Context, log *slog.Logger, brokers []string, opts []kgo.Opt, c kafkasec.Config) error {
	if !c.TLS { // over TLS a plaintext request proves nothing; Probe's TLS checks tell
		if err := checkPeers(ctx, log, brokers); err != nil {
			return err
		}
	}
	err := kafkasec.Probe(ctx, brokers, opts, kafkasec.DefaultProbeTimeout, c.Secrets()...)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, kafkasec.ErrUnreachable):
		log.Warn("no Kafka broker answered yet; bridge keeps trying", "err", err)
		return nil
	}
	return err
}
