package testutil

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// AppendFile appends data to name, creating it.
func AppendFile(t testing.TB, name string, data string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	_, err = f.WriteString(data)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// CopyFile copies the file from to the file to.
func CopyFile(t testing.TB, from, to string) {
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

// WriteProps writes a .properties file of the given lines.
func WriteProps(t testing.TB, name string, lines ...string) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("# written by a test\n")
	for _, l := range lines {
		fmt.Fprintln(&b, l)
	}
	require.NoError(t, os.WriteFile(name, b.Bytes(), 0o644))
}

// EnvInt is the integer the environment variable name holds, or def when it is unset.
func EnvInt(t testing.TB, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, name)
	return n
}
