// Package proc reads what portguard needs from Linux's /proc: a process's
// stat line, owner, command line and working directory, its children, and
// the socket inodes among its open files.
//
// It replaces github.com/prometheus/procfs, a fine library whose package
// initialisation compiles some twenty regular expressions: half a million
// instructions, a sixth of portguard's whole run, paid before every
// dev-server start for files portguard never reads. It also reads with
// raw system calls rather than os.File, which would start Go's network
// poller for every /proc file it opens.
package proc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Stat is the part of /proc/PID/stat portguard uses.
type Stat struct {
	PID, PPID, PGID, SID int
	Comm                 string
	State                byte // R, S, D, Z, X, …
	TTY                  int  // controlling terminal's device number; 0 for none
	// StartTicks is the start time in clock ticks after boot: with the
	// PID it names one process, even after the PID is reused.
	StartTicks uint64
}

// userHZ is the unit of /proc's clock-tick fields. The kernel reports
// them in USER_HZ, which is 100 on every architecture Linux exports it on.
const userHZ = 100

// Started is when the process started, by the wall clock.
func (s Stat) Started() time.Time {
	boot := bootTime()
	if boot.IsZero() {
		return time.Time{}
	}
	return boot.Add(time.Duration(s.StartTicks) * time.Second / userHZ)
}

// ReadStat reads /proc/PID/stat.
func ReadStat(pid int) (Stat, error) {
	b, err := ReadFile(path(pid, "stat"))
	if err != nil {
		return Stat{}, err
	}
	return parseStat(pid, b)
}

func parseStat(pid int, b []byte) (Stat, error) {
	// comm is in parentheses and may itself contain spaces and ")".
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return Stat{}, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	f := strings.Fields(string(b[end+1:]))
	// f[0] is field 3 of proc(5): state; starttime is field 22.
	if len(f) < 20 || len(f[0]) != 1 {
		return Stat{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	s := Stat{PID: pid, Comm: string(b[open+1 : end]), State: f[0][0]}
	var errs [5]error
	s.PPID, errs[0] = strconv.Atoi(f[1])
	s.PGID, errs[1] = strconv.Atoi(f[2])
	s.SID, errs[2] = strconv.Atoi(f[3])
	s.TTY, errs[3] = strconv.Atoi(f[4])
	s.StartTicks, errs[4] = strconv.ParseUint(f[19], 10, 64)
	if err := errors.Join(errs[:]...); err != nil {
		return Stat{}, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return s, nil
}

// bootTime is when the machine booted, by the wall clock: now less the
// time since boot (CLOCK_BOOTTIME, the clock /proc's start times count
// in). /proc/stat's btime is only the whole second, and with it a process
// started a moment ago read as started up to a second earlier: before
// the signals, for the check of what a holder left behind.
var bootTime = sync.OnceValue(func() time.Time {
	var since unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &since); err == nil {
		// By the wall clock only (Round(0)): Go's monotonic reading
		// leaves out the time the machine slept, which start times count.
		return time.Now().Round(0).Add(-time.Duration(since.Nano()))
	}
	b, err := ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return time.Unix(n, 0)
			}
		}
	}
	return time.Time{}
})

// EffectiveUID is the process's effective user ID, the one its files and
// sockets are made as, from the Uid line of /proc/PID/status.
func EffectiveUID(pid int) (int, error) {
	ids, err := UIDs(pid)
	return ids[1], err
}

// UIDs are the process's real, effective and saved user IDs, from the Uid
// line of /proc/PID/status. kill(2) lets a user signal a process whose real
// or saved ID is theirs, whatever its effective one.
func UIDs(pid int) ([3]int, error) {
	none := [3]int{-1, -1, -1}
	b, err := ReadFile(path(pid, "status"))
	if err != nil {
		return none, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Uid:"); ok {
			f := strings.Fields(v)
			if len(f) < 3 {
				break
			}
			var ids [3]int
			for i := range ids {
				if ids[i], err = strconv.Atoi(f[i]); err != nil {
					return none, err
				}
			}
			return ids, nil
		}
	}
	return none, fmt.Errorf("/proc/%d/status: no Uid line", pid)
}

