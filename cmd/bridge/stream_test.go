package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCLIUsageErrorsExit2(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
	}{
		{"no topic", nil, []string{"stream"}},
		{"bad sink", nil, []string{"stream", "t", "--sink", "bogus"}},
		{"jsonl without path", nil, []string{"stream", "t", "--sink", "jsonl:"}},
		{"exactly-once without kafka sink", nil, []string{"stream", "t", "--exactly-once"}},
		{"transactional id without exactly-once", nil, []string{"stream", "t", "--transactional-id", "x"}},
		{"zero interval", nil, []string{"stream", "t", "--interval", "0s"}},
		{"window without top", nil, []string{"stream", "t", "--window", "60s"}},
		{"window not a multiple", nil, []string{"stream", "t", "--top", "3", "--window", "3s"}},
		{"unknown parser", nil, []string{"stream", "t", "--parser", "awk"}},
		{"negative num", nil, []string{"stream", "t", "--num", "-1"}},
		{"bad env value", []string{"BRIDGE_INTERVAL", "soon"}, []string{"stream", "t"}},
		{"parse bad format", nil, []string{"parse", "--format", "xml"}},
		{"parse bad parser", nil, []string{"parse", "--parser", "awk"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != nil {
				t.Setenv(tt.env[0], tt.env[1])
			}
			_, stderr, code := runCLI(t, "", tt.args...)
			assert.Equal(t, 2, code, "stderr: %s", stderr)
		})
	}
}
