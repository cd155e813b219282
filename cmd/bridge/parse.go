package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/bridge-project/bridge/stream"
	"github.com/bridge-project/bridge/talkers"
)

func newParseCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "parse [FILE...]",
		Short: "Parse tshark lines (or Connect record values) offline and print (src, dst)",
		Long: `Run the stream's per-record path on files, or stdin when none are given: each input
line is a line of tshark's text output, or with --envelope a record value as Kafka
Connect wrote it (a JsonConverter envelope with or without schema, or a plain line).

Output has exactly one line per input line:
  tsv     src<TAB>dst
  pprint  ('src', 'dst'), as Python prints the tuple
  jsonl   {"line":N,"src":…,"dst":…,"proto":…,"len":…}
A line that yields no pair (in tshark mode a line that is not a packet, such as
"Capturing on 'eth0'"; with --envelope a malformed envelope) prints None<TAB>None
(tsv), ('None', 'None') (pprint) or {"line":N,"error":…} (jsonl); how many there were
is logged on stderr at the end.

With --key the output is instead the totals over all the input, one row per key ranked
by --by (--top N: the first N; 0: every key), exact (every key is kept):
  tsv     a header row, then src, dst (or a, b, or host), packets, bytes and the kind's
          per-direction figures, tab-separated
  pprint  ((src, dst), n), ((a, b), n) or (host, n) with n the --by measure
  jsonl   the row objects of bridge stream --top, without window fields
and a last line with the total packets and bytes and the number of keys ("# …" in tsv
and pprint, {"total_packets":…,"total_bytes":…,"keys":…} in jsonl).`,
		Example: `  tshark -r capture.pcap | bridge parse
  bridge parse --parser seed --format pprint /tmp/en0.log
  kcat -C -b localhost:9092 -t demo2 -e | bridge parse --envelope --format jsonl
  tshark -r capture.pcap | bridge parse --key conversation --by bytes --top 10`,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			cfg := stream.ParseConfig{
				Parser:   stream.ParseMode(s.String("parser")),
				Envelope: s.Bool("envelope"),
				Format:   stream.OutputFormat(s.String("format")),
			}
			tcfg := stream.TotalsConfig{ParseConfig: cfg, Top: s.Int("top")}
			tcfg.Key, tcfg.By, tcfg.Prefix = talkerSettings(s)
			if err := s.Err(); err != nil {
				return err
			}
			if tcfg.Key != 0 {
				return runTotals(a, tcfg, args)
			}
			if s.Int("top") != 0 || s.String("by") != talkers.Packets.String() || s.String("prefix") != "" {
				return usageError{errors.New("--top, --by and --prefix need --key")}
			}
			if err := cfg.Validate(); err != nil {
				return usageError{err}
			}
			return runParse(a, cfg, args)
		},
	}
	f := cmd.Flags()
	f.String("parser", string(stream.DefaultParseMode), "line parser: tshark or seed")
	f.Bool("envelope", false, "input lines are Kafka record values (Connect JSON envelopes or plain lines)")
	f.String("format", string(stream.OutputTSV), "output format: tsv, jsonl or pprint")
	addTalkerFlags(f, "", "print the totals per key over all the input")
	f.Int("top", 0, "with --key: print the N first keys (0: every key)")
	return cmd
}

// runTotals is bridge parse --key: every input counted into one exact total.
func runTotals(a *app, cfg stream.TotalsConfig, files []string) error {
	t, err := stream.NewTotals(cfg)
	if err != nil {
		return usageError{err}
	}
	total, err := eachInput(a, files, t.Read)
	if total.NotPacket+total.Malformed > 0 {
		a.log.Warn("lines without a packet", "lines", total.Lines, "not_packet", total.NotPacket,
			"malformed_envelope", total.Malformed)
	}
	if err != nil {
		return err
	}
	return t.Write(a.stdout)
}

func runParse(a *app, cfg stream.ParseConfig, files []string) error {
	total, err := eachInput(a, files, func(r io.Reader) (stream.ParseStats, error) {
		return stream.Parse(r, a.stdout, cfg)
	})
	if total.NotPacket+total.Malformed > 0 {
		a.log.Warn("lines without a pair", "lines", total.Lines, "not_packet", total.NotPacket,
			"malformed_envelope", total.Malformed)
	}
	return err
}

// eachInput reads every file in turn (stdin when there are none) with read, and adds up
// what it counted; it stops at the first error.
func eachInput(a *app, files []string, read func(io.Reader) (stream.ParseStats, error)) (stream.ParseStats, error) {
	var total stream.ParseStats
	readOne := func(name string, r io.Reader) error {
		st, err := read(r)
		total.Lines += st.Lines
		total.NotPacket += st.NotPacket
		total.Malformed += st.Malformed
		if err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
		return nil
	}
	if len(files) == 0 {
		return total, readOne("stdin", a.stdin)
	}
	for _, name := range files {
		if err := parseFile(name, readOne); err != nil {
			return total, err
		}
	}
	return total, nil
}

func parseFile(name string, parseOne func(string, io.Reader) error) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	defer f.Close()
	return parseOne(name, f)
}
