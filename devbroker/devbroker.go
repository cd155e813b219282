// Package devbroker runs franz-go's kfake as a Kafka-protocol broker inside bridge, so a
// new user can see the pipeline work with no Kafka installed. It is for development and
// demos only: one node, no replication, no security, memory-only unless given a data dir.
package devbroker

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Defaults.
const (
	DefaultListen     = "127.0.0.1:9092"
	DefaultPartitions = 1
)

// Config says where the broker listens and where, if anywhere, it keeps its data.
type Config struct {
	// Listen is host:port; port 0 picks a free one.
	Listen string
	// DataDir keeps topics and offsets across restarts when set; empty means memory only.
	DataDir string
	// Partitions is the partition count of auto-created topics.
	Partitions int
	// Topics are created at start.
	Topics []string
}

// Validate reports the first bad field.
func (c Config) Validate() error {
	host, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", c.Listen, err)
	}
	if host == "" {
		return fmt.Errorf("listen address %q: name a host, e.g. 127.0.0.1", c.Listen)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("listen address %q: bad port", c.Listen)
	}
	if c.Partitions < 1 {
		return errors.New("partitions must be at least 1")
	}
	return nil
}

// Broker is a running development broker.
type Broker struct {
	cluster *kfake.Cluster
	addr    string
}

// Start starts the broker and returns once it accepts connections.
func Start(cfg Config, log *slog.Logger) (*Broker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	host, portStr, _ := net.SplitHostPort(cfg.Listen)
	port, _ := strconv.Atoi(portStr)
	var bound string
	listen := func(network, address string) (net.Listener, error) {
		_, p, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		ln, err := net.Listen(network, net.JoinHostPort(host, p))
		if err == nil {
			bound = ln.Addr().String()
		}
		return ln, err
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.ListenFn(listen),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(cfg.Partitions),
	}
	if len(cfg.Topics) > 0 {
		opts = append(opts, kfake.SeedTopics(int32(cfg.Partitions), cfg.Topics...))
	}
	if cfg.DataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.DataDir))
	}
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start embedded broker on %s: %w", cfg.Listen, err)
	}
	b := &Broker{cluster: cluster, addr: bound}
	if b.addr == "" {
		b.addr = cluster.ListenAddrs()[0]
	}
	log.Warn("embedded broker started: for development and demos only, not for production",
		"addr", b.addr, "data_dir", orMemory(cfg.DataDir))
	return b, nil
}

// Addr is the address clients dial.
func (b *Broker) Addr() string { return b.addr }

// Cluster exposes the kfake cluster, for tests that inject faults.
func (b *Broker) Cluster() *kfake.Cluster { return b.cluster }

// Close stops the broker, writing its state to the data dir if it has one.
func (b *Broker) Close() { b.cluster.Close() }

func orMemory(dir string) string {
	if dir == "" {
		return "(memory only)"
	}
	return dir
}
