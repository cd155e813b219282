package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
)

// app carries what every subcommand needs: its streams and the logger built from the
// global flags. Subcommands read it after the root's PersistentPreRunE ran.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
	prof   profiles
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "bridge",
		Short: "Live tshark capture -> Kafka -> who talks to whom, in one binary",
		Long: `bridge replaces the "tshark >> file -> Kafka Connect FileStreamSource -> Spark Streaming"
pipeline with one Go binary:

  bridge source   tail a tshark log into a Kafka topic, as Connect's FileStreamSource would
  bridge stream   read the topic in 2-second micro-batches and print (src, dst) like Spark's pprint()
  bridge broker   run an embedded Kafka-protocol broker for development
  bridge demo     all of the above in one command, with no Kafka installed

Every flag can also be set as BRIDGE_<FLAG> in the environment (dashes become
underscores) or in a YAML/JSON/TOML file named by --config; flags win over the
environment, which wins over the file.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			s, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			logger, err := newLogger(a.stderr, s.String("log-level"), s.String("log-format"))
			if err != nil {
				return usageError{err}
			}
			a.log = logger
			return a.prof.start(s)
		},
		PersistentPostRunE: func(*cobra.Command, []string) error { return a.prof.stop() },
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	// Declared here so that cobra, which handles --version once root.Version is set, does
	// not add its own flag with the -v shorthand.
	root.Version = versionLine()
	root.SetVersionTemplate("{{.Version}}\n")
	root.Flags().Bool("version", false, "print bridge's version and the commit it was built from")
	pf := root.PersistentFlags()
	pf.String("config", "", "config file (YAML, JSON or TOML) with flag names as keys")
	pf.String("log-level", "info", "log level: debug, info, warn or error")
	pf.String("log-format", "text", "log format: text or json")
	addProfileFlags(pf)

	root.AddCommand(
		newSourceCmd(a),
		newStreamCmd(a),
		newParseCmd(a),
		newBrokerCmd(a),
		newDemoCmd(a),
		newVersionCmd(a),
		newCompletionCmd(a),
	)
	registerFlagValues(root)
	return root
}

// usageError marks an error as the user's: a bad flag, argument or value. It exits 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func isUsage(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return true
	}
	// cobra reports unknown subcommands with a plain error.
	return strings.HasPrefix(err.Error(), "unknown command ")
}

// usageArgs wraps a cobra argument validator so that its complaints exit 2.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("invalid --log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("invalid --log-format %q: want text or json", format)
	}
}
