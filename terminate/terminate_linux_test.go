//go:build linux

// The holders here are sh children that trap SIGTERM, found through /proc.

package terminate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/portguard/portguard/detect"
)

// A child of this test that listens, as a real holder.
func startListener(t *testing.T, ignoreTerm bool) (*exec.Cmd, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	script := "exec sleep 30"
	if ignoreTerm {
		script = "trap '' TERM; exec sleep 30" // an ignored signal stays ignored across exec
	}
	cmd := exec.Command("sh", "-c", script)
	cmd.ExtraFiles = []*os.File{f} // the child holds the listening socket
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	go func() { _ = cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	// Until sh has run its trap and exec'd sleep, a SIGTERM would still
	// end it: wait for sleep, so that "ignores TERM" is true when tested.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", cmd.Process.Pid)); string(comm) == "sleep\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the listener never became sleep")
		}
	}
	return cmd, ln.Addr().(*net.TCPAddr).Port
}

func TestHoldersTerminatesAndFreesThePort(t *testing.T) {
	for _, ignoreTerm := range []bool{false, true} {
		t.Run("ignoreTerm="+strconv.FormatBool(ignoreTerm), func(t *testing.T) {
			cmd, port := startListener(t, ignoreTerm)
			holders, err := detect.Holders(port)
			if err != nil || len(holders) != 1 || holders[0].PID != cmd.Process.Pid {
				t.Fatalf("detect.Holders(%d) = %+v, %v", port, holders, err)
			}
			results, err := free(context.Background(), holders, Options{Grace: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			want := syscall.SIGTERM
			if ignoreTerm {
				want = syscall.SIGKILL
			}
			if len(results) != 1 || results[0].Signal != want {
				t.Fatalf("results = %+v, want one ending with %v", results, want)
			}
			if !detect.Free(port) {
				t.Fatalf(":%d is not free after termination", port)
			}
		})
	}
}

func TestHoldersStopsWaitingWhenCancelled(t *testing.T) {
	_, port := startListener(t, true)
	holders, _ := detect.Holders(port)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	_, err := free(ctx, holders, Options{Grace: time.Minute})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Holders = %v, want context.Canceled", err)
	}
}
