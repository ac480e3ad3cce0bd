//go:build unix

package projfile

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Read returns the contents of the regular file at path. It opens with
// O_NONBLOCK, so that a FIFO never blocks the open, and checks what it
// opened with fstat before reading a byte. Raw system calls keep Go's
// network poller, which an os.File would start, off the free path.
func Read(path string) ([]byte, error) {
	// Not even opened unless it is a regular file: opening a device can
	// act by itself (a watchdog arms, a serial board resets), whatever is
	// read after. The fstat below still decides, for a file swapped in
	// between.
	var pre unix.Stat_t
	if err := unix.Stat(path, &pre); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if pre.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	// A "regular" file of the kernel's (a link to /proc/kmsg, a tracing
	// pipe) may be consumed by reading it: no project file lives there.
	if kernelFS(fd) {
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if st.Size > MaxSize {
		return nil, fmt.Errorf("%s: %w", path, ErrTooBig)
	}
	// The size may change while it is read: read at most one byte past
	// the limit, to tell.
	buf := make([]byte, 0, st.Size+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):min(cap(buf), MaxSize+1)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if len(buf) > MaxSize {
			return nil, fmt.Errorf("%s: %w", path, ErrTooBig)
		}
	}
}
