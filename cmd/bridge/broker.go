package main

import (
	"github.com/spf13/cobra"

	"github.com/bridge-project/bridge/devbroker"
)

func newBrokerCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "broker",
		Short: "Run an embedded Kafka-protocol broker for development (not for production)",
		Long: `Run franz-go's kfake as a single-node Kafka-protocol broker, so bridge source and
bridge stream can run with no Kafka installed. Topics are created on first use.
It keeps everything in memory unless --data-dir is given. For development and demos
only: no replication, no security. Stop it with Ctrl-C.`,
		Example: "  bridge broker --listen 127.0.0.1:9092 --data-dir ./.cache/devbroker",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			cfg := devbroker.Config{
				Listen:     s.String("listen"),
				DataDir:    s.String("data-dir"),
				Partitions: s.Int("partitions"),
			}
			if err := s.Err(); err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return usageError{err}
			}
			b, err := devbroker.Start(cfg, a.log)
			if err != nil {
				return err
			}
			defer b.Close()
			<-cmd.Context().Done()
			a.log.Info("embedded broker stopping", "addr", b.Addr())
			return nil
		},
	}
	f := cmd.Flags()
	f.String("listen", devbroker.DefaultListen, "host:port to listen on")
	f.String("data-dir", "", "directory that keeps topics across restarts (default: memory only)")
	f.Int("partitions", devbroker.DefaultPartitions, "partitions of auto-created topics")
	return cmd
}
