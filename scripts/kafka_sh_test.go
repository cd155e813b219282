// Package scripts holds tests of the project's shell scripts: they are run as users run
// them, against stand-in processes, so no broker has to be started.
package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeNode starts a process that kafka.sh takes for node 1 of a 1-node cluster under
// state: its command line names kafka.Kafka and the node's server.properties, as a real
// broker's does. It records portBase as the cluster's port base.
func fakeNode(t *testing.T, state, portBase string) *exec.Cmd {
	t.Helper()
	nd := filepath.Join(state, "cluster-1", "node-1")
	require.NoError(t, os.MkdirAll(nd, 0o755))
	// "; :" keeps bash from exec-ing sleep, which would drop the arguments kafka.sh looks for.
	cmd := exec.Command("bash", "-c", "sleep 120; :", "kafka.Kafka", filepath.Join(nd, "server.properties"))
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	require.NoError(t, os.WriteFile(filepath.Join(nd, "pid"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(state, "cluster-1", "port-base"), []byte(portBase+"\n"), 0o644))
	return cmd
}

func kafkaSh(t *testing.T, state, command string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", "kafka.sh", command)
	cmd.Env = append(os.Environ(), append([]string{"KAFKA_STATE=" + state, "KAFKA_UP_TIMEOUT=3"}, env...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func alive(cmd *exec.Cmd) bool { return cmd.Process.Signal(syscall.Signal(0)) == nil }

// TestUpWithOtherPortBaseLeavesRunningClusterAlone is issue 12's `make kafka-up` with
// another KAFKA_PORT_BASE: it used to wait on the wrong port, give up and stop the
// running cluster it had not started.
func TestUpWithOtherPortBaseLeavesRunningClusterAlone(t *testing.T) {
	state := t.TempDir()
	node := fakeNode(t, state, "39092")

	out, err := kafkaSh(t, state, "up", "KAFKA_PORT_BASE=49092")
	require.Error(t, err, out)
	assert.Contains(t, out, "running on port base 39092, not 49092")
	assert.Contains(t, out, "KAFKA_PORT_BASE=39092")
	time.Sleep(200 * time.Millisecond)
	assert.True(t, alive(node), "kafka.sh up stopped a cluster it did not start")
}

// TestCommandsFollowRunningCluster: without KAFKA_PORT_BASE the script acts on the ports
// the running cluster was started with.
func TestCommandsFollowRunningCluster(t *testing.T) {
	state := t.TempDir()
	node := fakeNode(t, state, "39092")

	out, _ := kafkaSh(t, state, "status", "KAFKA_PORT_BASE=")
	assert.Contains(t, out, "following the running 1-node cluster on port base 39092")
	assert.Contains(t, out, "127.0.0.1:39092")
	assert.True(t, alive(node))
}
