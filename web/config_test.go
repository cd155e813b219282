package web

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want error // nil: valid; errAny: some error
	}{
		{"default", Config{Addr: DefaultAddr}, nil},
		{"localhost", Config{Addr: "localhost:8080"}, nil},
		{"ipv6 loopback", Config{Addr: "[::1]:8080"}, nil},
		{"any port", Config{Addr: "127.0.0.1:0"}, nil},
		{"every interface", Config{Addr: ":8080"}, ErrTokenRequired},
		{"wildcard", Config{Addr: "0.0.0.0:8080"}, ErrTokenRequired},
		{"lan address", Config{Addr: "192.0.2.7:8080"}, ErrTokenRequired},
		{"host name", Config{Addr: "example.net:8080"}, ErrTokenRequired},
		{"lan with token", Config{Addr: "0.0.0.0:8080", TokenFile: "token"}, nil},
		{"cert without key", Config{Addr: DefaultAddr, TLSCert: "c.pem"}, ErrTLSPair},
		{"key without cert", Config{Addr: DefaultAddr, TLSKey: "k.pem"}, ErrTLSPair},
		{"tls", Config{Addr: DefaultAddr, TLSCert: "c.pem", TLSKey: "k.pem"}, nil},
		{"no port", Config{Addr: "127.0.0.1"}, errAny},
		{"negative history", Config{Addr: DefaultAddr, History: -1}, errAny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			switch tc.want {
			case nil:
				assert.NoError(t, err)
			case errAny:
				assert.Error(t, err)
			default:
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
}

var errAny = assert.AnError

func TestNewReadsToken(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte(" \n"), 0o600))
	_, err := New(Config{Addr: DefaultAddr, TokenFile: empty}, nil)
	assert.ErrorContains(t, err, "empty", "an empty token would let anyone in")
	_, err = New(Config{Addr: DefaultAddr, TokenFile: filepath.Join(dir, "missing")}, nil)
	assert.ErrorContains(t, err, "read token file")
	_, err = New(Config{Addr: "0.0.0.0:1"}, nil)
	assert.ErrorIs(t, err, ErrTokenRequired)
}
