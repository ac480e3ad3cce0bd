package terminate

import (
	"context"
	"errors"
	"os/exec"
	"strconv"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/portguard/portguard/internal/outside"
)

// handle is an open process handle: like a pidfd, it names this process,
// not its PID, so a reused PID cannot receive the termination.
type handle struct {
	Proc
	h windows.Handle
}

func open(p Proc, _ []uint64) (*handle, error) {
	ph, err := windows.OpenProcess(windows.PROCESS_TERMINATE|windows.PROCESS_QUERY_LIMITED_INFORMATION|windows.SYNCHRONIZE, false, uint32(p.PID))
	if errors.Is(err, windows.ERROR_INVALID_PARAMETER) {
		return nil, errGone // no such process
	}
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		return nil, syscall.EPERM
	}
	if err != nil {
		return nil, err
	}
	if startTime(ph) != p.start {
		windows.CloseHandle(ph)
		return nil, errGone
	}
	return &handle{Proc: p, h: ph}, nil
}

// signal maps the two signals portguard sends. Windows has no SIGTERM:
// the polite request is taskkill without /F, which asks the process's
// windows to close (WM_CLOSE); a console program such as a dev server
// usually has none and ignores it, so after the grace period "SIGKILL"
// is TerminateProcess.
func (h *handle) signal(sig syscall.Signal) error {
	if h.exited() {
		return errGone
	}
	switch sig {
	case 0:
		return nil
	case syscall.SIGKILL:
		err := windows.TerminateProcess(h.h, 1)
		if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
			return syscall.EPERM
		}
		return err
	default:
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := outside.Command(ctx, "taskkill", "/PID", strconv.Itoa(h.PID)).Run()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			return taskkillResult(exit.ExitCode(), h.exited())
		case err != nil:
			return errNoPoliteStop // no taskkill: straight to TerminateProcess
		}
		return nil
	}
}

func (h *handle) exited() bool {
	ev, err := windows.WaitForSingleObject(h.h, 0)
	return err == nil && ev == windows.WAIT_OBJECT_0
}

func (h *handle) close() { windows.CloseHandle(h.h) }

// startTime is the process's creation time in 100 ns units: with the PID,
// it names one process.
func startTime(ph windows.Handle) uint64 {
	var created, exited, kernel, user windows.Filetime
	if windows.GetProcessTimes(ph, &created, &exited, &kernel, &user) != nil {
		return 0
	}
	return uint64(created.HighDateTime)<<32 | uint64(created.LowDateTime)
}

func readProc(pid int) (Proc, bool) {
	for _, p := range allProcs() {
		if p.PID == pid {
			return p, true
		}
	}
	return Proc{}, false
}

// allProcs lists processes from a toolhelp snapshot. Windows has no
// process groups or sessions in the Unix sense: each process is its own
// group, so a plan stops exactly the processes it names.
func allProcs() []Proc {
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPPROCESS, 0)
	if err != nil {
		return nil
	}
	defer windows.CloseHandle(snap)
	var e windows.ProcessEntry32
	e.Size = uint32(unsafe.Sizeof(e))
	var out []Proc
	for err := windows.Process32First(snap, &e); err == nil; err = windows.Process32Next(snap, &e) {
		p := Proc{PID: int(e.ProcessID), PPID: int(e.ParentProcessID), PGID: int(e.ProcessID), Name: windows.UTF16ToString(e.ExeFile[:])}
		if ph, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, e.ProcessID); err == nil {
			p.start = startTime(ph)
			ft := windows.Filetime{HighDateTime: uint32(p.start >> 32), LowDateTime: uint32(p.start)}
			p.Started = time.Unix(0, ft.Nanoseconds())
			p.Owner = tokenOwner(ph)
			windows.CloseHandle(ph)
		}
		out = append(out, p)
	}
	return out
}

// pollExit sleeps a moment: there is no handle here to wait on.
func pollExit(_ []*handle, timeout time.Duration) { time.Sleep(min(timeout, pollInterval)) }

// liveTable lists every process at once: the system has one call for it.
func liveTable() Table { return NewTable(allProcs()) }

// tokenOwner is the user SID of the process's token, "" when the token is
// closed to portguard (an elevated process, another user's).
func tokenOwner(ph windows.Handle) string {
	var token windows.Token
	if windows.OpenProcessToken(ph, windows.TOKEN_QUERY, &token) != nil {
		return ""
	}
	defer token.Close()
	tu, err := token.GetTokenUser()
	if err != nil {
		return ""
	}
	return tu.User.Sid.String()
}

// selfOwner is portguard's own user SID.
func selfOwner() string {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return ""
	}
	return tu.User.Sid.String()
}

// launchdLabel is macOS's alone.
func launchdLabel(int) string { return "" }

// resume does nothing: Windows has no stopped processes to continue.
func (h *handle) resume() {}

// signalUIDs: owners are SIDs here.
func signalUIDs(int) []int { return nil }

func pidMark() int { return 0 }

// groupMembers: Windows has no process groups to be left behind in.
func groupMembers(map[int]bool, int, map[int]bool) []Proc { return nil }
