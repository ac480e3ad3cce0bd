//go:build windows

package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/winetest"
)

// On Windows (run under Wine by testdata/wine/run-tests), this test binary
// is portguard itself when asked, and a listening server: the CLI is run
// end to end as a user runs it.
const asVar = "PORTGUARD_TEST_AS"

func TestMain(m *testing.M) {
	switch os.Getenv(asVar) {
	case "portguard":
		os.Args = append([]string{"portguard"}, os.Args[2:]...) // past -test.run=^$
		main()
	case "listener":
		winetest.Listen()
	}
	os.Exit(m.Run())
}

// portguard runs the CLI with args and returns its exit code and output.
func portguard(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	cmd.Env = append(os.Environ(), asVar+"=portguard", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	case err != nil:
		t.Fatalf("portguard %q: %v", args, err)
	}
	return 0, string(out)
}

// freePort is a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// The free path (the socket tables, then the exclusive bind probe) finds
// the port free, and the command's exit status is portguard's, through
// cmd.exe; a missing command is 127, as a shell says.
func TestExitStatusOnWindows(t *testing.T) {
	port := strconv.Itoa(freePort(t))
	for _, code := range []int{0, 3, 75} {
		got, out := portguard(t, "-p", port, "--", "cmd", "/c", "exit "+strconv.Itoa(code))
		if got != code {
			t.Errorf(`portguard -p %s -- cmd /c "exit %d": exit %d, want %d: %s`, port, code, got, code, out)
		}
	}
	if got, out := portguard(t, "-p", port, "--", "no-such-command-here"); got != exitNotFound || !strings.Contains(out, "no-such-command-here") {
		t.Errorf("portguard -- no-such-command-here: exit %d, want %d: %s", got, exitNotFound, out)
	}
}

// A port held by another program: on Windows, portguard free stops it.
// Under Wine, whose socket table has no owning PIDs, the holder is one
// portguard cannot see, and says so without an empty user name.
func TestHeldPortOnWindows(t *testing.T) {
	holder, port, exited := winetest.StartListener(t, asVar+"=listener")

	// portguard ls names no empty user either: Windows has no UIDs, and
	// under Wine no holder has an account to compare.
	if code, out := portguard(t, "ls"); code != exitOK || strings.Contains(out, "()") {
		t.Errorf("portguard ls: exit %d, with an empty name:\n%s", code, out)
	}
	code, out := portguard(t, "free", "-y", strconv.Itoa(port))
	if v, wine := winetest.Wine(); wine {
		want := fmt.Sprintf(":%d is held by a process portguard cannot see", port)
		if code != exitNoPermission || !strings.Contains(out, want) || strings.Contains(out, "user  ") {
			t.Errorf("portguard free -y %d under Wine: exit %d, %q; want %d and %q", port, code, out, exitNoPermission, want)
		}
		t.Skipf("Wine %s: GetExtendedTcpTable reports no owning PID, so portguard cannot name pid %d, the holder of :%d", v, holder.Process.Pid, port)
	}
	if code != exitOK {
		t.Fatalf("portguard free -y %d: exit %d: %s", port, code, out)
	}
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Fatalf("pid %d still runs after portguard free -y %d: %s", holder.Process.Pid, port, out)
	}
}