// Cmdline is the process's argv; empty for kernel threads and zombies. A
// thread-group leader that exited while its other threads run (a server
// whose main thread called pthread_exit) reads as a zombie with no argv:
// the process's argv is then read through one of its live threads.
func Cmdline(pid int) ([]string, error) {
	b, err := ReadFile(path(pid, "cmdline"))
	if err == nil && len(b) == 0 {
		b = throughLiveThread(pid, func(tid string) []byte { b, _ := ReadFile(path(pid, "task/"+tid+"/cmdline")); return b })
	}
	if err != nil || len(b) == 0 {
		return nil, err
	}
	return ParseCmdline(b), nil
}

// throughLiveThread reads a file through the first of pid's threads other
// than the leader that gives one, for a leader that has exited.
func throughLiveThread(pid int, read func(tid string) []byte) []byte {
	var b []byte
	leader := strconv.Itoa(pid)
	_ = readDir(path(pid, "task"), func(tid string) bool {
		if tid != leader {
			b = read(tid)
		}
		return len(b) == 0
	})
	return b
}

// ParseCmdline splits /proc/PID/cmdline into argv. A program that renamed
// itself by writing over its argv (node's process.title, which npm, pnpm,
// yarn, next and nodemon set: "npm run dev") leaves one string padded
// with NULs where its arguments were; a real single argument ends in one
// NUL. Such a title is split on blanks, so that `npm run dev` reads as
// the command it was started as.
func ParseCmdline(b []byte) []string {
	trimmed := strings.TrimRight(string(b), "\x00")
	argv := strings.Split(trimmed, "\x00")
	if len(argv) == 1 && len(b) > len(trimmed)+1 && strings.ContainsAny(trimmed, " \t") {
		return strings.Fields(trimmed)
	}
	return argv
}

// DisplayName is the name to show for a process: the kernel's comm is cut
// at 15 characters ("next-server (v1", "npm exec http-s") and holds a
// process.title whole ("npm run dev"); the program's own name is the first
// word of its title, or the base name of argv[0] when comm is a cut of it.
func DisplayName(comm string, argv []string) string {
	first, _, titled := strings.Cut(comm, " ")
	switch {
	case len(argv) == 0:
		return comm
	case titled:
		return first
	case len(comm) >= 15:
		if base := argv[0][strings.LastIndexByte(argv[0], '/')+1:]; strings.HasPrefix(base, comm) {
			return base
		}
	}
	return comm
}

// Cwd is the process's working directory, read through a live thread
// when the leader has exited (see Cmdline).
func Cwd(pid int) (string, error) {
	dir, err := readlink(path(pid, "cwd"))
	if err != nil && dir == "" {
		if b := throughLiveThread(pid, func(tid string) []byte { d, _ := readlink(path(pid, "task/"+tid+"/cwd")); return []byte(d) }); len(b) > 0 {
			return string(b), nil
		}
	}
	return dir, err
}

// PIDs lists every process, in the order /proc lists them (ascending).
func PIDs() ([]int, error) {
	var pids []int
	err := readDir("/proc", func(name string) bool {
		if pid, err := strconv.Atoi(name); err == nil {
			pids = append(pids, pid)
		}
		return true
	})
	return pids, err
}

// LastPID is the last process or thread ID the kernel handed out in this
// process's PID namespace (/proc/sys/kernel/ns_last_pid). False when /proc
// is another namespace's (its /proc/self is not this process), where the
// IDs it lists are not the ones handed out here.
func LastPID() (int, bool) {
	if self, err := readlink("/proc/self"); err != nil || self != strconv.Itoa(os.Getpid()) {
		return 0, false
	}
	b, err := ReadFile("/proc/sys/kernel/ns_last_pid")
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return n, err == nil
}

