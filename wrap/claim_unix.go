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
// kill each other's command. It is a lock on one byte of a file shared by
// all claims, the byte at the port's offset, in a directory of the user's
// own; what the claim is for is written beside it, in a record file per
// port. All of a portguard's claims are held through one descriptor,
// which is kept across exec: the claims last exactly as long as the
// command portguard became, and the command inherits one descriptor
// whatever the number of ports (-p 40000-40999), not one per port.
type Claim struct {
	// fd is the shared lock file, a raw descriptor (an os.File would
	// start Go's network poller on the free path); -1 when claims are
	// off.
	fd    int
	ports map[int]bool
}

// lockFile is the file whose bytes are the claims, in the claim directory.
const lockFile = "claims"

// ClaimPorts claims each port for command. A port another portguard
// claimed moments ago, for a command that does not listen yet, is a
// *ClaimedError (see Starting). Any other claim is skipped: its command's
// server is dealt with like any holder, and ClaimPorts can be called again
// afterwards. When claims cannot be used here, nothing is claimed and the
// error is an *UnusableError, for the caller to mention: claims are a
// courtesy between portguards, never a reason not to run.
func ClaimPorts(ports []int, command string, listening func(port int) bool) (*Claim, error) {
	c := &Claim{fd: -1, ports: map[int]bool{}}
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
	if len(ports) == 0 {
		return nil
	}
	dirfd, err := claimDir()
	if err != nil {
		return err
	}
	defer unix.Close(dirfd)
	if c.fd < 0 {
		if c.fd, _, _, err = openOwn(dirfd, lockFile, unix.O_RDWR); err != nil {
			return &UnusableError{Reason: fmt.Sprintf("cannot open the claims file: %v", err)}
		}
	}
	swept := false
	for _, port := range ports {
		if c.ports[port] {
			continue
		}
		created, err := c.claim(dirfd, port, command)
		var claimed *ClaimedError
		if errors.As(err, &claimed) && claimed.Starting(listening(port)) {
			return err
		}
		if created && !swept {
			// Records grow only when a port is claimed for the first
			// time: that is when the ones no one holds any more are
			// removed, so the directory keeps about one per live claim.
			c.sweep(dirfd)
			swept = true
		}
	}
	return nil
}

// claim locks port's byte and writes its record. It reports whether the
// record file was new. A byte held by another portguard is a
// *ClaimedError with what its record says.
func (c *Claim) claim(dirfd, port int, command string) (created bool, err error) {
	// A sweep holds an unclaimed port's byte for the moment it takes to
	// remove a stale record: a byte held with no record is tried again.
	for try := 0; try < 4; try++ {
		err := lockByte(c.fd, port, unix.F_WRLCK)
		switch {
		case err == nil:
			c.ports[port] = true
			return writeRecord(dirfd, port, command), nil
		case !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EACCES):
			return false, nil // locks do not work here: no claim
		}
		pid, held := heldBy(c.fd, port)
		if !held {
			continue // released between the two looks
		}
		record, ok := readRecord(dirfd, port)
		if ok || try == 3 {
			return false, parseClaim(port, pid, record, time.Now())
		}
		time.Sleep(time.Millisecond)
	}
	return false, nil
}

// lockByte sets (F_WRLCK) or clears (F_UNLCK) the lock on port's byte,
// without waiting.
func lockByte(fd, port int, typ int16) error {
	lock := unix.Flock_t{Type: typ, Whence: 0, Start: int64(port), Len: 1}
	return unix.FcntlFlock(uintptr(fd), setLock, &lock)
}

// heldBy reports whether another claimant holds port's byte, and its PID
// where the system says (0 where it does not: the record says).
func heldBy(fd, port int) (pid int, held bool) {
	lock := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: int64(port), Len: 1}
	if unix.FcntlFlock(uintptr(fd), getLock, &lock) != nil || lock.Type == unix.F_UNLCK {
		return 0, false
	}
	return max(int(lock.Pid), 0), true
}

