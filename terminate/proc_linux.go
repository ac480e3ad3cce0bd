package terminate

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/portguard/portguard/internal/proc"
)

// handle is one process portguard may signal. On Linux it is a pidfd: it
// names this very process, not its PID, so a PID reused between detection
// and signal can never receive the signal.
type handle struct {
	Proc
	pidfd int // -1 where the kernel has no pidfd (before 5.3)
}

// open opens p and re-checks through the open handle that it is still the
// process portguard planned to stop: the same start time, and, for a
// holder, the socket inode among its open files. Then a signal 0 through
// the pidfd proves the check read this process and not a successor.
func open(p Proc, inodes []uint64) (*handle, error) {
	h := &handle{Proc: p, pidfd: -1}
	fd, err := unix.PidfdOpen(p.PID, 0)
	switch {
	case errors.Is(err, unix.ESRCH):
		return nil, errGone
	case err == nil:
		h.pidfd = fd
	case errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EPERM), errors.Is(err, unix.EINVAL):
		// No pidfd here (an old kernel, or a seccomp filter that
		// forbids it): fall back to kill(2) on the PID. The window for
		// a reused PID is then the microseconds between the identity
		// check below and the signal, not the seconds a user spends
		// reading the prompt.
	default:
		return nil, fmt.Errorf("opening pid %d: %w", p.PID, err)
	}
	st, err := proc.ReadStat(p.PID)
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, unix.ESRCH) {
		// Out of descriptors (EMFILE), say: that says nothing of the
		// process, which must not be reported as gone.
		h.close()
		return nil, fmt.Errorf("checking %s (pid %d): %w", p.Name, p.PID, err)
	}
	if err != nil || st.StartTicks != p.start {
		h.close()
		return nil, errGone
	}
	if len(inodes) > 0 {
		holds, err := holdsAny(p.PID, inodes)
		if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, unix.ESRCH) {
			h.close()
			return nil, fmt.Errorf("checking the sockets of %s (pid %d): %w", p.Name, p.PID, err)
		}
		if !holds {
			h.close()
			return nil, errGone
		}
	}
	if err := h.signal(0); err != nil {
		h.close()
		return nil, err
	}
	return h, nil
}

func (h *handle) signal(sig syscall.Signal) error {
	var err error
	if h.pidfd >= 0 {
		err = unix.PidfdSendSignal(h.pidfd, sig, nil, 0)
	} else {
		err = syscall.Kill(h.PID, sig)
	}
	if errors.Is(err, syscall.ESRCH) {
		return errGone
	}
	return err
}

// exited reports whether the process is gone. A zombie counts as gone: it
// has closed its sockets and only waits for its parent to reap it.
func (h *handle) exited() bool {
	if h.pidfd >= 0 {
		// A pidfd polls readable once its process has exited.
		fds := []unix.PollFd{{Fd: int32(h.pidfd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 0)
		return err == nil && n > 0
	}
	p, ok := readProc(h.PID)
	return !ok || p.start != h.start || p.state == "Z" || p.state == "X"
}

func (h *handle) close() {
	if h.pidfd >= 0 {
		unix.Close(h.pidfd)
		h.pidfd = -1
	}
}

// holdsAny reports whether pid has one of these sockets open.
func holdsAny(pid int, inodes []uint64) (bool, error) {
	found := false
	err := proc.Sockets(pid, func(i uint64) bool {
		found = slices.Contains(inodes, i)
		return !found
	})
	if found {
		return true, nil
	}
	return false, err
}

// pollExit sleeps until one of the processes exits or timeout passes: a
// pidfd polls readable the moment its process exits, so the wait ends on
// the exit itself rather than on the next tick of a timer.
func pollExit(hs []*handle, timeout time.Duration) {
	fds := make([]unix.PollFd, 0, len(hs))
	for _, h := range hs {
		if h.pidfd < 0 {
			// No pidfd to wait on: look again after a short sleep.
			timeout = min(timeout, pollInterval)
			continue
		}
		fds = append(fds, unix.PollFd{Fd: int32(h.pidfd), Events: unix.POLLIN})
	}
	if len(fds) == 0 {
		time.Sleep(timeout)
		return
	}
	_, _ = unix.Poll(fds, int(timeout.Milliseconds())+1)
}

// readProc reads /proc/PID/stat.
func readProc(pid int) (Proc, bool) {
	st, err := proc.ReadStat(pid)
	if err != nil {
		return Proc{}, false
	}
	return Proc{PID: pid, PPID: st.PPID, PGID: st.PGID, SID: st.SID, Name: st.Comm, Started: st.Started(), state: string(st.State), start: st.StartTicks, tty: st.TTY}, true
}

// liveTable reads processes from /proc as a plan asks for them: the
// holders' ancestors and those ancestors' children, a few files in all,
// where listing every process would cost a read per process on the machine.
func liveTable() Table {
	return Table{procs: map[int]Proc{}, kids: map[int][]int{}, read: readProc, children: proc.Children}
}

// selfOwner is "" where owners are UIDs.
func selfOwner() string { return "" }

// launchdLabel is macOS's alone.
func launchdLabel(int) string { return "" }

// resume sends SIGCONT after SIGTERM: a stopped process (Ctrl-Z, SIGSTOP)
// cannot act on SIGTERM until it runs again, and SIGCONT does nothing to
// one that runs.
func (h *handle) resume() { _ = h.signal(syscall.SIGCONT) }

// signalUIDs are pid's real and saved user IDs, which kill(2) matches.
func signalUIDs(pid int) []int {
	ids, err := proc.UIDs(pid)
	if err != nil {
		return nil
	}
	return []int{ids[0], ids[2]}
}

// pidMark is the last process or thread ID handed out so far; 0 when it
// cannot be known (proc.LastPID).
func pidMark() int {
	n, _ := proc.LastPID()
	return n
}

// newSince is at most this many IDs handed out since a mark: more, and
// reading every process is as quick.
const newSince = 512

// groupMembers lists the live processes in these process groups: of them
// all, or, with a mark (pidMark), only those started since it and the
// processes in also. IDs are handed out in order, so those started since
// are the ones above the mark, up to the last handed out now: a few
// reads, where reading every process on a busy machine is a thousand.
// When the IDs wrapped or too many were handed out, every process is
// read.
func groupMembers(pgids map[int]bool, mark int, also map[int]bool) []Proc {
	var pids []int
	if now := pidMark(); mark > 0 && now >= mark && now-mark <= newSince {
		for id := mark + 1; id <= now; id++ {
			if !also[id] && proc.IsProcess(id) {
				pids = append(pids, id)
			}
		}
		for pid := range also {
			pids = append(pids, pid)
		}
	} else {
		pids, _ = proc.PIDs()
	}
	var out []Proc
	for _, pid := range pids {
		if p, ok := readProc(pid); ok && pgids[p.PGID] && p.state != "Z" && p.state != "X" {
			out = append(out, p)
		}
	}
	return out
}
