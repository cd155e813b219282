package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cast"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// envPrefix is the prefix of every environment variable bridge reads: BRIDGE_BROKERS sets
// --brokers.
const envPrefix = "BRIDGE"

// settings resolves each flag of a command with the precedence flags > BRIDGE_* env >
// config file > defaults, and collects every value that does not parse, so the user
// hears of all bad values at once and the command exits 2.
type settings struct {
	v    *viper.Viper
	errs []error
}

// loadSettings binds cmd's flags (its own and inherited) to a fresh viper instance.
func loadSettings(cmd *cobra.Command) (*settings, error) {
	v := viper.New()
	v.SetEnvPrefix(envPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	var bindErr error
	bind := func(f *pflag.Flag) {
		if err := v.BindPFlag(f.Name, f); err != nil && bindErr == nil {
			bindErr = err
		}
	}
	cmd.Flags().VisitAll(bind)
	cmd.InheritedFlags().VisitAll(bind)
	if bindErr != nil {
		return nil, fmt.Errorf("bind flags: %w", bindErr)
	}
	if file := v.GetString("config"); file != "" {
		if err := readConfigFile(v, file); err != nil {
			return nil, err
		}
		if err := checkConfigKeys(cmd, file); err != nil {
			return nil, err
		}
	}
	return &settings{v: v}, nil
}

func readConfigFile(v *viper.Viper, file string) error {
	if _, err := os.Stat(file); err != nil {
		return usageError{fmt.Errorf("config file: %w", err)}
	}
	switch strings.ToLower(filepath.Ext(file)) {
	case ".yaml", ".yml", ".json", ".toml":
	default:
		return usageError{fmt.Errorf("config file %s: want a .yaml, .yml, .json or .toml file "+
			"(Connect .properties files are given as arguments to 'bridge source')", file)}
	}
	v.SetConfigFile(file)
	if err := v.ReadInConfig(); err != nil {
		return usageError{fmt.Errorf("config file: %w", err)}
	}
	return nil
}

// Changed reports whether the user set key by any means other than its default.
func (s *settings) Changed(cmd *cobra.Command, key string) bool {
	if f := cmd.Flags().Lookup(key); f != nil && f.Changed {
		return true
	}
	_, inEnv := os.LookupEnv(envPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_")))
	return inEnv || s.v.InConfig(key)
}

func (s *settings) String(key string) string { return s.v.GetString(key) }

func (s *settings) Bool(key string) bool {
	b, err := cast.ToBoolE(s.v.Get(key))
	s.check(key, err)
	return b
}

func (s *settings) Int(key string) int {
	n, err := cast.ToIntE(s.v.Get(key))
	s.check(key, err)
	return n
}

func (s *settings) Duration(key string) time.Duration {
	d, err := cast.ToDurationE(s.v.Get(key))
	s.check(key, err)
	return d
}

// StringSlice accepts a list from flags or the config file, and a comma-separated string
// from the environment.
func (s *settings) StringSlice(key string) []string {
	var out []string
	switch val := s.v.Get(key).(type) {
	case string:
		out = strings.Split(val, ",")
	default:
		list, err := cast.ToStringSliceE(val)
		s.check(key, err)
		for _, item := range list {
			out = append(out, strings.Split(item, ",")...)
		}
	}
	kept := out[:0]
	for _, item := range out {
		if item = strings.TrimSpace(item); item != "" {
			kept = append(kept, item)
		}
	}
	return kept
}

func (s *settings) check(key string, err error) {
	if err != nil {
		s.errs = append(s.errs, fmt.Errorf("invalid value for --%s: %w", key, err))
	}
}

// Fail records a bad value found by the caller's own validation.
func (s *settings) Fail(err error) { s.errs = append(s.errs, err) }

// Err returns every bad value as one one-line usage error, or nil.
func (s *settings) Err() error {
	if len(s.errs) == 0 {
		return nil
	}
	msgs := make([]string, len(s.errs))
	for i, err := range s.errs {
		msgs[i] = err.Error()
	}
	return usageError{errors.New(strings.Join(msgs, "; "))}
}
