package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/bridge-project/bridge/internal/suggest"
)

// checkConfigKeys fails on the first key of the config file (in sorted order) that names
// no flag, so a typo is not silently ignored. A flag of another subcommand is accepted:
// one file may serve both 'bridge source' and 'bridge stream'.
func checkConfigKeys(cmd *cobra.Command, file string) error {
	keys, err := configFileKeys(file)
	if err != nil {
		return err
	}
	own := commandFlags(cmd)
	known := map[string]bool{}
	for _, c := range append(cmd.Root().Commands(), cmd.Root()) {
		for _, name := range commandFlags(c) {
			known[name] = true
		}
	}
	for _, key := range keys {
		if !known[key] && !slices.Contains(own, key) {
			return usageError{fmt.Errorf("config file %s: unknown key %q: did you mean %q?", file, key, nearest(key, own))}
		}
	}
	return nil
}

// configFileKeys lists the file's keys as viper sees them: lower case, nested keys joined
// by dots.
func configFileKeys(file string) ([]string, error) {
	v := viper.New()
	v.SetConfigFile(file)
	if err := v.ReadInConfig(); err != nil {
		return nil, usageError{fmt.Errorf("config file: %w", err)}
	}
	keys := v.AllKeys()
	slices.Sort(keys)
	return keys, nil
}

// commandFlags names every flag cmd takes, its own and inherited.
func commandFlags(cmd *cobra.Command) []string {
	var names []string
	add := func(f *pflag.Flag) { names = append(names, f.Name) }
	cmd.Flags().VisitAll(add)
	cmd.InheritedFlags().VisitAll(add)
	return names
}

// nearest returns the flag closest to key in edit distance, reading the environment's
// underscores as the flags' dashes; ties go to the first in names.
func nearest(key string, names []string) string {
	return suggest.Nearest(strings.ReplaceAll(key, "_", "-"), names)
}
