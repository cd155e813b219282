package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/web"
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

// Issue 15 point 1, issue 16 point 2: bridge demo serves the view by default on loopback and
// says where before anything else; its default port, when busy, moves to a free one.
func TestDemoServesTheView(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo")
	}
	held, err := net.Listen("tcp", web.DefaultAddr)
	if err == nil {
		defer held.Close()
	}
	r := startCLI(t, "demo", "--speed", "8", "--interval", "500ms")
	var first string
	require.Eventually(t, func() bool {
		var complete bool
		first, _, complete = strings.Cut(r.stderr.String(), "\n")
		return complete
	}, 30*time.Second, 20*time.Millisecond, "the demo printed nothing")
	rest, ok := strings.CutPrefix(first, "bridge demo: live view at ")
	require.True(t, ok, "the first line is the URL: %q", first)
	url, busy, _ := strings.Cut(rest, " ")
	assert.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
	if held != nil {
		assert.NotEqual(t, "http://"+web.DefaultAddr+"/", url, "the busy default port was taken anyway")
		assert.Equal(t, "("+web.DefaultAddr+" is busy)", busy)
	}

	var view struct {
		Rows []struct{ A, B string }
	}
	require.Eventually(t, func() bool {
		resp, err := http.Get(url + "view.json")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&view) == nil && len(view.Rows) > 0
	}, 60*time.Second, 100*time.Millisecond, "the view never showed the demo's pairs")
	require.NoError(t, r.stop(t))
}
