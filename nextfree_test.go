//go:build linux

package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// adjacentFreePorts finds p such that p, p+1 and p+2 are all free.
func adjacentFreePorts(t *testing.T) int {
	t.Helper()
	for range 50 {
		p := freePort(t)
		if p+2 > 65535 {
			continue
		}
		free := true
		for q := p; q <= p+2 && free; q++ {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(q))
			if err != nil {
				free = false
				continue
			}
			ln.Close()
		}
		if free {
			return p
		}
	}
	t.Fatal("no three adjacent free ports")
	return 0
}

// The command's port and the one after it are both held: --next-free
// leaves both holders alone and runs the command on the third, by
// rewriting the PORT= it was given.
func TestNextFreeSkipsHeldPorts(t *testing.T) {
	p := adjacentFreePorts(t)
	first := holder(t, "-addr", fmt.Sprintf("127.0.0.1:%d", p))
	second := holder(t, "-addr", fmt.Sprintf("127.0.0.1:%d", p+1))
	cmd := exec.Command(portguardPath(t), "--next-free", "--",
		fmt.Sprintf("PORT=%d", p), "sh", "-c", `exec holder -once -addr "127.0.0.1:$PORT"`)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := fmt.Sprintf(":%d is held by holder (pid %d); running on :%d (PORT=%d) instead", p, first.PID(), p+2, p+2)
	if !strings.Contains(string(out), want) || !strings.Contains(string(out), fmt.Sprintf("port %d\n", p+2)) {
		t.Fatalf("want %q and the command on :%d, got:\n%s", want, p+2, out)
	}
	if !isAlive(first.PID()) || !isAlive(second.PID()) {
		t.Fatal("--next-free terminated a holder")
	}
}

// A command whose port cannot be moved gets a clear error, and nothing is
// terminated or run.
func TestNextFreeRefusesWhatItCannotMove(t *testing.T) {
	h := holder(t)
	dir := t.TempDir()
	writeFile(t, dir+"/package.json", fmt.Sprintf(`{"scripts": {"dev": "vite --port %d"}}`, h.Port), 0o644)
	cmd := exec.Command(portguardPath(t), "--next-free", "--", "npm", "run", "dev")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if exitCode(err) != exitHeld || !strings.Contains(string(out), "cannot run \"npm run dev\" on another port") {
		t.Fatalf("exit %d, want %d and a reason:\n%s", exitCode(err), exitHeld, out)
	}
	if !isAlive(h.PID()) {
		t.Fatal("the holder was terminated")
	}
}

// On a terminal the same way out is a choice of the prompt. PORT= on the
// line of sh is only a guess, so Abort is the default.
func TestNextFreeAtThePrompt(t *testing.T) {
	h := holder(t)
	cmd := exec.Command(portguardPath(t), "--", fmt.Sprintf("PORT=%d", h.Port), "sh", "-c", `echo "listening on $PORT"`)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	session := startInPty(t, cmd)
	out := session.out
	waitFor(t, "the pty", out.String, "[N/y/f/r]")
	if !strings.Contains(out.String(), fmt.Sprintf("warning: :%d is only a guess", h.Port)) {
		t.Fatalf("no warning that the port is a guess:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "  f  Leave it, run on :") {
		t.Fatalf("no next-free choice:\n%s", out.String())
	}
	if err := session.answer("f\r"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	waitFor(t, "the pty", out.String, "listening on ")
	if strings.Contains(out.String(), fmt.Sprintf("listening on %d\r", h.Port)) || !isAlive(h.PID()) {
		t.Fatalf("the command did not move, or the holder was terminated:\n%s", out.String())
	}
}
