//go:build unix

package outside

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd as the leader of a process group, and ends the whole
// group when its context is done.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
