package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// The checks below turn values that can never work into usage errors (exit 2), the same
// whether they came from a flag, a BRIDGE_* variable or a --config key. The packages' own
// defaults replace a zero with the default, so without them `--batch-size 0` would run
// with 2000 while `batch.size=0` in a Connect file is refused.

// PositiveInt is Int, with a value below 1 recorded as a bad value.
func (s *settings) PositiveInt(key string) int {
	n := s.Int(key)
	if n < 1 {
		s.Fail(fmt.Errorf("invalid value for --%s: %d: must be at least 1", key, n))
	}
	return n
}

// PositiveDuration is Duration, with a value that is not above zero recorded as a bad value.
func (s *settings) PositiveDuration(key string) time.Duration {
	d := s.Duration(key)
	if d <= 0 {
		s.Fail(fmt.Errorf("invalid value for --%s: %v: must be above 0s", key, d))
	}
	return d
}

// NonEmpty is String, with an empty (or all-blank) value recorded as a bad value.
func (s *settings) NonEmpty(key string) string {
	v := s.String(key)
	if strings.TrimSpace(v) == "" {
		s.Fail(fmt.Errorf("invalid value for --%s: must not be empty", key))
	}
	return v
}

// checkBrokers reports the first broker address that no client could ever dial: a
// malformed host:port or a port outside 1-65535. A bare host is fine: Kafka clients add
// the default port 9092. from names the setting: "--brokers", "bootstrap.servers".
func checkBrokers(from string, brokers []string) error {
	if len(brokers) == 0 {
		return fmt.Errorf("invalid value for %s: no broker given", from)
	}
	for _, b := range brokers {
		if err := checkHostPort(b); err != nil {
			return fmt.Errorf("invalid value for %s: %q: %w", from, b, err)
		}
	}
	return nil
}

func checkHostPort(addr string) error {
	if !strings.Contains(addr, ":") || (strings.HasPrefix(addr, "[") && strings.HasSuffix(addr, "]")) {
		return nil // a bare host name or [IPv6]; the port defaults to 9092
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want host:port")
	}
	if host == "" {
		return fmt.Errorf("no host before the port")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q: want a number from 1 to 65535", port)
	}
	return nil
}