// IsProcess reports whether id is a live process's ID, not one of its
// other threads' (which /proc also answers for, though it lists only
// processes).
func IsProcess(id int) bool {
	b, err := ReadFile(path(id, "status"))
	if err != nil {
		return false
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Tgid:"); ok {
			return strings.TrimSpace(v) == strconv.Itoa(id)
		}
	}
	return false
}

// Children lists the process's children, from every thread's children
// file (a child belongs to the thread that forked it).
func Children(pid int) []int {
	var kids []int
	_ = readDir(path(pid, "task"), func(tid string) bool {
		b, _ := ReadFile(path(pid, "task/"+tid+"/children"))
		for _, f := range strings.Fields(string(b)) {
			if k, err := strconv.Atoi(f); err == nil {
				kids = append(kids, k)
			}
		}
		return true
	})
	return kids
}

// Sockets calls fn with the inode of each socket the process has open,
// until fn returns false. A process that exited or is not readable (another
// user's, without privilege) is an error.
func Sockets(pid int, fn func(inode uint64) bool) error {
	return SocketsOf(pid, nil, fn)
}

// ErrOtherOwner is SocketsOf's answer for a process whose owner it was
// told to pass over.
var ErrOtherOwner = errors.New("process of another owner")

// SocketsOf is Sockets for a process whose owner (its effective user)
// owner accepts, and ErrOtherOwner without reading its fds otherwise. The
// owner comes from the open fd directory itself, which saves a scan of
// every process a second lookup of its /proc path.
func SocketsOf(pid int, owner func(uid int) bool, fn func(inode uint64) bool) error {
	entries, err := socketsIn(strconv.Itoa(pid)+"/fd", owner, fn)
	if err != nil || entries > 0 {
		return err
	}
	// No descriptors at all: a thread-group leader that exited while its
	// other threads run (a zombie leader) has none of its own, and its
	// threads share the table that holds the socket. The kernel's own
	// threads have none either, and are most of a quiet machine's
	// processes: they are passed over without reading their tasks.
	if kernelThreads()[pid] {
		return nil
	}
	var tids []string
	_ = readDir(path(pid, "task"), func(tid string) bool {
		if tid != strconv.Itoa(pid) {
			tids = append(tids, tid)
		}
		return len(tids) < 1
	})
	for _, tid := range tids {
		if _, err := socketsIn(strconv.Itoa(pid)+"/task/"+tid+"/fd", owner, fn); err == nil {
			return nil
		}
	}
	return nil
}

// kernelThreads is the set of the kernel's own threads: the children of
// kthreadd, PID 2 of the initial PID namespace, read in one go, and again
// once the set is a second old (kernel workers come and go, and their IDs
// are reused). Where PID 2 is no kernel thread (a container's namespace,
// where it is an ordinary process, whatever its name), the set is empty.
//
// The kernel also starts its user-mode helpers (a core-dump pipe,
// request-key) as kthreadd's children. Such a helper that holds a socket
// through a zombie leader is passed over, as is a PID reused within the
// second: either can only leave a socket without an owner found, never
// give it a wrong one.
func kernelThreads() map[int]bool {
	kthreads.mu.Lock()
	defer kthreads.mu.Unlock()
	if kthreads.set == nil || time.Since(kthreads.read) > time.Second {
		kthreads.set, kthreads.read = readKernelThreads(), time.Now()
	}
	return kthreads.set
}

var kthreads struct {
	mu   sync.Mutex
	set  map[int]bool
	read time.Time
}

// pfKthread is PF_KTHREAD, the flag of a kernel thread in /proc/PID/stat's
// flags (field 9).
const pfKthread = 0x00200000

// isKthreadd reports whether a /proc/PID/stat line is the kernel's
// thread starter: a kernel thread (PF_KTHREAD) with no parent. A process
// that only takes its name (or entered a PID namespace from outside, and
// so has no parent there either) is not one.
func isKthreadd(stat []byte) bool {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return false
	}
	// After the command: state, ppid, pgrp, session, tty_nr, tpgid, flags.
	f := strings.Fields(string(stat[end+1:]))
	if len(f) < 7 || f[1] != "0" {
		return false
	}
	flags, err := strconv.ParseUint(f[6], 10, 64)
	return err == nil && flags&pfKthread != 0
}

