// Command bridge turns a live tshark capture into a live stream of who talks to whom,
// through Apache Kafka. See the README for the dataflow.
package main

import (
	"context"
	"errors"
	"fmt"
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
	cmd := newRootCmd(os.Stdin, os.Stdout, os.Stderr)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return 0
	case isUsage(err):
		fmt.Fprintf(os.Stderr, "bridge: %v (see --help)\n", err)
		return 2
	default:
		fmt.Fprintf(os.Stderr, "bridge: %v\n", err)
		return 1
	}
}
