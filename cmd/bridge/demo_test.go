package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildBridge builds the binary into dir.
func buildBridge(t *testing.T, dir string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(dir, "bridge")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
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
