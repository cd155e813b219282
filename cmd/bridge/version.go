package main

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set at build time: go build -ldflags "-X main.version=v1.2.3 -X main.commit=abc123".
var (
	version = "dev"
	commit  = ""
)

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print bridge's version and the commit it was built from",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(a.stdout, versionLine())
			return err
		},
	}
}

// versionLine is what `bridge version` and `bridge --version` print.
func versionLine() string {
	v, c := binaryVersion()
	return fmt.Sprintf("bridge %s (commit %s, %s)", v, c, runtime.Version())
}

// binaryVersion is this binary's version and commit (see buildVersion).
func binaryVersion() (string, string) {
	info, _ := debug.ReadBuildInfo()
	return buildVersion(version, commit, info)
}

// pseudoCommit is the commit at the end of a pseudo-version, v0.0.0-20261201120000-abcdef123456.
var pseudoCommit = regexp.MustCompile(`-(?:\d+\.)?\d{14}-([0-9a-f]{12})(?:\+dirty)?$`)

// buildVersion prefers what -ldflags set, then what go build recorded: the module's
// version (set by go install module@version, and from the VCS on a local build) and the
// VCS stamp (vcs.revision, vcs.modified). A build without either says dev and unknown.
func buildVersion(ldVersion, ldCommit string, info *debug.BuildInfo) (string, string) {
	v, c := ldVersion, ldCommit
	if info == nil {
		return v, or(c, "unknown")
	}
	if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	if c != "" {
		return v, c
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		if m := pseudoCommit.FindStringSubmatch(info.Main.Version); m != nil {
			return v, m[1]
		}
		return v, "unknown"
	}
	if dirty {
		rev += "-dirty"
	}
	return v, rev
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
