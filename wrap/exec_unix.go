//go:build unix

package wrap

import (
	"fmt"
	"io/fs"
	"syscall"
)

// Exec replaces portguard with the command at path, so that signals, the
// terminal, stdin and the exit status are the command's own. It returns
// only on failure.
func Exec(path string, argv, env []string) error {
	// Caught signals return to their defaults across exec and ignored
	// ones stay ignored, as a shell would leave them (nohup keeps working).
	// portguard ignores none and stops its own catching before it gets
	// here, so there is nothing to reset: signal.Reset() would cost 3 ms of
	// thread start-up on the free path for no change.
	err := syscall.Exec(path, argv, env)
	return &CommandError{Name: argv[0], Err: fmt.Errorf("%w: %v", ErrNotExecutable, err)}
}

// isExecutable is the execute permission a shell checks before it runs a
// file.
func isExecutable(fi fs.FileInfo) bool { return fi.Mode()&0o111 != 0 }

// notProgram is why a file that exists cannot be run.
const notProgram = "permission denied"
