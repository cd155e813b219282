package web

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultAddr         = "127.0.0.1:8080"
	DefaultHistory      = 10 * time.Minute // how far back the rate charts reach
	DefaultWriteTimeout = 10 * time.Second // a client that reads nothing for this long is dropped
)

// Sentinel errors of Validate, so the CLI can map them to usage errors.
var (
	ErrTokenRequired = errors.New("a non-loopback address requires a token file")
	ErrTLSPair       = errors.New("tls cert and key must be given together")
)

// Config is the web view's configuration.
type Config struct {
	// Addr is host:port to listen on. Any host but a loopback one requires TokenFile: who talks to
	// whom is sensitive.
	Addr string
	// TokenFile holds the bearer token (surrounding white space is ignored). Empty: no auth.
	TokenFile string
	// TLSCert and TLSKey are PEM files; given together, the view is served over HTTPS.
	TLSCert, TLSKey string
	// History is how far back the rate charts reach; 0 means DefaultHistory.
	History time.Duration
	// WriteTimeout bounds one write to a client; 0 means DefaultWriteTimeout.
	WriteTimeout time.Duration
}

// Validate reports a configuration the view must refuse to start with.
func (c Config) Validate() error {
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("web addr %q: %w", c.Addr, err)
	}
	if c.TokenFile == "" && !isLoopback(host) {
		return fmt.Errorf("web addr %q: %w", c.Addr, ErrTokenRequired)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return ErrTLSPair
	}
	if c.History < 0 || c.WriteTimeout < 0 {
		return errors.New("web: negative duration")
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.History == 0 {
		c.History = DefaultHistory
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	return c
}

// isLoopback is true for localhost and loopback IPs; an empty host means every interface.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readToken reads the token file; an empty token would let anyone in, so it is an error.
func readToken(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token file %s is empty", path)
	}
	return tok, nil
}
