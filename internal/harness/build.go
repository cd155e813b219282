package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// The bridge binary, built once per test binary.
var (
	buildOnce sync.Once
	buildDir  string
	buildPath string
	buildErr  error
)

// Root is the repository's top directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Bridge returns the bridge binary: the one BRIDGE_BIN names (`make drills` builds it), else
// one built from ./cmd/bridge once per test binary. It skips the test in -short mode. The
// binary and its directory are readable by every user, for tests that run it as another one;
// a package that calls Bridge removes the build with Main.
func Bridge(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the bridge binary")
	}
	if b := os.Getenv("BRIDGE_BIN"); b != "" {
		return b
	}
	buildOnce.Do(func() { buildPath, buildErr = build() })
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

func build() (string, error) {
	dir, err := os.MkdirTemp("", "bridge-bin-")
	if err != nil {
		return "", err
	}
	buildDir = dir
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "bridge")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/bridge")
	cmd.Dir = Root()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w: %s", err, out)
	}
	return bin, nil
}

// Main runs the tests and removes the binary Bridge built: call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}