func readKernelThreads() map[int]bool {
	set := map[int]bool{}
	if stat, err := ReadFile("/proc/2/stat"); err != nil || !isKthreadd(stat) {
		return set
	}
	b, err := ReadFile("/proc/2/task/2/children")
	if err != nil {
		return set
	}
	for _, f := range strings.Fields(string(b)) {
		if k, err := strconv.Atoi(f); err == nil {
			set[k] = true
		}
	}
	return set
}

// socketsIn reads one fd directory (under /proc) for SocketsOf, and says
// how many descriptors it holds.
func socketsIn(fdDir string, owner func(uid int) bool, fn func(inode uint64) bool) (entries int, err error) {
	dir, err := openProc(fdDir)
	if err != nil {
		return 0, err
	}
	defer unix.Close(dir)
	if owner != nil {
		var st unix.Stat_t
		if err := unix.Fstat(dir, &st); err != nil {
			return 0, err
		}
		if !owner(int(st.Uid)) {
			return 0, ErrOtherOwner
		}
	}
	link := make([]byte, 64)
	var denied error
	err = readDirFd(dir, func(name string) bool {
		entries++
		n, err := unix.Readlinkat(dir, name, link)
		if err == unix.EACCES || err == unix.EPERM {
			denied = err // so will every other fd of this process be
			return false
		}
		if err != nil {
			return true // closed meanwhile
		}
		if inode, ok := socketInode(string(link[:n])); ok {
			return fn(inode)
		}
		return true
	})
	if err == nil {
		err = denied
	}
	return entries, err
}

// socketInode parses the "socket:[12345]" link target of a socket's fd.
func socketInode(target string) (uint64, bool) {
	rest, ok := strings.CutPrefix(target, "socket:[")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(rest, "]"), 10, 64)
	return n, err == nil
}

func path(pid int, file string) string {
	if file == "" {
		return "/proc/" + strconv.Itoa(pid)
	}
	return "/proc/" + strconv.Itoa(pid) + "/" + file
}

// ReadFile reads a /proc file whole. /proc files report size 0, so it
// reads until EOF.
func ReadFile(name string) ([]byte, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	buf := make([]byte, 0, 1024)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

func readlink(name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlink(name, buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

// procDir is /proc, opened once: a scan opens a thousand fd tables, and
// each open relative to it walks two path components instead of four.
var procDir = sync.OnceValues(func() (int, error) {
	return unix.Open("/proc", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
})

// openProc opens the directory name under /proc.
func openProc(name string) (int, error) {
	proc, err := procDir()
	if err != nil {
		return unix.Open("/proc/"+name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	}
	return unix.Openat(proc, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
}

func readDir(name string, fn func(string) bool) error {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return readDirFd(fd, fn)
}

// readDirFd calls fn with each entry's name but "." and "..", until fn
// returns false.
func readDirFd(fd int, fn func(string) bool) error {
	buf := direntBuffers.Get().(*[]byte)
	defer direntBuffers.Put(buf)
	return readDirBuf(fd, *buf, fn)
}

// direntBuffers spares a scan of a thousand fd tables a thousand buffers.
var direntBuffers = sync.Pool{New: func() any { b := make([]byte, 8192); return &b }}

func readDirBuf(fd int, buf []byte, fn func(string) bool) error {
	var names []string
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names[:0])
		for _, name := range names {
			if !fn(name) {
				return nil
			}
		}
		// procfs fills the buffer while entries remain, so a read that
		// left room for another entry was the last: this spares the
		// second getdents that would return 0, one system call in every
		// fd table of a scan.
		if n < len(buf)-maxDirent {
			return nil
		}
	}
}

// maxDirent is the largest linux_dirent64: 19 bytes of header, a name of
// up to 255 bytes and its NUL, aligned to 8.
const maxDirent = 280
