package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// No Docker engine runs where the tests do, so docker-compose.yml and the Dockerfile are
// checked by reading them: the services the demo needs are there, wired the way the
// README says, and every bridge command and flag they use exists in this binary.

type composeFile struct {
	Services map[string]composeService    `yaml:"services"`
	Volumes  map[string]any               `yaml:"volumes"`
	Secrets  map[string]map[string]string `yaml:"secrets"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Build       map[string]string `yaml:"build"`
	Command     []string          `yaml:"command"`
	Entrypoint  []string          `yaml:"entrypoint"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	NetworkMode string            `yaml:"network_mode"`
	Secrets     []string          `yaml:"secrets"`
	CapAdd      []string          `yaml:"cap_add"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	raw, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	var cf composeFile
	require.NoError(t, yaml.Unmarshal(raw, &cf))
	return cf
}

func TestComposeServices(t *testing.T) {
	cf := loadCompose(t)
	for _, name := range []string{"kafka", "create-topic", "tshark", "source", "stream"} {
		require.Contains(t, cf.Services, name)
	}

	kafka := cf.Services["kafka"]
	assert.True(t, strings.HasPrefix(kafka.Image, "apache/kafka:"), "official Apache Kafka image, got %q", kafka.Image)
	assert.Equal(t, "broker,controller", kafka.Environment["KAFKA_PROCESS_ROLES"], "KRaft combined mode")
	assert.Contains(t, kafka.Environment, "KAFKA_CONTROLLER_QUORUM_VOTERS")
	assert.Contains(t, kafka.Ports, "9092:9092")

	topic := cf.Services["create-topic"]
	assert.Equal(t, kafka.Image, topic.Image)
	assert.Contains(t, strings.Join(topic.Command, " "), "--topic demo2")
	assert.Equal(t, "service_healthy", topic.DependsOn["kafka"].Condition)

	ts := cf.Services["tshark"]
	assert.Equal(t, "host", ts.NetworkMode)
	assert.ElementsMatch(t, []string{"NET_RAW", "NET_ADMIN"}, ts.CapAdd)
	capture := strings.Join(append(ts.Entrypoint, ts.Command...), " ")
	assert.Contains(t, capture, "tshark -l -i ${IFACE:-eth0}")
	assert.Contains(t, capture, ">> /data/en0.log")

	src, stream := cf.Services["source"], cf.Services["stream"]
	assert.Equal(t, "bridge", src.Build["target"], "source is built from the repo's Dockerfile")
	assert.Equal(t, src.Image, stream.Image, "stream runs the image the source service builds")
	assert.Equal(t, "service_completed_successfully", src.DependsOn["create-topic"].Condition)
	assert.Contains(t, src.Volumes, "capture:/data:ro", "source reads the log tshark appends to")
	assert.Contains(t, ts.Volumes, "capture:/data")
	for _, svc := range []composeService{ts, src} {
		for _, v := range svc.Volumes {
			name := strings.SplitN(v, ":", 2)[0]
			assert.Contains(t, cf.Volumes, name, "named volume %s is declared", name)
		}
	}
	assert.Equal(t, "source", src.Command[0])
	assert.Equal(t, []string{"stream", "demo2"}, stream.Command[:2])
}

// Issue 16 point 5: the stream serves the live view, off loopback inside its container only
// with a token, and the host publishes it on loopback only.
func TestComposeServesTheView(t *testing.T) {
	cf := loadCompose(t)
	stream := cf.Services["stream"]
	cmd := strings.Join(stream.Command, " ")
	assert.Contains(t, cmd, "--ui 0.0.0.0:8080")
	assert.Contains(t, cmd, "--ui-token-file /run/secrets/ui-token")
	assert.Equal(t, []string{"127.0.0.1:8080:8080"}, stream.Ports, "published on the host's loopback only")
	assert.Equal(t, []string{"ui-token"}, stream.Secrets)
	assert.Equal(t, "UI_TOKEN", cf.Secrets["ui-token"]["environment"])
	for name, svc := range cf.Services {
		for _, p := range svc.Ports {
			if strings.HasSuffix(p, ":8080") {
				assert.True(t, strings.HasPrefix(p, "127.0.0.1:"), "service %s publishes the view off loopback: %s", name, p)
			}
		}
	}

	// The command line as bridge reads it: a token makes 0.0.0.0 acceptable.
	tok := filepath.Join(t.TempDir(), "ui-token")
	require.NoError(t, os.WriteFile(tok, []byte("s3cret\n"), 0o600))
	args := slices.Clone(stream.Command)
	args[slices.Index(args, "/run/secrets/ui-token")] = tok
	root := newRootCmd(strings.NewReader(""), io.Discard, io.Discard)
	sub, rest, err := root.Find(args)
	require.NoError(t, err)
	require.NoError(t, sub.ParseFlags(rest))
	s, err := loadSettings(sub)
	require.NoError(t, err)
	ui, err := readUIOpts(s, false)
	require.NoError(t, err)
	assert.True(t, ui.on())
}

// Every bridge command line in the compose file must parse with this binary's CLI.
func TestComposeCommandsExist(t *testing.T) {
	cf := loadCompose(t)
	for _, name := range []string{"source", "stream"} {
		t.Run(name, func(t *testing.T) {
			requireKnownCommandLine(t, cf.Services[name].Command)
		})
	}
}

func requireKnownCommandLine(t *testing.T, args []string) {
	t.Helper()
	root := newRootCmd(strings.NewReader(""), io.Discard, io.Discard)
	cmd, rest, err := root.Find(args)
	require.NoError(t, err, "command %v", args)
	require.NotEqual(t, root, cmd, "args %v name a subcommand", args)
	require.NoError(t, parseOnly(cmd, rest), "flags of %v", args)
}

// parseOnly parses flags without running the command.
func parseOnly(cmd *cobra.Command, args []string) error {
	return cmd.ParseFlags(args)
}

func TestDockerfile(t *testing.T) {
	f, err := os.Open("../../Dockerfile")
	require.NoError(t, err)
	defer f.Close()
	stages := map[string]string{} // stage name -> base image
	var current string
	final := map[string][]string{} // stage -> its instructions
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if strings.EqualFold(fields[0], "FROM") {
			require.Len(t, fields, 4, "FROM image AS name: %q", line)
			current = fields[3]
			stages[current] = fields[1]
			continue
		}
		final[current] = append(final[current], line)
	}
	require.NoError(t, sc.Err())

	assert.True(t, strings.HasPrefix(stages["build"], "golang:1.26"), "build stage uses Go 1.26, got %q", stages["build"])
	assert.Contains(t, stages["bridge"], "distroless/static", "static, shell-less runtime base")
	assert.Contains(t, stages["tshark"], "debian")
	body := strings.Join(final["build"], "\n")
	assert.Contains(t, body, "CGO_ENABLED=0", "static binary")
	assert.Contains(t, body, "./cmd/bridge")
	run := strings.Join(final["bridge"], "\n")
	assert.Contains(t, run, "USER 65532:65532", "runs as non-root")
	assert.Contains(t, run, `ENTRYPOINT ["/usr/local/bin/bridge"]`)
	assert.Contains(t, strings.Join(final["tshark"], "\n"), "apt-get install -y --no-install-recommends tshark")
}
