package main

import (
	"bytes"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/harness"
)

// buildBridge is the binary, built once by the shared harness (dir is not used).
func buildBridge(t *testing.T, _ string) string {
	t.Helper()
	return harness.Bridge(t)
}

// Issue 12 point 13: -i without --live is a usage error, not a silent replay; a --tshark
// path that does not exist is named as such.
func TestDemoLiveUsage(t *testing.T) {
	bin := buildBridge(t, t.TempDir())
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"interface without live", []string{"demo", "-i", "lo"}, 2, "add --live"},
		{"filter without live", []string{"demo", "-f", "tcp"}, 2, "add --live"},
		{"tshark path missing", []string{"demo", "--live", "-i", "lo", "--tshark", "/nonexistent/tshark"}, 1,
			"--tshark /nonexistent/tshark: the path does not exist"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			cmd := exec.Command(bin, tt.args...)
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			assert.Equal(t, tt.code, exit.ExitCode())
			assert.Contains(t, stderr.String(), tt.want)
			assert.NotContains(t, stderr.String(), "not found on PATH")
		})
	}
}
