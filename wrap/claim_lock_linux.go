package wrap

import "golang.org/x/sys/unix"

// Open file description locks: they belong to the descriptor, not the
// process, so a second claimer in the same process (tests, Add) is told
// apart, and they pass across exec with the descriptor.
const (
	setLock = unix.F_OFD_SETLK
	getLock = unix.F_OFD_GETLK
)
