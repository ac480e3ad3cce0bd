//go:build unix

package wrap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// A claim marks a port as being started by portguard, so that two
// portguards started together (make -j) do not both free the port and
// kill each other's command. It is a POSIX record lock on a file per
// port, in a directory of the user's own; the lock is kept across exec, so
// it lasts exactly as long as the command portguard became.
type Claim struct {
	// fds are raw descriptors, not *os.File: an os.File would start Go's
	// network poller (epoll, an eventfd, a thread) on the free path, for a
	// file that is only locked and written once.
	fds map[int]int
}

// ClaimPorts claims each port for command. A port another portguard
// claimed less than FreshClaim ago is a *ClaimedError. A port whose claim
// is older is skipped (its holder is dealt with as usual, and ClaimPorts
// can be called again afterwards). Where no claim directory can be made,
// nothing is claimed and no error is returned: claims are a courtesy
// between portguards, never a reason not to run.
func ClaimPorts(ports []int, command string) (*Claim, error) {
	c := &Claim{fds: map[int]int{}}
	dir, ok := claimDir()
	if !ok {
		return c, nil
	}
	for _, port := range ports {
		if _, ok := c.fds[port]; ok {
			continue
		}
		fd, err := claim(dir, port, command)
		var claimed *ClaimedError
		if errors.As(err, &claimed) && claimed.Since < FreshClaim {
			c.Release()
			return nil, err
		}
		if fd >= 0 {
			c.fds[port] = fd
		}
	}
	return c, nil
}

func claim(dir string, port int, command string) (int, error) {
	path := filepath.Join(dir, strconv.Itoa(port)+".lock")
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return -1, nil
	}
	lock := unix.Flock_t{Type: unix.F_WRLCK}
	if err := unix.FcntlFlock(uintptr(fd), unix.F_SETLK, &lock); err != nil {
		defer unix.Close(fd)
		if !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EACCES) {
			return -1, nil
		}
		held := unix.Flock_t{Type: unix.F_WRLCK}
		if unix.FcntlFlock(uintptr(fd), unix.F_GETLK, &held) != nil || held.Type == unix.F_UNLCK {
			return -1, nil
		}
		e := &ClaimedError{Port: port, PID: int(held.Pid)}
		// An empty file is a claim being written right now: fresh.
		b, _ := os.ReadFile(path)
		if stamp, cmd, ok := strings.Cut(string(b), "\n"); ok {
			if nanos, err := strconv.ParseInt(stamp, 10, 64); err == nil {
				e.Since = time.Since(time.Unix(0, nanos))
			}
			e.Command = strings.TrimSpace(cmd)
		}
		return -1, e
	}
	// Overwrite in place and cut only what an older, longer record left:
	// truncating to zero first costs a journal write on every start.
	record := []byte(fmt.Sprintf("%d\n%s\n", time.Now().UnixNano(), command))
	if n, err := unix.Pwrite(fd, record, 0); err == nil && n == len(record) {
		var st unix.Stat_t
		if unix.Fstat(fd, &st) == nil && st.Size > int64(n) {
			_ = unix.Ftruncate(fd, int64(n))
		}
	}
	return fd, nil
}

// claimDir is a directory only this user can write: $XDG_RUNTIME_DIR/
// portguard, or portguard-UID in the temporary directory.
func claimDir() (string, bool) {
	dir := filepath.Join(os.TempDir(), "portguard-"+strconv.Itoa(os.Geteuid()))
	if run := os.Getenv("XDG_RUNTIME_DIR"); run != "" {
		dir = filepath.Join(run, "portguard")
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", false
	}
	var st unix.Stat_t
	if unix.Lstat(dir, &st) != nil || int(st.Uid) != os.Geteuid() || st.Mode&unix.S_IFMT != unix.S_IFDIR || st.Mode&0o022 != 0 {
		return "", false // not ours: someone else made it, or others may write in it
	}
	return dir, true
}

// Add claims the ports not claimed yet, after their stale holders were
// terminated.
func (c *Claim) Add(ports []int, command string) {
	var rest []int
	for _, p := range ports {
		if _, ok := c.fds[p]; !ok {
			rest = append(rest, p)
		}
	}
	if more, err := ClaimPorts(rest, command); err == nil {
		for p, fd := range more.fds {
			c.fds[p] = fd
		}
	}
}

// KeepAcrossExec lets the claims pass to the command portguard becomes:
// the lock files stay open, without close-on-exec, and POSIX locks belong
// to the process, which exec does not change.
func (c *Claim) KeepAcrossExec() {
	for _, fd := range c.fds {
		_, _ = unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0)
	}
}

// Release gives the claims up (portguard is not going to run the command).
func (c *Claim) Release() {
	for _, fd := range c.fds {
		unix.Close(fd)
	}
	c.fds = nil
}
