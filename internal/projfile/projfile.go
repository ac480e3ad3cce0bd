// Package projfile is the one way portguard reads a file of a project:
// package.json, .env files, Makefiles, Procfiles, compose files, tool
// configs, scripts and its own settings.
//
// Every project a user clones is untrusted, and portguard reads its files
// before every dev-server start and, in hook mode, on every line typed. A
// FIFO named package.json would block a plain read for ever; /dev/zero or
// a 50 GB sparse file would exhaust memory. So a project file is read
// only when it is a regular file (a symlink to one is fine: monorepos use
// them), opened without blocking, and no larger than MaxSize.
package projfile

import (
	"errors"
	"fmt"
)

// MaxSize is the largest project file portguard reads: far above any real
// package.json, Makefile or compose file, far below what could hurt.
const MaxSize = 1 << 20

var (
	// ErrNotRegular: the path is a FIFO, a device, a socket or a
	// directory.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooBig: the file is larger than MaxSize.
	ErrTooBig = fmt.Errorf("larger than %d KiB", MaxSize>>10)
)

// Skipped reports whether err means the file exists but was not read on
// purpose: what --explain mentions.
func Skipped(err error) bool {
	return errors.Is(err, ErrNotRegular) || errors.Is(err, ErrTooBig)
}
