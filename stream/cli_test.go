package stream

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

// runBridge runs the binary to completion and returns its stdout, stderr and exit code.
func runBridge(t *testing.T, stdin string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bridgeBin(t), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	require.NoError(t, err)
	return stdout.String(), stderr.String(), 0
}

func TestCLIUsageErrorsExit2(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
	}{
		{"no topic", nil, []string{"stream"}},
		{"bad sink", nil, []string{"stream", "t", "--sink", "bogus"}},
		{"jsonl without path", nil, []string{"stream", "t", "--sink", "jsonl:"}},
		{"exactly-once without kafka sink", nil, []string{"stream", "t", "--exactly-once"}},
		{"transactional id without exactly-once", nil, []string{"stream", "t", "--transactional-id", "x"}},
		{"zero interval", nil, []string{"stream", "t", "--interval", "0s"}},
		{"window without top", nil, []string{"stream", "t", "--window", "60s"}},
		{"window not a multiple", nil, []string{"stream", "t", "--top", "3", "--window", "3s"}},
		{"unknown parser", nil, []string{"stream", "t", "--parser", "awk"}},
		{"record time without top", nil, []string{"stream", "t", "--time", "record"}},
		{"unknown time", nil, []string{"stream", "t", "--top", "3", "--time", "event"}},
		{"unknown key", nil, []string{"stream", "t", "--top", "3", "--key", "port"}},
		{"bad prefix", nil, []string{"stream", "t", "--top", "3", "--prefix", "33"}},
		{"zero top capacity", nil, []string{"stream", "t", "--top", "3", "--top-capacity", "0"}},
		{"parse top without key", nil, []string{"parse", "--top", "3"}},
		{"negative num", nil, []string{"stream", "t", "--num", "-1"}},
		{"bad env value", []string{"BRIDGE_INTERVAL=soon"}, []string{"stream", "t"}},
		{"parse bad format", nil, []string{"parse", "--format", "xml"}},
		{"parse bad parser", nil, []string{"parse", "--parser", "awk"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runBridge(t, "", tt.env, tt.args...)
			assert.Equal(t, 2, code, "stderr: %s", stderr)
		})
	}
}

func TestCLIParse(t *testing.T) {
	input, err := os.ReadFile(filepath.Join(parseDir, "input.log"))
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(parseDir, "tshark.tsv"))
	require.NoError(t, err)

	stdout, stderr, code := runBridge(t, string(input), nil, "parse")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, string(want), stdout, "stdin")
	assert.Contains(t, stderr, "not_packet=5")

	file := filepath.Join(parseDir, "input.log")
	stdout, _, code = runBridge(t, "", nil, "parse", file, file)
	require.Equal(t, 0, code)
	assert.Equal(t, string(want)+string(want), stdout, "two files, in order")

	_, _, code = runBridge(t, "", nil, "parse", filepath.Join(t.TempDir(), "missing.log"))
	assert.Equal(t, 1, code, "a missing file is a runtime error")
}

var pprintHeader = regexp.MustCompile(`^-{43}\nTime: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{6})?)\n-{43}\n$`)

// TestCLIStreamPprint: the default stdout sink prints pyspark's layout, with batch times
// on the interval grid in local time (TZ), the first --num tuples and "...".
func TestCLIStreamPprint(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 1)
	produce(t, c, topic, packetValues(0, 5)...)
	p := startBridgeEnv(t, "pprint", []string{"TZ=Asia/Kolkata"}, "stream", topic, "--brokers", strings.Join(c.Brokers, ","),
		"--group", topic+"-g", "--from-beginning", "--interval", "500ms", "--num", "3", "--parser", "seed")
	waitFor(t, "a batch with records", 60*time.Second, func() bool { return strings.Contains(p.stdout.String(), "...\n") })
	require.Equal(t, 0, p.term(t))

	loc, err := time.LoadLocation("Asia/Kolkata")
	require.NoError(t, err)
	blocks := strings.SplitAfter(p.stdout.String(), "\n\n")
	require.Empty(t, blocks[len(blocks)-1], "output ends with a blank line")
	withRecords := 0
	for _, b := range blocks[:len(blocks)-1] {
		lines := strings.SplitAfterN(b, "\n", 4)
		require.GreaterOrEqual(t, len(lines), 4, "block %q", b)
		m := pprintHeader.FindStringSubmatch(lines[0] + lines[1] + lines[2])
		require.NotNil(t, m, "header of %q", b)
		at, err := time.ParseInLocation("2006-01-02 15:04:05.999999", m[1], loc)
		require.NoError(t, err)
		assert.Zero(t, at.UnixMilli()%500, "batch time %s on the 500ms grid", m[1])
		if lines[3] == "\n" {
			continue // an empty batch: header and blank line
		}
		withRecords++
		assert.Equal(t, "('10.0.0.0', '192.168.0.1')\n('10.0.0.1', '192.168.0.1')\n('10.0.0.2', '192.168.0.1')\n...\n\n", lines[3])
	}
	assert.Equal(t, 1, withRecords)
}
