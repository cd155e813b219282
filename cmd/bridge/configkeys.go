package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
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
	key = strings.ReplaceAll(key, "_", "-")
	best, bestDist := "", -1
	for _, name := range names {
		if d := editDistance(key, name); bestDist < 0 || d < bestDist {
			best, bestDist = name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes (flag names are
// ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
