// Package wrap handles the wrapped command: it splits portguard's own
// arguments from the command's, resolves the command as a shell would,
// and finally replaces portguard with it.
package wrap

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Split separates portguard's arguments from the wrapped command at the
// first "--". Everything after it is the command, always, even when its
// name is also one of portguard's subcommands (`-- free -h` runs free(1)).
// found is false when there is no "--" at all.
func Split(args []string) (own, command []string, found bool) {
	for i, a := range args {
		if a == "--" {
			return args[:i], args[i+1:], true
		}
	}
	return args, nil, false
}

var (
	// ErrNotFound is a command that is nowhere on PATH (a shell's 127).
	ErrNotFound = errors.New("command not found")
	// ErrNotExecutable is a command that exists but cannot be run (a
	// shell's 126): no execute bit, a directory, a bad interpreter.
	ErrNotExecutable = errors.New("not executable")
)

// CommandError names the command that could not be run and why.
type CommandError struct {
	Name string
	Err  error // ErrNotFound or ErrNotExecutable, possibly wrapping the cause
}

func (e *CommandError) Error() string { return e.Name + ": " + e.Err.Error() }
func (e *CommandError) Unwrap() error { return e.Err }

// Resolve finds the file that running name would execute, with a shell's
// verdicts: a name with a slash (on Windows also a backslash or a drive's
// colon) is taken as a path, any other is searched on PATH.
func Resolve(name string) (string, error) {
	if name == "" {
		return "", &CommandError{Name: `""`, Err: ErrNotFound}
	}
	if strings.ContainsRune(name, '/') || runtime.GOOS == "windows" && strings.ContainsAny(name, `\:`) {
		// On Windows a path may leave out its extension (C:\tools\npm for
		// npm.cmd), which exec.LookPath adds by PATHEXT as cmd.exe does; on
		// Unix it checks what checkFile checks. checkFile says why not.
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
		if err := checkFile(name); err != nil {
			return "", err
		}
		return name, nil
	}
	path, err := exec.LookPath(name)
	if errors.Is(err, exec.ErrDot) && acceptDot(runtime.GOOS) {
		err = nil
	}
	if err == nil {
		return path, nil
	}
	// LookPath skips files without the execute bit (on Windows, without a
	// PATHEXT extension); a shell then says "permission denied" (126)
	// rather than "not found" (127).
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Mode().IsRegular() && !isExecutable(fi) {
			return "", &CommandError{Name: name, Err: fmt.Errorf("%w: %s", ErrNotExecutable, notProgram)}
		}
	}
	return "", &CommandError{Name: name, Err: ErrNotFound}
}

func checkFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &CommandError{Name: path, Err: fmt.Errorf("%w: no such file", ErrNotFound)}
	case err != nil:
		return &CommandError{Name: path, Err: fmt.Errorf("%w: %v", ErrNotExecutable, err)}
	case fi.IsDir():
		return &CommandError{Name: path, Err: fmt.Errorf("%w: is a directory", ErrNotExecutable)}
	case !isExecutable(fi):
		return &CommandError{Name: path, Err: fmt.Errorf("%w: %s", ErrNotExecutable, notProgram)}
	}
	return nil
}

// Assignments peels the KEY=VALUE words off the front of a command, as a
// shell does for `PORT=4000 npm start`, and returns env with them applied
// and the command that remains.
func Assignments(command, env []string) (newEnv, rest []string) {
	newEnv = env
	for len(command) > 0 {
		if _, _, ok := Assignment(command[0]); !ok {
			break
		}
		newEnv = setEnv(newEnv, command[0])
		command = command[1:]
	}
	return newEnv, command
}

// Assignment splits a shell assignment word, NAME=VALUE, where NAME is a
// letter or underscore followed by letters, digits and underscores.
func Assignment(word string) (name, value string, ok bool) {
	name, value, ok = strings.Cut(word, "=")
	if !ok || name == "" {
		return "", "", false
	}
	for i, r := range name {
		switch {
		case r == '_', 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		case i > 0 && '0' <= r && r <= '9':
		default:
			return "", "", false
		}
	}
	return name, value, true
}

func setEnv(env []string, kv string) []string {
	key, _, _ := strings.Cut(kv, "=")
	out := make([]string, 0, len(env)+1)
	for _, e := range env {
		if k, _, _ := strings.Cut(e, "="); k != key {
			out = append(out, e)
		}
	}
	return append(out, kv)
}

// acceptDot says whether a command found through the current directory is
// run. On Unix that happens only through a relative PATH entry such as
// ".", the user's own choice, which a shell honours too. On Windows the
// current directory is searched implicitly, before PATH: a repository's
// own npm.cmd would shadow the real npm, which is why Go made it an error.
func acceptDot(goos string) bool { return goos != "windows" }
