package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the README's configuration reference from the flag definitions")

const (
	readmePath = "../../README.md"
	flagsBegin = "<!-- flags:begin -->"
	flagsEnd   = "<!-- flags:end -->"
)

// TestConfigReference keeps the README's configuration reference equal to the flags every
// command defines; go test ./cmd/bridge -run TestConfigReference -update rewrites it.
func TestConfigReference(t *testing.T) {
	want := configReference(newRootCmd(strings.NewReader(""), io.Discard, io.Discard))
	readme, err := os.ReadFile(readmePath)
	require.NoError(t, err)
	before, rest, ok := bytes.Cut(readme, []byte(flagsBegin))
	require.True(t, ok, "README.md has no %s marker", flagsBegin)
	got, after, ok := bytes.Cut(rest, []byte(flagsEnd))
	require.True(t, ok, "README.md has no %s marker", flagsEnd)
	if *update {
		// A fresh buffer: before, got and after share readme's array.
		var out bytes.Buffer
		for _, part := range [][]byte{before, []byte(flagsBegin + "\n" + want + flagsEnd), after} {
			out.Write(part)
		}
		require.NoError(t, os.WriteFile(readmePath, out.Bytes(), 0o644))
		return
	}
	assert.Equal(t, want, strings.TrimPrefix(string(got), "\n"),
		"README.md's configuration reference is stale: go test ./cmd/bridge -run TestConfigReference -update")
}

// Every flag --help shows is in the reference, with its default: the reference is built
// from the same definitions, this checks that the builder missed none.
func TestConfigReferenceMatchesHelp(t *testing.T) {
	root := newRootCmd(strings.NewReader(""), io.Discard, io.Discard)
	ref := configReference(root)
	helpFlag := regexp.MustCompile(`(?m)^\s+(?:-\w, )?(--[a-z0-9-]+)`)
	for _, c := range referenceCommands(root) {
		t.Run(c.Name(), func(t *testing.T) {
			var out bytes.Buffer
			cmd := newRootCmd(strings.NewReader(""), &out, &out)
			cmd.SetArgs(append(strings.Fields(c.CommandPath())[1:], "--help"))
			require.NoError(t, cmd.Execute())
			section := ref[strings.Index(ref, "### `"+c.CommandPath()):]
			if i := strings.Index(section[1:], "\n### "); i >= 0 {
				section = section[:i+1]
			}
			flags, _, _ := strings.Cut(out.String(), "Global Flags:")
			for _, m := range helpFlag.FindAllStringSubmatch(flags, -1) {
				if m[1] == "--help" {
					continue
				}
				assert.Regexp(t, "[`, ]"+regexp.QuoteMeta(m[1])+"[` ]", section, "%s --help shows %s", c.CommandPath(), m[1])
			}
		})
	}
}

// referenceCommands are the commands the reference describes, in cobra's order.
func referenceCommands(root *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, c := range root.Commands() {
		if c.Hidden || c.Name() == "help" {
			continue
		}
		out = append(out, c)
	}
	return out
}

// configReference renders a table of flags per command: the global ones, then each
// command's own.
func configReference(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString("Generated from the flag definitions by `go test ./cmd/bridge -run TestConfigReference -update`.\n\n")
	writeFlagTable(&b, "### Every command\n\n", root.PersistentFlags())
	for _, c := range referenceCommands(root) {
		title := fmt.Sprintf("### `%s`\n\n%s.\n\n", c.UseLine(), strings.TrimSuffix(c.Short, "."))
		writeFlagTable(&b, title, c.NonInheritedFlags())
	}
	return b.String()
}

func writeFlagTable(b *strings.Builder, title string, fs *pflag.FlagSet) {
	b.WriteString(title)
	var rows []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		name, usage := pflag.UnquoteUsage(f)
		flagCell := "--" + f.Name
		if f.Shorthand != "" {
			flagCell = "-" + f.Shorthand + ", " + flagCell
		}
		if name != "" {
			flagCell += " " + name
		}
		env := envPrefix + "_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		rows = append(rows, fmt.Sprintf("| `%s` | `%s` | %s | %s |", flagCell, env, defaultCell(f), cell(usage)))
	})
	if len(rows) == 0 {
		b.WriteString("No flags of its own.\n\n")
		return
	}
	b.WriteString("| Flag | Environment | Default | Meaning |\n|---|---|---|---|\n")
	b.WriteString(strings.Join(rows, "\n") + "\n\n")
}

// defaultCell shows a default as --help does: nothing for a zero value.
func defaultCell(f *pflag.Flag) string {
	switch f.DefValue {
	case "", "false", "0", "0s", "[]":
		return ""
	}
	return "`" + f.DefValue + "`"
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// The metric names the README gives are ones the metrics package defines.
func TestReadmeMetricNames(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	require.NoError(t, err)
	src := readSources(t, "../../metrics")
	names := regexp.MustCompile("`(bridge_[a-z_]+)[`{]").FindAllStringSubmatch(string(readme), -1)
	require.NotEmpty(t, names, "README.md names no bridge_ metric")
	for _, m := range names {
		name := m[1]
		short := strings.TrimPrefix(strings.TrimPrefix(name, "bridge_source_"), "bridge_stream_")
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			short = strings.TrimSuffix(short, suffix)
		}
		assert.Contains(t, src, `"`+short+`"`, "README.md names %s, which the metrics package does not define", name)
	}
}

func readSources(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var b strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		b.Write(data)
	}
	return b.String()
}
