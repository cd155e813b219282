package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/bridge-project/bridge/talkers"
)

// addTalkerFlags adds what bridge stream --top and bridge parse --key share: the key, the
// ranking measure and the network rollup.
func addTalkerFlags(f *pflag.FlagSet, key, keyUsage string) {
	f.String("key", key, keyUsage+": pair (src → dst), conversation (unordered, as Wireshark's Conversations) or host (as Wireshark's Endpoints)")
	f.String("by", talkers.Packets.String(), "what ranks the keys: packets or bytes (tshark's frame length)")
	f.String("prefix", "", "roll IP addresses up to networks: V4[,V6] prefix lengths, e.g. 24,64 (default: whole addresses)")
}

// talkerSettings reads the flags of addTalkerFlags; a bad value fails s.
func talkerSettings(s *settings) (talkers.KeyKind, talkers.Measure, talkers.Prefix) {
	var key talkers.KeyKind
	var err error
	if v := s.String("key"); v != "" {
		if key, err = talkers.ParseKeyKind(v); err != nil {
			s.Fail(fmt.Errorf("invalid value for --key: %w", err))
		}
	}
	by, err := talkers.ParseMeasure(s.String("by"))
	if err != nil {
		s.Fail(fmt.Errorf("invalid value for --by: %w", err))
	}
	prefix := talkers.NoPrefix
	if v := s.String("prefix"); v != "" {
		if prefix, err = talkers.ParsePrefix(v); err != nil {
			s.Fail(fmt.Errorf("invalid value for --prefix: %w", err))
		}
	}
	return key, by, prefix
}
