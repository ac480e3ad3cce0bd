package wrap

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
)

// Exec runs the command as portguard's child, since Windows has no exec:
// with portguard's stdin, stdout and stderr, and portguard exits with its
// exit code. Ctrl-C and Ctrl-Break go to every process on the console, so
// the command gets them itself; portguard only ignores them while it
// waits, as a shell does. It returns only when the command cannot start.
func Exec(path string, argv, env []string) error {
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	if err := cmd.Start(); err != nil {
		signal.Stop(interrupts)
		return &CommandError{Name: argv[0], Err: fmt.Errorf("%w: %v", ErrNotExecutable, err)}
	}
	go func() {
		for range interrupts {
		}
	}()
	err := cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		os.Exit(1)
	}
	os.Exit(0)
	return nil
}

// isExecutable is true on Windows, which has no execute bit: whether a
// file runs is its extension's business (PATHEXT), which exec.LookPath
// already applied as cmd.exe does (npm is npm.cmd).
func isExecutable(fs.FileInfo) bool { return true }
