package main

import (
	"fmt"

	"github.com/spf13/cobra"
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
