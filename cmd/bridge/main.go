// Command bridge turns a live tshark capture into a live stream of who talks to whom,
// through Apache Kafka. See the README for the dataflow.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and maps its outcome to an exit code: 0 on success (and
// on a clean stop by signal), 2 for usage errors, 1 for everything else.
func run(args []string) int {
	ctx, stop := signalContext()
	defer stop()
	return runWith(ctx, args, os.Stdin, os.Stdout, os.Stderr)
}

// runWith is run on the given streams, until ctx is cancelled: tests run the CLI in-process
// with it.
func runWith(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := newRootCmd(stdin, stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return 0
	case isUsage(err):
		fmt.Fprintf(stderr, "bridge: %v (see --help)\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "bridge: %v\n", err)
		return 1
	}
}

// signalContext is cancelled by the first SIGINT or SIGTERM, so commands can flush and
// commit; a second signal exits at once.
func signalContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
			return
		}
		<-sigs
		fmt.Fprintln(os.Stderr, "bridge: second signal, exiting now")
		os.Exit(130)
	}()
	return ctx, func() { signal.Stop(sigs); cancel() }
}
