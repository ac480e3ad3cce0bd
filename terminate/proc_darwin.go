package terminate

import (
	"errors"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// handle is one process portguard may signal. macOS has no pidfd, so it
// signals the PID with kill(2), right after checking that the PID still
// names the process portguard planned to stop (same start time): the
// window for a reused PID is the microseconds between the two.
type handle struct{ Proc }

func open(p Proc, _ []uint64) (*handle, error) {
	now, ok := readProc(p.PID)
	if !ok || now.start != p.start {
		return nil, errGone
	}
	h := &handle{Proc: p}
	if err := h.signal(0); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *handle) signal(sig syscall.Signal) error {
	if now, ok := readProc(h.PID); !ok || now.start != h.start {
		return errGone
	}
	err := syscall.Kill(h.PID, sig)
	if errors.Is(err, syscall.ESRCH) {
		return errGone
	}
	return err
}

// exited counts a zombie as gone: it has closed its sockets.
func (h *handle) exited() bool {
	p, ok := readProc(h.PID)
	return !ok || p.start != h.start || p.state == "Z"
}

func (h *handle) close() {}

// readProc reads the process from the kern.proc.pid sysctl.
func readProc(pid int) (Proc, bool) {
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", pid)
	if err != nil || int(kp.Proc.P_pid) != pid {
		return Proc{}, false
	}
	return kinfoProc(kp), true
}

func kinfoProc(kp *unix.KinfoProc) Proc {
	state := ""
	if kp.Proc.P_stat == 5 { // SZOMB in sys/proc.h
		state = "Z"
	}
	sec, nsec := kp.Proc.P_starttime.Unix()
	tty := int(kp.Eproc.Tdev)
	if tty == -1 { // NODEV: no controlling terminal
		tty = 0
	}
	return Proc{
		PID: int(kp.Proc.P_pid), PPID: int(kp.Eproc.Ppid), PGID: int(kp.Eproc.Pgid),
		SID:     darwinSID(int(kp.Proc.P_pid), kp.Eproc.Flag),
		Name:    unix.ByteSliceToString(kp.Proc.P_comm[:]),
		Started: time.Unix(sec, nsec),
		state:   state, start: uint64(sec)*1e6 + uint64(nsec)/1e3, tty: tty,
	}
}

// allProcs lists every process, for finding a process group's members.
func allProcs() []Proc {
	kps, err := unix.SysctlKinfoProcSlice("kern.proc.all")
	if err != nil {
		return nil
	}
	out := make([]Proc, 0, len(kps))
	for i := range kps {
		out = append(out, kinfoProc(&kps[i]))
	}
	return out
}

// pollExit sleeps a moment: there is no handle here to wait on.
func pollExit(_ []*handle, timeout time.Duration) { time.Sleep(min(timeout, pollInterval)) }

// liveTable lists every process at once: the system has one call for it.
func liveTable() Table { return NewTable(allProcs()) }

// selfOwner is "" where owners are UIDs.
func selfOwner() string { return "" }

// launchdLabel is the launchd job label of the process (launchd.go), ""
// for anything else, or when its arguments are closed to portguard
// (another user's process, which the owner rule refuses anyway).
func launchdLabel(pid int) string {
	b, err := unix.SysctlRaw("kern.procargs2", pid)
	if err != nil {
		return ""
	}
	return xpcServiceName(b)
}

// resume sends SIGCONT after SIGTERM: a stopped process (Ctrl-Z, SIGSTOP)
// cannot act on SIGTERM until it runs again, and SIGCONT does nothing to
// one that runs.
func (h *handle) resume() { _ = h.signal(syscall.SIGCONT) }

// signalUIDs: the owner rule uses the process's UID here.
func signalUIDs(int) []int { return nil }

// pidMark: macOS has no last-ID counter to read; every process is read.
func pidMark() int { return 0 }

// groupMembers lists the live processes in these process groups.
func groupMembers(pgids map[int]bool, _ int, _ map[int]bool) []Proc {
	var out []Proc
	for _, p := range allProcs() {
		if pgids[p.PGID] && p.state != "Z" {
			out = append(out, p)
		}
	}
	return out
}
