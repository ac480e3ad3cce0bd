package terminate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"github.com/portguard/portguard/detect"
	"github.com/portguard/portguard/internal/winetest"
)

// The holders here are this test binary started again as a console
// program that listens and waits, as a dev server does: it has no window,
// so taskkill without /F cannot ask it to close.
const childMode = "PORTGUARD_TEST_TERMINATE_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childMode) == "listen" {
		winetest.Listen()
	}
	os.Exit(m.Run())
}

// startHolder starts a child that listens on a loopback port and returns
// it with the port; the test's cleanup ends it if the test did not.
func startHolder(t *testing.T) (*exec.Cmd, int) {
	t.Helper()
	cmd, port, _ := winetest.StartListener(t, childMode+"=listen")
	return cmd, port
}

// A holder whose PID is known (detection is TestHoldersOnWindows' part):
// the polite request is taskkill without /F, which a console server has no
// window to answer, so TerminateProcess follows at once, without waiting
// out the grace; the port is then free.
func TestExecuteStopsAConsoleServer(t *testing.T) {
	cmd, port := startHolder(t)
	holder := detect.Holder{Port: port, Protocol: detect.TCP, PID: cmd.Process.Pid, Name: "terminate.test.exe"}
	plan, err := NewPlan([]detect.Holder{holder}, Rules{})
	if err != nil {
		t.Fatalf("NewPlan(pid %d on :%d) = %v", holder.PID, port, err)
	}
	if len(plan.Targets) != 1 || plan.Targets[0].PID != holder.PID {
		t.Fatalf("plan targets %+v, want pid %d alone", plan.Targets, holder.PID)
	}
	const grace = 20 * time.Second
	start := time.Now()
	results, err := Execute(context.Background(), plan, Options{Grace: grace})
	if err != nil {
		t.Fatalf("Execute(pid %d on :%d) = %v", holder.PID, port, err)
	}
	if len(results) != 1 || results[0].Signal != syscall.SIGKILL || results[0].Skipped != "" {
		t.Fatalf("results = %+v, want pid %d ended with TerminateProcess (SIGKILL)", results, holder.PID)
	}
	if took := time.Since(start); took >= grace {
		t.Errorf("Execute took %s: it waited out the grace for a request taskkill could not deliver", took)
	}
	// detect.Free never proves a port free on Windows; InUse is what
	// portguard asks after a termination (the table, then the probe).
	if inUse, err := detect.InUse(detect.TCP, port); inUse || err != nil {
		t.Errorf(":%d is not free after pid %d was terminated", port, holder.PID)
	}
}

// taskkill itself on a known PID: without /F it cannot close a console
// program (Windows says so with exit 1, Wine 8 with 128, "not found"); the
// process must still run, and portguard's reading of either is that the
// request was not delivered. With /F it ends the process.
func TestTaskkillOnAConsoleProgram(t *testing.T) {
	cmd, _ := startHolder(t)
	pid := cmd.Process.Pid
	p, ok := readProc(pid)
	if !ok {
		t.Fatalf("pid %d is not in the process snapshot", pid)
	}
	h, err := open(p, nil)
	if err != nil {
		t.Fatalf("opening pid %d: %v", pid, err)
	}
	defer h.close()
	if err := h.signal(syscall.SIGTERM); !errors.Is(err, errNoPoliteStop) {
		t.Fatalf("taskkill /PID %d = %v, want %v", pid, err, errNoPoliteStop)
	}
	if h.exited() {
		t.Fatalf("pid %d exited on a taskkill without /F", pid)
	}
	out, err := exec.Command("taskkill", "/F", "/PID", strconv.Itoa(pid)).CombinedOutput()
	if err != nil {
		t.Fatalf("taskkill /F /PID %d: %v: %s", pid, err, out)
	}
	if ev, err := windows.WaitForSingleObject(h.h, 5000); ev != windows.WAIT_OBJECT_0 {
		t.Fatalf("pid %d still runs 5 s after taskkill /F: %v", pid, err)
	}
}

// Detection and termination end to end: the socket table names the
// listening child. Wine 8's table has no owning PIDs, so there the holder
// is one portguard cannot see, and its sentence must name no empty user.
func TestHoldersOnWindows(t *testing.T) {
	cmd, port := startHolder(t)
	holders, err := detect.Holders(port)
	if err != nil || len(holders) != 1 {
		t.Fatalf("detect.Holders(%d) = %+v, %v; want one holder", port, holders, err)
	}
	if v, wine := winetest.Wine(); wine && holders[0].PID == 0 {
		_, err := NewPlan(holders, Rules{})
		var denied *PermissionError
		if !errors.As(err, &denied) {
			t.Fatalf("NewPlan(unseen holder of :%d) = %v, want a PermissionError", port, err)
		}
		if want := fmt.Sprintf(":%d is held by a process portguard cannot see", port); err.Error() != want {
			t.Errorf("unseen holder: %q, want %q", err, want)
		}
		t.Skipf("Wine %s: GetExtendedTcpTable reports no owning PID, so detection cannot name pid %d (the rest is TestExecuteStopsAConsoleServer)", v, cmd.Process.Pid)
	}
	if holders[0].PID != cmd.Process.Pid {
		t.Fatalf("detect.Holders(%d) = pid %d, want %d", port, holders[0].PID, cmd.Process.Pid)
	}
	results, err := free(context.Background(), holders, Options{Grace: 5 * time.Second})
	if err != nil || len(results) != 1 || results[0].Signal != syscall.SIGKILL {
		t.Fatalf("free(:%d) = %+v, %v; want pid %d ended with TerminateProcess", port, results, err, cmd.Process.Pid)
	}
	// detect.Free never proves a port free on Windows; InUse is what
	// portguard asks after a termination (the table, then the probe).
	if inUse, err := detect.InUse(detect.TCP, port); inUse || err != nil {
		t.Errorf(":%d is not free after pid %d was terminated", port, cmd.Process.Pid)
	}
}
