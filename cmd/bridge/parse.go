package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command; present so the tree builds meanwhile.
func newParseCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "parse",
		Short: "(not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("parse: not built yet") },
	}
}
