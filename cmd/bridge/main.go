// Command bridge turns a live tshark capture into a live stream of who talks to whom,
// through Apache Kafka. See the README for the dataflow.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
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
