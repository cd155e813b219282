package connector

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func writeProps(t *testing.T, name string, lines ...string) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("# written by a test\n")
	for _, l := range lines {
		fmt.Fprintln(&b, l)
	}
	require.NoError(t, os.WriteFile(name, b.Bytes(), 0o644))
}
