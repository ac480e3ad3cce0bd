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
// claimed moments ago, for a command that does not listen yet, is a
// *ClaimedError (see Starting). Any other claim is skipped: its command's
// server is dealt with like any holder, and ClaimPorts can be called again
// afterwards. When claims cannot be used here, nothing is claimed and the
// error is an *UnusableError, for the caller to mention: claims are a
// courtesy between portguards, never a reason not to run.
func ClaimPorts(ports []int, command string, listening func(port int) bool) (*Claim, error) {
	c := &Claim{fds: map[int]int{}}
	if err := c.claimPorts(ports, command, listening); err != nil {
		var claimed *ClaimedError
		if errors.As(err, &claimed) {
			c.Release()
			return nil, err
		}
		return c, err
	}
	return c, nil
}

func (c *Claim) claimPorts(ports []int, command string, listening func(port int) bool) error {
	dirfd, err := claimDir()
	if err != nil {
		return err
	}
	defer unix.Close(dirfd)
	for _, port := range ports {
		if _, ok := c.fds[port]; ok {
			continue
		}
		fd, created, err := claim(dirfd, port, command)
		var claimed *ClaimedError
		if errors.As(err, &claimed) && claimed.Starting(listening(port)) {
			return err
		}
		if fd >= 0 {
			c.fds[port] = fd
		}
		if created {
			// The directory grows only when a port is claimed for the
			// first time: that is when the files no one holds any more
			// are removed, so it keeps about one file per live claim.
			c.sweep(dirfd)
		}
	}
	return nil
}

// claim opens port's lock file, creating it if it is missing, and locks
// it. It reports whether it created the file.
func claim(dirfd, port int, command string) (fd int, created bool, err error) {
	name := strconv.Itoa(port) + ".lock"
	// A sweeper may remove the file between its opening and its locking
	// here; the lock is then on a file no one else will find, so the
	// file is opened again.
	for range 3 {
		var st unix.Stat_t
		fd, created, err = claimFile(dirfd, name, port, command, &st)
		if fd < 0 || sameFile(dirfd, name, &st) {
			return fd, created, err
		}
		unix.Close(fd)
	}
	return -1, false, nil
}

// claimFile fills st with what it opened: the free path fstats the lock
// file once, and the check that it is still the file named reuses that.
func claimFile(dirfd int, name string, port int, command string, st *unix.Stat_t) (int, bool, error) {
	// O_NOFOLLOW: a symlink put in place of the lock file is refused,
	// never followed to a file of someone else's. The file is opened
	// before it is created, so that the common case (it is there) is one
	// system call, and a creation is known for certain (O_EXCL).
	const flags = unix.O_RDWR | unix.O_CLOEXEC | unix.O_NOFOLLOW | unix.O_NONBLOCK
	created := false
	fd, err := unix.Openat(dirfd, name, flags, 0)
	if errors.Is(err, unix.ENOENT) {
		fd, err = unix.Openat(dirfd, name, flags|unix.O_CREAT|unix.O_EXCL, 0o600)
		created = err == nil
		if errors.Is(err, unix.EEXIST) {
			fd, err = unix.Openat(dirfd, name, flags, 0)
		}
	}
	if err != nil {
		return -1, false, nil
	}
	if unix.Fstat(fd, st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != os.Geteuid() {
		unix.Close(fd)
		return -1, false, nil
	}
	lock := unix.Flock_t{Type: unix.F_WRLCK}
	if err := unix.FcntlFlock(uintptr(fd), unix.F_SETLK, &lock); err != nil {
		defer unix.Close(fd)
		if !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EACCES) {
			return -1, created, nil
		}
		held := unix.Flock_t{Type: unix.F_WRLCK}
		if unix.FcntlFlock(uintptr(fd), unix.F_GETLK, &held) != nil || held.Type == unix.F_UNLCK {
			return -1, created, nil
		}
		buf := make([]byte, 4096)
		n, _ := unix.Pread(fd, buf, 0)
		return -1, created, parseClaim(port, int(held.Pid), string(buf[:max(n, 0)]), time.Now())
	}
	// Overwrite in place and cut only what an older, longer record left:
	// truncating to zero first costs a journal write on every start.
	record := []byte(fmt.Sprintf("%d\n%s\n", time.Now().UnixNano(), command))
	if n, err := unix.Pwrite(fd, record, 0); err == nil && n == len(record) && st.Size > int64(n) {
		_ = unix.Ftruncate(fd, int64(n))
	}
	return fd, created, nil
}

// sameFile says whether name in dirfd is still the file whose fstat is
// opened.
func sameFile(dirfd int, name string, opened *unix.Stat_t) bool {
	var byName unix.Stat_t
	return unix.Fstatat(dirfd, name, &byName, unix.AT_SYMLINK_NOFOLLOW) == nil &&
		byName.Dev == opened.Dev && byName.Ino == opened.Ino
}

