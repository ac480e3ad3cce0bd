// Package outside runs the programs portguard asks for facts (docker,
// lsof, netstat, systemctl, taskkill) so that none of them can hold
// portguard up: each runs with a deadline, in a process group of its own
// where the system has them, and at the deadline the whole group is ended
// and the pipes are closed. A docker that is a wrapper script (colima,
// lima, an ssh-based one) leaves a child holding its output open; ending
// docker alone left the read waiting for that child.
package outside

import (
	"context"
	"os/exec"
	"time"
)

// pipeGrace is how long the output may stay open after the program was
// ended: then the pipes are closed whatever still holds them.
const pipeGrace = 500 * time.Millisecond

// Command is exec.CommandContext with the group and pipe rules above.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = pipeGrace
	ownGroup(cmd)
	return cmd
}

// Output runs the program within timeout and returns its standard output.
func Output(timeout time.Duration, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return Command(ctx, name, args...).Output()
}
