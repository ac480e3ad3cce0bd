//go:build unix

package outside

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A docker that is a wrapper script whose child keeps standard output
// open: at the deadline the wrapper and its child are ended and the read
// returns, instead of waiting for the child (60 s here).
func TestDeadlineEndsTheGroupAndThePipes(t *testing.T) {
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "docker")
	pidFile := filepath.Join(dir, "child.pid")
	script := "#!/bin/sh\nsleep 60 &\necho $! > " + pidFile + "\nwait\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Command(ctx, wrapper, "ps").Output()
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the wrapper finished without error")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the read still waits for the wrapper's child")
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	for _, c := range string(b) {
		if c >= '0' && c <= '9' {
			pid = pid*10 + int(c-'0')
		}
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		// A zombie until init reaps it: gone for every purpose here.
		if st, err := os.ReadFile(filepath.Join("/proc", string(b[:len(b)-1]), "stat")); err == nil && containsState(string(st), 'Z') {
			return
		}
	}
	t.Fatalf("the wrapper's child (pid %d) still runs", pid)
}

func containsState(stat string, state byte) bool {
	for i := len(stat) - 1; i > 0; i-- {
		if stat[i] == ')' && i+2 < len(stat) {
			return stat[i+2] == state
		}
	}
	return false
}
