package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/harness"
)

// execute runs bridge in-process and returns its stdout and error.
func execute(args ...string) (string, error) {
	var out bytes.Buffer
	cmd := newRootCmd(strings.NewReader(""), &out, &bytes.Buffer{})
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestCompletionScripts(t *testing.T) {
	for _, tc := range []struct {
		shell string
		marks []string // what only that shell's script says
	}{
		{"bash", []string{"# bash completion V2 for bridge", "complete -o default -F __start_bridge bridge"}},
		{"zsh", []string{"#compdef bridge", "compdef _bridge bridge"}},
		{"fish", []string{"# fish completion for bridge", "complete -c bridge"}},
		{"powershell", []string{"Register-ArgumentCompleter -CommandName 'bridge'"}},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			out, err := execute("completion", tc.shell)
			require.NoError(t, err)
			for _, m := range tc.marks {
				assert.Contains(t, out, m)
			}
			plain, err := execute("completion", tc.shell, "--no-descriptions")
			require.NoError(t, err)
			assert.NotEqual(t, out, plain, "--no-descriptions changes the script")
		})
	}
}

func TestCompletionUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"completion", "tcsh"},
		{"completion"},
		{"completion", "bash", "zsh"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, err := execute(args...)
			require.Error(t, err)
			assert.True(t, isUsage(err), "exit 2: %v", err)
			assert.Empty(t, out, "no script, no help on stdout")
		})
	}
}

// The dynamic completion the scripts call lists subcommands, flags and shells.
func TestCompleteCandidates(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", ""}, []string{"source", "stream", "demo", "completion", "version"}},
		{[]string{"__complete", "source", "--metr"}, []string{"--metrics-addr"}},
		{[]string{"__complete", "stream", "demo2", "--prog"}, []string{"--progress"}},
		{[]string{"__complete", "completion", ""}, []string{"bash", "zsh", "fish", "powershell"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, err := execute(tc.args...)
			require.NoError(t, err)
			var got []string
			for _, l := range strings.Split(out, "\n") {
				if l != "" && !strings.HasPrefix(l, ":") {
					got = append(got, strings.SplitN(l, "\t", 2)[0])
				}
			}
			for _, w := range tc.want {
				assert.Contains(t, got, w)
			}
		})
	}
}

// The bash script, sourced in a real bash with the built binary on PATH, completes a
// subcommand, a flag and a shell.
func TestBashCompletionInBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	bin := harness.Bridge(t)
	dir := t.TempDir()
	script, err := execute("completion", "bash")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bridge.bash"), []byte(script), 0o644))

	complete := func(line string) []string {
		words := strings.Fields(line)
		if strings.HasSuffix(line, " ") {
			words = append(words, "")
		}
		// The script needs the bash-completion package's _get_comp_words_by_ref; a
		// minimal stand-in serves where the package is not installed.
		prog := `declare -F _get_comp_words_by_ref >/dev/null || _get_comp_words_by_ref() {
  cur="${COMP_WORDS[COMP_CWORD]}"; prev="${COMP_WORDS[COMP_CWORD-1]}"
  words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
}
compopt() { :; } # only works inside a real completion
source bridge.bash
COMP_LINE="$LINE"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< "$LINE"
[[ "$LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
__start_bridge bridge "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"`
		cmd := exec.Command(bash, "--norc", "-c", prog)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"), "LINE="+line)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "%s", stderr.String())
		return strings.Fields(string(out))
	}
	assert.Equal(t, []string{"source"}, complete("bridge sou"))
	assert.Contains(t, complete("bridge source --metrics"), "--metrics-addr")
	assert.ElementsMatch(t, []string{"bash", "zsh", "fish", "powershell"}, complete("bridge completion "))
}

// Issue 12 point 13: the flags that take one of a few words complete those words.
func TestCompleteFlagValues(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"stream", "demo2", "--parser", ""}, []string{"tshark", "seed"}},
		{[]string{"parse", "--parser", ""}, []string{"tshark", "seed"}},
		{[]string{"source", "--format", ""}, []string{"json-schema", "json", "string"}},
		{[]string{"parse", "--format", ""}, []string{"tsv", "jsonl", "pprint"}},
		{[]string{"source", "--oversize", ""}, []string{"truncate", "skip", "fail"}},
		{[]string{"stream", "demo2", "--sink", ""}, []string{"stdout", "jsonl:", "kafka:"}},
		{[]string{"--log-level", ""}, []string{"debug", "info", "warn", "error"}},
		{[]string{"source", "--log-level", ""}, []string{"debug", "info", "warn", "error"}},
		{[]string{"stream", "demo2", "--log-format", ""}, []string{"text", "json"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, err := execute(append([]string{"__complete"}, tc.args...)...)
			require.NoError(t, err)
			var got []string
			for _, l := range strings.Split(out, "\n") {
				if l != "" && !strings.HasPrefix(l, ":") {
					got = append(got, strings.SplitN(l, "\t", 2)[0])
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}
