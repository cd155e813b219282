package e2e

import (
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// appendFile appends data to name, creating it.
func appendFile(t *testing.T, name string, data string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	_, err = f.WriteString(data)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	require.NoError(t, err)
	defer src.Close()
	dst, err := os.Create(to)
	require.NoError(t, err)
	_, err = io.Copy(dst, src)
	require.NoError(t, err)
	require.NoError(t, dst.Close())
}
