//go:build unix

package isolate

import (
	"os/exec"
	"syscall"
)

// isolateProcess puts the child in a process group of its own, which the
// context's end kills as a whole.
func isolateProcess(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
