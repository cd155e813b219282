package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bridge-project/bridge/connector"
	"github.com/bridge-project/bridge/stream"
)

// shells are the shells bridge writes completion scripts for.
var shells = []string{"bash", "zsh", "fish", "powershell"}

// newCompletionCmd replaces cobra's default completion command, which prints its help and
// exits 0 when given a shell it does not know; this one exits 2, like every usage error.
func newCompletionCmd(_ *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print the script that completes bridge's commands and flags in the named shell.

  bash:        source <(bridge completion bash)
               or: bridge completion bash > /etc/bash_completion.d/bridge
               (needs the bash-completion package)
  zsh:         bridge completion zsh > "${fpath[1]}/_bridge"
               (with "autoload -U compinit; compinit" in ~/.zshrc)
  fish:        bridge completion fish > ~/.config/fish/completions/bridge.fish
  powershell:  bridge completion powershell | Out-String | Invoke-Expression`,
		Example:               "  source <(bridge completion bash)",
		ValidArgs:             shells,
		DisableFlagsInUseLine: true,
		Args: usageArgs(func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("want one shell: bash, zsh, fish or powershell")
			}
			return cobra.OnlyValidArgs(cmd, args)
		}),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			descs := !s.Bool("no-descriptions")
			if err := s.Err(); err != nil {
				return err
			}
			root, out := cmd.Root(), cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, descs)
			case "zsh":
				if descs {
					return root.GenZshCompletion(out)
				}
				return root.GenZshCompletionNoDesc(out)
			case "fish":
				return root.GenFishCompletion(out, descs)
			default:
				if descs {
					return root.GenPowerShellCompletionWithDesc(out)
				}
				return root.GenPowerShellCompletion(out)
			}
		},
	}
	cmd.Flags().Bool("no-descriptions", false, "leave the flags' and commands' descriptions out of the completions")
	return cmd
}

// flagValues are the values completion offers for the flags that take one of a few words,
// by command ("" for the root's flags, which every command inherits).
var flagValues = []struct {
	cmd, flag string
	values    []string
	noSpace   bool // a prefix the user finishes: jsonl:PATH
}{
	{"", "log-level", []string{"debug", "info", "warn", "error"}, false},
	{"", "log-format", []string{"text", "json"}, false},
	{"source", "format", []string{connector.FormatJSONSchema.String(), connector.FormatJSON.String(), connector.FormatString.String()}, false},
	{"source", "oversize", []string{connector.OversizeTruncate.String(), connector.OversizeSkip.String(), connector.OversizeFail.String()}, false},
	{"source", "compression", []string{"none", "gzip", "snappy", "lz4", "zstd"}, false},
	{"source", "progress", []string{"auto", "bar", "log", "off"}, false},
	{"stream", "parser", []string{string(stream.ParseTshark), string(stream.ParseSeed)}, false},
	{"stream", "sink", []string{"stdout", "jsonl:", "kafka:"}, true},
	{"stream", "progress", []string{"auto", "bar", "log", "off"}, false},
	{"parse", "parser", []string{string(stream.ParseTshark), string(stream.ParseSeed)}, false},
	{"parse", "format", []string{string(stream.OutputTSV), string(stream.OutputJSONL), string(stream.OutputPprint)}, false},
}

// registerFlagValues gives each flag of flagValues its completion. Commands and flags
// are looked up by name, so a renamed one fails here, at start, rather than silently.
func registerFlagValues(root *cobra.Command) {
	for _, fv := range flagValues {
		cmd := root
		if fv.cmd != "" {
			var err error
			if cmd, _, err = root.Find([]string{fv.cmd}); err != nil || cmd == root {
				panic(fmt.Sprintf("completion for --%s: no command %q", fv.flag, fv.cmd))
			}
		}
		dir := cobra.ShellCompDirectiveNoFileComp
		if fv.noSpace {
			dir |= cobra.ShellCompDirectiveNoSpace
		}
		values := fv.values
		err := cmd.RegisterFlagCompletionFunc(fv.flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return values, dir
		})
		if err != nil {
			panic(fmt.Sprintf("completion for %s --%s: %v", fv.cmd, fv.flag, err))
		}
	}
}
