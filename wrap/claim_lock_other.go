//go:build unix && !linux

package wrap

import "golang.org/x/sys/unix"

// POSIX record locks, where the system has no open file description
// locks (macOS): they belong to the process, which exec keeps, and the
// claim holds the file through one descriptor only, so that closing
// another cannot drop them.
const (
	setLock = unix.F_SETLK
	getLock = unix.F_GETLK
)
