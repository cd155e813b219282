//go:build !linux

package demo

import "os/exec"

// dieWithParent does nothing here: a parent-death signal is Linux's; elsewhere a tshark
// whose bridge was killed with SIGKILL keeps running until it is stopped.
func dieWithParent(*exec.Cmd) {}
