//go:build drills

package drills

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/connectvalue"
	"github.com/bridge-project/bridge/internal/harness"
)

// The drill cluster lives on its own ports and data dir so the shared broker on 9092 is never
// touched. Override with DRILLS_PORT_BASE / DRILLS_STATE.
func portBase() int {
	if v, err := strconv.Atoi(os.Getenv("DRILLS_PORT_BASE")); err == nil {
		return v
	}
	return 29092
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	return root
}

// kafkaSh runs scripts/kafka.sh against the drill cluster of the given shape.
func kafkaSh(t *testing.T, nodes int, args ...string) error {
	t.Helper()
	root := repoRoot(t)
	state := os.Getenv("DRILLS_STATE")
	if state == "" {
		state = filepath.Join(root, ".cache/kafka/drills")
	}
	cmd := exec.Command(filepath.Join(root, "scripts/kafka.sh"), args...)
	cmd.Env = append(os.Environ(), "KAFKA_PORT_BASE="+strconv.Itoa(portBase()), "KAFKA_STATE="+state,
		"KAFKA_NODES="+strconv.Itoa(nodes), "KAFKA_HEAP_OPTS=-Xms256m -Xmx512m")
	out, err := cmd.CombinedOutput()
	t.Logf("kafka.sh %s: %s", strings.Join(args, " "), strings.TrimSpace(lastLines(string(out), 3)))
	return err
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(l[max(len(l)-n, 0):], "\n")
}

func brokers(nodes int) []string {
	var b []string
	for i := range nodes {
		b = append(b, "127.0.0.1:"+strconv.Itoa(portBase()+i))
	}
	return b
}

// upCluster starts the drill cluster (cleaned first, so every run starts from nothing) and
// takes it down when the test ends.
func upCluster(t *testing.T, nodes int) []string {
	t.Helper()
	_ = kafkaSh(t, nodes, "clean")
	require.NoError(t, kafkaSh(t, nodes, "up"))
	t.Cleanup(func() { _ = kafkaSh(t, nodes, "clean") })
	return brokers(nodes)
}

func admin(t *testing.T, seeds []string) (*kadm.Client, *kgo.Client) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...))
	require.NoError(t, err)
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl), cl
}

func createTopic(t *testing.T, adm *kadm.Client, name string, parts int32, rf int16, cfg map[string]*string) {
	t.Helper()
	res, err := adm.CreateTopic(t.Context(), parts, rf, cfg, name)
	require.NoError(t, err)
	require.NoError(t, res.Err)
}

func TestMain(m *testing.M) { harness.Main(m) }

// bridgeBin is the binary `make drills` built (BRIDGE_BIN), else one built here.
func bridgeBin(t *testing.T) string { return harness.Bridge(t) }

// proc is one run of the bridge binary; its peak RSS is VmHWM sampled while it runs.
type proc = harness.Proc

// start runs bin with args, its output kept in memory.
func start(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	return harness.Start(t, bin, harness.Options{}, args...)
}

// writeLines appends n numbered tshark-like lines to file at about rate lines/s (0: as fast as
// possible) and sends the count when done; ctx stops it early.
func writeLines(ctx context.Context, file string, n, rate int) <-chan int {
	done := make(chan int, 1)
	go func() {
		f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			panic(err)
		}
		defer f.Close()
		w := bufio.NewWriterSize(f, 4096)
		begin := time.Now()
		i := 0
		for ; i < n; i++ {
			w.WriteString(harness.Line(i))
			if i%1000 == 999 {
				_ = w.Flush()
				if rate > 0 {
					if ahead := time.Duration(i+1)*time.Second/time.Duration(rate) - time.Since(begin); ahead > 0 {
						select {
						case <-ctx.Done():
							done <- i + 1
							return
						case <-time.After(ahead):
						}
					}
				}
				if ctx.Err() != nil {
					done <- i + 1
					return
				}
			}
		}
		_ = w.Flush()
		done <- i
	}()
	return done
}

// tally reads the topic from the start until every one of n lines was seen (then until it has
// been quiet for quiet), or until timeout, and counts lost and duplicated lines.
func tally(t *testing.T, seeds []string, topic string, n int, committed bool, timeout time.Duration) (lost, dups int) {
	t.Helper()
	seen := tallySeen(t, seeds, topic, n, committed, timeout, timeout)
	return countSeen(t, seen)
}

// tallySeen reads the topic as tally does, also stopping once nothing came for giveUp while
// lines are still missing (a drill that expects some loss), and returns how often each line
// was seen.
func tallySeen(t *testing.T, seeds []string, topic string, n int, committed bool, timeout, giveUp time.Duration) []int {
	t.Helper()
	opts := []kgo.Opt{kgo.SeedBrokers(seeds...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}
	if committed {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cl, err := kgo.NewClient(opts...)
	require.NoError(t, err)
	defer cl.Close()
	seen := make([]int, n)
	missing, bad := n, 0
	deadline := time.Now().Add(timeout)
	quietSince := time.Now()
	for time.Now().Before(deadline) {
		if missing == 0 && time.Since(quietSince) > 3*time.Second || time.Since(quietSince) > giveUp {
			break
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) {
			quietSince = time.Now()
			line, err := connectvalue.DecodeValue(r.Value)
			i, ok := harness.LineIndex(line)
			if err != nil || !ok || i >= n {
				bad++
				return
			}
			if seen[i] == 0 {
				missing--
			}
			seen[i]++
		})
	}
	if bad > 0 {
		t.Errorf("%d records are not whole drill lines", bad)
	}
	return seen
}

// countSeen counts the lines never seen and the extra copies.
func countSeen(t *testing.T, seen []int) (lost, dups int) {
	t.Helper()
	for _, k := range seen {
		if k == 0 {
			lost++
		}
		dups += max(k-1, 0)
	}
	if lost > 0 {
		first := -1
		for i, k := range seen {
			if k == 0 {
				first = i
				break
			}
		}
		t.Logf("first lost line: %d", first)
	}
	return lost, dups
}

func endOffset(ctx context.Context, adm *kadm.Client, topic string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	offs, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		return 0, err
	}
	if err := offs.Error(); err != nil {
		return 0, err
	}
	var sum int64
	offs.Each(func(o kadm.ListedOffset) { sum += o.Offset })
	return sum, nil
}

// row is one line of the drills table.
type row struct {
	Scenario   string
	Runs       int
	Lines      int
	Lost, Dups int
	PeakRSSKiB int64
	Notes      string
}

// report prints the row and appends it to DRILLS_RESULTS (a markdown table body) when set.
func report(t *testing.T, r row) {
	t.Helper()
	s := fmt.Sprintf("| %s | %d | %d | %d | %d | %.1f MiB | %s |", r.Scenario, r.Runs, r.Lines, r.Lost, r.Dups,
		float64(r.PeakRSSKiB)/1024, r.Notes)
	t.Log("DRILL " + s)
	if path := os.Getenv("DRILLS_RESULTS"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		require.NoError(t, err)
		defer f.Close()
		_, err = fmt.Fprintln(f, s)
		require.NoError(t, err)
	}
}

func sourceArgs(seeds []string, dir, file, topic string) []string {
	return []string{"source", "--file", file, "--topic", topic, "--brokers", strings.Join(seeds, ","),
		"--offsets", filepath.Join(dir, "offsets.json"), "--log-level", "warn"}
}
