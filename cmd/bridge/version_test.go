package main

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 12 point 13: bridge --version answers as bridge version does.
func TestVersionFlag(t *testing.T) {
	want, err := execute("version")
	require.NoError(t, err)
	got, err := execute("--version")
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.True(t, strings.HasPrefix(got, "bridge "), got)
}

// Issue 12 point 13: without -ldflags, the version and commit come from what go build
// and go install record, so a plain build does not say "dev (commit unknown)".
func TestBuildVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	rev := "78c863e22a7cb6c5f1cb6788fbaba333f3533653"
	for _, tc := range []struct {
		name                 string
		ldVersion, ldCommit  string
		info                 *debug.BuildInfo
		wantVersion, wantRev string
	}{
		{"no build info", "dev", "", nil, "dev", "unknown"},
		{"go build outside a repository", "dev", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev", "unknown"},
		{"go build in a clone", "dev", "", &debug.BuildInfo{
			Main:     debug.Module{Version: "v0.0.0-20261202005441-78c863e22a7c"},
			Settings: vcs(rev, "false"),
		}, "v0.0.0-20261202005441-78c863e22a7c", rev},
		{"go build with local changes", "dev", "", &debug.BuildInfo{
			Main:     debug.Module{Version: "v0.0.0-20261202005441-78c863e22a7c+dirty"},
			Settings: vcs(rev, "true"),
		}, "v0.0.0-20261202005441-78c863e22a7c+dirty", rev + "-dirty"},
		{"go install module@v1.2.3", "dev", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3", "unknown"},
		{"go install module@commit", "dev", "", &debug.BuildInfo{
			Main: debug.Module{Version: "v1.2.4-0.20261202005441-78c863e22a7c"},
		}, "v1.2.4-0.20261202005441-78c863e22a7c", "78c863e22a7c"},
		{"-ldflags win", "v9.9.9", "abc123", &debug.BuildInfo{
			Main:     debug.Module{Version: "v1.2.3"},
			Settings: vcs(rev, "false"),
		}, "v9.9.9", "abc123"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, c := buildVersion(tc.ldVersion, tc.ldCommit, tc.info)
			assert.Equal(t, tc.wantVersion, v)
			assert.Equal(t, tc.wantRev, c)
		})
	}
}
