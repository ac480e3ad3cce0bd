//go:build unix && !linux

package prompt

import "golang.org/x/sys/unix"

// flushInput discards what the terminal received but nobody read: BSD's
// TIOCFLUSH with FREAD (1), where Linux has TCFLSH.
func flushInput(fd int) { _ = unix.IoctlSetPointerInt(fd, unix.TIOCFLUSH, 1) }
