package demo

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel send the child SIGTERM when its parent goes, however it
// goes: tshark stops its dumpcap and exits on SIGTERM.
func dieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
}