// openOwn opens (creating if missing) a regular file of the user's own in
// the claim directory, and says its size and whether it was made now.
// O_NOFOLLOW: a symlink put in its place is refused, never followed to a
// file of someone else's. It is opened before it is created, so that the
// common case (it is there) is one system call, and a creation is known
// for certain (O_EXCL).
func openOwn(dirfd int, name string, mode int) (fd int, size int64, created bool, err error) {
	flags := mode | unix.O_CLOEXEC | unix.O_NOFOLLOW | unix.O_NONBLOCK
	fd, err = unix.Openat(dirfd, name, flags, 0)
	if errors.Is(err, unix.ENOENT) {
		fd, err = unix.Openat(dirfd, name, flags|unix.O_CREAT|unix.O_EXCL, 0o600)
		created = err == nil
		if errors.Is(err, unix.EEXIST) {
			fd, err = unix.Openat(dirfd, name, flags, 0)
		}
	}
	if err != nil {
		return -1, 0, false, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != os.Geteuid() {
		unix.Close(fd)
		return -1, 0, false, fmt.Errorf("%s is not a regular file of yours", name)
	}
	return fd, st.Size, created, nil
}

func recordName(port int) string { return strconv.Itoa(port) + ".claim" }

// writeRecord writes what port is claimed for: "UNIXNANOS PID\nCOMMAND\n".
// It reports whether the file was new. A record that cannot be written
// leaves the claim in force, only unexplained.
func writeRecord(dirfd, port int, command string) (created bool) {
	fd, size, created, err := openOwn(dirfd, recordName(port), unix.O_WRONLY)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	// Overwrite in place and cut only what an older, longer record left:
	// truncating to zero first costs a journal write on every start.
	record := []byte(fmt.Sprintf("%d %d\n%s\n", time.Now().UnixNano(), os.Getpid(), command))
	if n, err := unix.Pwrite(fd, record, 0); err == nil && n == len(record) && size > int64(n) {
		_ = unix.Ftruncate(fd, int64(n))
	}
	return created
}

// readRecord reads port's record; ok is false when there is none.
func readRecord(dirfd, port int) (record string, ok bool) {
	fd, err := unix.Openat(dirfd, recordName(port), unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return "", false
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return "", false
	}
	buf := make([]byte, 4096)
	n, _ := unix.Pread(fd, buf, 0)
	return string(buf[:max(n, 0)]), true
}

// maxSweep bounds one sweep's work, whatever the directory holds.
const maxSweep = 512

// sweep removes the records of ports no one holds, other than c's own.
// Lock files of earlier portguards (PORT.lock, one per port) are
// removed the same way once unheld.
func (c *Claim) sweep(dirfd int) {
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
			if port, ok := strings.CutSuffix(name, ".claim"); ok {
				if p, err := strconv.Atoi(port); err == nil && p > 0 && !c.ports[p] {
					c.removeIfUnclaimed(dirfd, p)
				}
			} else if port, ok := strings.CutSuffix(name, ".lock"); ok {
				if _, err := strconv.Atoi(port); err == nil {
					removeIfUnheld(dirfd, name)
				}
			}
		}
	}
}

// removeIfUnclaimed removes port's record if no one holds its byte,
// holding the byte itself meanwhile, so that no claim is made while the
// record goes.
func (c *Claim) removeIfUnclaimed(dirfd, port int) {
	if lockByte(c.fd, port, unix.F_WRLCK) != nil {
		return // held: a live claim
	}
	_ = unix.Unlinkat(dirfd, recordName(port), 0)
	_ = lockByte(c.fd, port, unix.F_UNLCK)
}

// removeIfUnheld removes an old per-port lock file if no process holds
// its lock, holding the lock itself while it does.
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
	var byName unix.Stat_t
	if unix.Fstatat(dirfd, name, &byName, unix.AT_SYMLINK_NOFOLLOW) == nil && byName.Dev == st.Dev && byName.Ino == st.Ino {
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
	stamp, recorded, _ := strings.Cut(stamp, " ")
	if p, err := strconv.Atoi(recorded); err == nil && e.PID <= 0 && p > 0 {
		e.PID = p // where the lock does not say who holds it (OFD locks)
	}
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
// the one lock descriptor stays open, without close-on-exec, and its locks
// with it.
func (c *Claim) KeepAcrossExec() {
	if c.fd >= 0 {
		_, _ = unix.FcntlInt(uintptr(c.fd), unix.F_SETFD, 0)
	}
}

// Release gives the claims up (portguard is not going to run the command).
func (c *Claim) Release() {
	if c.fd >= 0 {
		unix.Close(c.fd)
	}
	c.fd, c.ports = -1, nil
}
