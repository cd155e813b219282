package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/bridge-project/bridge/demo"
	"github.com/bridge-project/bridge/web"
)

func newDemoCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline in one process on the embedded broker: no Kafka needed",
		Long: `Start the embedded broker, replay a bundled minute of a small office network (rendered
by real tshark) into a log at the pace it was captured, follow the log with the source,
and print Spark-style batches of (source, destination) every --interval. With --live
-i IFACE it runs tshark -l -i IFACE instead of the replay: the blog's three terminals in
one command. A live capture always leaves out the embedded broker's own port; -f adds a
capture filter of yours. Ctrl-C stops it.`,
		Example: "  bridge demo\n  bridge demo --top 10\n  sudo bridge demo --live -i eth0\n" +
			"  sudo bridge demo --live -i lo -f 'tcp port 8080'",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			cfg := demo.DefaultConfig()
			cfg.Listen = s.String("listen")
			cfg.Dir = s.String("dir")
			cfg.Topic = s.NonEmpty("topic")
			cfg.Interval = s.PositiveDuration("interval")
			cfg.Num = s.Int("num")
			cfg.Top = s.Int("top")
			cfg.Live = s.Bool("live")
			cfg.Iface = s.String("interface")
			cfg.Tshark = s.String("tshark")
			cfg.CaptureFilter = s.String("capture-filter")
			speed := s.String("speed")
			ui, err := readUIOpts(s, true)
			if err != nil {
				return err
			}
			if _, err := fmt.Sscan(speed, &cfg.Speed); err != nil || cfg.Speed <= 0 {
				return usageError{fmt.Errorf("invalid value for --speed: %q (want a number above 0)", speed)}
			}
			if err := cfg.Validate(); err != nil {
				return usageError{err}
			}
			w := startWatchers(cmd.Context(), a.log)
			defer w.stop()
			if cfg.View, err = serveDemoUI(a, w, ui); err != nil {
				return err
			}
			return demo.Run(cmd.Context(), cfg, a.stdout, a.log)
		},
	}
	f := cmd.Flags()
	f.String("listen", demo.DefaultListen, "where the embedded broker listens (port 0: any free port)")
	f.String("dir", "", "folder for the demo's log and offsets (default: a temporary folder)")
	f.String("topic", demo.DefaultTopic, "topic the lines go through")
	f.Duration("interval", 2*time.Second, "batch interval")
	f.Int("num", demo.DefaultNum, "records printed per batch")
	f.Int("top", 0, "print the N most frequent (src, dst) pairs per batch instead of records")
	f.String("speed", "1", "replay speed: 2 replays the capture twice as fast as it was recorded")
	f.Bool("live", false, "capture live with tshark -l -i IFACE instead of replaying the bundled capture")
	f.StringP("interface", "i", "", "interface for --live")
	f.StringP("capture-filter", "f", "", "capture filter for --live (pcap-filter syntax), combined with \"not port BROKER_PORT\"")
	f.String("tshark", "tshark", "tshark binary for --live")
	addUIFlags(f, web.DefaultAddr)
	return cmd
}
