package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 15 point 6: who talks to whom is sensitive, so the view binds off loopback only
// with a token, and every view flag without --ui says so.
func TestUIUsage(t *testing.T) {
	tok := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tok, []byte("s3cret\n"), 0o600))
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"stream on every interface", []string{"stream", "t", "--ui", "0.0.0.0:8080"},
			"--ui 0.0.0.0:8080 is not a loopback address: add --ui-token-file FILE"},
		{"stream on an empty host", []string{"stream", "t", "--ui", ":8080"}, "is not a loopback address"},
		{"demo on every interface", []string{"demo", "--ui", "[::]:0"}, "is not a loopback address"},
		{"token without ui", []string{"stream", "t", "--ui-token-file", tok}, "need --ui HOST:PORT"},
		{"tls without ui", []string{"demo", "--no-ui", "--ui-tls-cert", "c.pem", "--ui-tls-key", "k.pem"}, "need --ui HOST:PORT"},
		{"cert without key", []string{"stream", "t", "--ui", "127.0.0.1:0", "--ui-tls-cert", "c.pem"},
			"--ui-tls-cert and --ui-tls-key must be given together"},
		{"not host:port", []string{"stream", "t", "--ui", "8080"}, "invalid value for --ui"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			cmd := newRootCmd(strings.NewReader(""), io.Discard, &stderr)
			cmd.SetArgs(tt.args)
			err := cmd.Execute()
			require.Error(t, err)
			assert.True(t, isUsage(err), "not a usage error (exit 2): %v", err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "\n", "one line")
		})
	}
}