// maxSweep bounds one sweep's work, whatever the directory holds.
const maxSweep = 512

// sweep removes the lock files that no process holds, other than c's own:
// a lock this process holds is not seen as held by it, and closing any
// descriptor of a file drops this process's lock on it.
func (c *Claim) sweep(dirfd int) {
	mine := map[string]bool{}
	for port := range c.fds {
		mine[strconv.Itoa(port)+".lock"] = true
	}
	// A descriptor of its own for reading: reading moves dirfd's offset.
	readfd, err := unix.Openat(dirfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(readfd)
	buf := make([]byte, 8192)
	seen := 0
	for seen < maxSweep {
		n, err := unix.ReadDirent(readfd, buf)
		if err != nil || n <= 0 {
			return
		}
		var names []string
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
		for _, name := range names {
			seen++
			if seen > maxSweep {
				return
			}
			port, ok := strings.CutSuffix(name, ".lock")
			if _, err := strconv.Atoi(port); !ok || err != nil || mine[name] {
				continue
			}
			removeIfUnheld(dirfd, name)
		}
	}
}

// removeIfUnheld removes a lock file if no process holds its lock, holding
// the lock itself while it does, so that no claim is taken meanwhile.
func removeIfUnheld(dirfd int, name string) {
	fd, err := unix.Openat(dirfd, name, unix.O_RDWR|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != os.Geteuid() {
		return
	}
	lock := unix.Flock_t{Type: unix.F_WRLCK}
	if unix.FcntlFlock(uintptr(fd), unix.F_SETLK, &lock) != nil {
		return // held: a live claim
	}
	if sameFile(dirfd, name, &st) {
		_ = unix.Unlinkat(dirfd, name, 0)
	}
}

// parseClaim reads a claim record, "UNIXNANOS\nCOMMAND\n". An empty record
// is one being written right now: fresh. A record that cannot be read, or
// whose time is in the future, is stale: it says nothing true about when
// the claim was made.
func parseClaim(port, pid int, record string, now time.Time) *ClaimedError {
	e := &ClaimedError{Port: port, PID: pid}
	if record == "" {
		return e
	}
	stamp, cmd, _ := strings.Cut(record, "\n")
	nanos, err := strconv.ParseInt(stamp, 10, 64)
	if since := now.Sub(time.Unix(0, nanos)); err != nil || since < 0 {
		e.Since = FreshClaim
	} else {
		e.Since = since
	}
	e.Command = strings.TrimSpace(cmd)
	return e
}

// claimDir opens the claim directory, one only this user can use:
// portguard in $XDG_RUNTIME_DIR, or portguard-UID in the temporary
// directory. It is opened with O_NOFOLLOW and checked through the open
// descriptor (owner, mode 0700), so that it cannot be swapped for a
// symlink between the check and the use; the lock files are then opened
// relative to that descriptor.
func claimDir() (int, error) {
	euid := os.Geteuid()
	parent, dir := os.TempDir(), "portguard-"+strconv.Itoa(euid)
	if run := os.Getenv("XDG_RUNTIME_DIR"); run != "" {
		parent, dir = run, "portguard"
	}
	if euid == 0 && !ownedBy(parent, 0) {
		// root under a user's XDG_RUNTIME_DIR or TMPDIR (sudo -E): that
		// user could swap what root writes to; use /tmp instead.
		parent, dir = "/tmp", "portguard-0"
	}
	path := filepath.Join(parent, dir)
	// Opened first and made only when missing: on every run but the first
	// the directory is there, and the mkdir would be a system call for
	// EEXIST. Whoever made it, the checks below decide whether it is used.
	const flags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	fd, err := unix.Open(path, flags, 0)
	if errors.Is(err, unix.ENOENT) {
		if err := unix.Mkdir(path, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
			return -1, &UnusableError{Reason: fmt.Sprintf("cannot make %s: %v", path, err)}
		}
		fd, err = unix.Open(path, flags, 0)
	}
	if err != nil {
		return -1, &UnusableError{Reason: fmt.Sprintf("cannot open %s: %v", path, err)}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || int(st.Uid) != euid || st.Mode&0o077 != 0 {
		unix.Close(fd)
		return -1, &UnusableError{Reason: fmt.Sprintf("%s is not a directory of yours that only you can use (mode 0700)", path)}
	}
	return fd, nil
}

func ownedBy(path string, uid int) bool {
	var st unix.Stat_t
	return unix.Stat(path, &st) == nil && int(st.Uid) == uid
}

// Add claims the ports not claimed yet, after their stale holders were
// terminated.
func (c *Claim) Add(ports []int, command string) {
	_ = c.claimPorts(ports, command, func(int) bool { return true })
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
